"""Settings actions on secrets: vault credentials (rotate, delete), the LLM provider and API
keys. The same service calls as /api/credentials, /api/api-keys; secrets are never shown back
(a new API key once, on the page that answers its creation)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.audit.service import audit
from shelfwise.integrations.amazon_spapi import accounts as spapi
from shelfwise.integrations.creators import schemas as creators
from shelfwise.integrations.llm.schemas import CREDENTIAL_KIND as LLM_KIND
from shelfwise.vault.schemas import CredentialCreate
from shelfwise.web.forms import checked
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    AdminForm,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
BACK = "/dashboard/settings"
# The credentials the integrations read, each with the fields its adapter needs (the LLM
# provider has its own form). Labels as the vendors' consoles name them.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    spapi.CREDENTIAL_KIND: ("Amazon SP-API (Login with Amazon)", spapi.SECRET_FIELDS),
    creators.CREDENTIAL_KIND: ("Amazon Creators API (associates)", creators.SECRET_FIELDS),
}


@router.post("/dashboard/settings/credentials")
def create(
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=64)],
    field: Annotated[list[str] | None, Form()] = None,
    value: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """A credential of a known kind, every field of it filled; checked as POST /api/credentials
    checks it, then sealed in the vault. Only masked hints are shown afterwards."""
    if kind not in KINDS:
        return redirect(request, BACK, f"Unknown credential kind: {kind}.", "error")
    secrets = {each: secret.strip() for each, secret in zip(field or [], value or [], strict=False)}
    missing = [each for each in KINDS[kind][1] if not secrets.get(each)]
    if missing:
        return redirect(request, BACK, f"Fill in {', '.join(missing)}.", "error")
    body = checked(CredentialCreate, name=name, kind=kind, secrets=secrets)
    plain = {each: secret.get_secret_value() for each, secret in body.secrets.items()}
    credential = context.vault.create(session, principal, body.name, body.kind, plain)
    return redirect(request, BACK + "#credentials", f"Stored the credential {credential.name}.")


@router.post("/dashboard/settings/credentials/{credential_id}/rotate")
def rotate(
    credential_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
    field: Annotated[list[str] | None, Form()] = None,
    value: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Each masked field of the credential comes as a `field` name and its new `value`; all
    of them are replaced together, as PUT /api/credentials/{id}/secrets does."""
    pairs = zip(field or [], value or [], strict=False)
    secrets = {name: secret for name, secret in pairs if secret.strip()}
    if not secrets or len(secrets) != len(field or []):
        return redirect(request, BACK, "Enter a new value for every field to rotate.", "error")
    credential = context.vault.replace_secrets(session, principal, credential_id, secrets)
    return redirect(request, BACK, f"Rotated the secrets of {credential.name}.")


@router.post("/dashboard/settings/credentials/{credential_id}/delete")
def delete(
    credential_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
) -> Response:
    name = context.vault.get(session, principal, credential_id).name
    context.vault.delete(session, principal, credential_id)
    return redirect(request, BACK, f"Deleted the credential {name}.")


@router.post("/dashboard/settings/llm")
def set_llm(
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
    base_url: Annotated[str, Form(min_length=1, max_length=500)],
    model: Annotated[str, Form(min_length=1, max_length=200)],
    api_key: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The organization's model: a vault credential of kind `llm` (base_url, model, api_key)."""
    secrets = {"base_url": base_url, "model": model} | ({"api_key": api_key} if api_key else {})
    context.vault.create(session, principal, f"LLM {model}"[:200], LLM_KIND, secrets)
    return redirect(request, BACK, f"Stored the LLM provider ({model}).")


@router.post("/dashboard/settings/api-keys")
def create_api_key(
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    role: Annotated[Role, Form()],
) -> Response:
    api_key, key = context.accounts.create_api_key(session, principal, name, role)
    audit(
        session,
        principal,
        "api_key.created",
        "api_key",
        api_key.id,
        after={"name": api_key.name, "role": api_key.role.value, "prefix": api_key.prefix},
    )
    values = page_values(context, session, principal, "settings", "API key created")
    values |= {"api_key": api_key, "key": key}
    return render(request, "api_key.html", values, status_code=201)


@router.post("/dashboard/settings/api-keys/{api_key_id}/revoke")
def revoke_api_key(
    api_key_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
) -> Response:
    api_key = context.accounts.revoke_api_key(session, principal, api_key_id)
    audit(
        session, principal, "api_key.revoked", "api_key", api_key.id, before={"name": api_key.name}
    )
    return redirect(request, BACK, f"Revoked the API key {api_key.name}.")
