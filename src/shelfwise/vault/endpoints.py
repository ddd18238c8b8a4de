"""Credentials API: create, list (masked), read (masked), replace secrets, delete."""

import uuid

from fastapi import APIRouter, Response

from shelfwise.accounts.auth import Admin, Context, DbSession
from shelfwise.operations.json_body import JsonRoute
from shelfwise.vault.models import Credential
from shelfwise.vault.repository import CredentialRepository
from shelfwise.vault.schemas import CredentialCreate, CredentialOut, CredentialRotate
from shelfwise.vault.service import VaultService

router = APIRouter(prefix="/api", tags=["vault"], route_class=JsonRoute)


def credential_out(vault: VaultService, credential: Credential) -> CredentialOut:
    return CredentialOut(
        id=credential.id,
        name=credential.name,
        kind=credential.kind,
        masked=vault.masked(credential),
        created_at=credential.created_at,
        updated_at=credential.updated_at,
    )


def _plain(secrets: dict[str, object]) -> dict[str, str]:
    return {field: value.get_secret_value() for field, value in secrets.items()}  # type: ignore[attr-defined]


@router.get("/credentials", response_model=list[CredentialOut], summary="Credentials (masked)")
def list_credentials(principal: Admin, context: Context, session: DbSession) -> list[CredentialOut]:
    credentials = CredentialRepository(session, principal.organization_id).all()
    return [credential_out(context.vault, credential) for credential in credentials]


@router.post(
    "/credentials", response_model=CredentialOut, status_code=201, summary="Store a credential"
)
def create_credential(
    body: CredentialCreate, principal: Admin, context: Context, session: DbSession
) -> CredentialOut:
    credential = context.vault.create(
        session, principal, body.name, body.kind, _plain(dict(body.secrets))
    )
    return credential_out(context.vault, credential)


@router.get(
    "/credentials/{credential_id}", response_model=CredentialOut, summary="A credential (masked)"
)
def read_credential(
    credential_id: uuid.UUID, principal: Admin, context: Context, session: DbSession
) -> CredentialOut:
    return credential_out(context.vault, context.vault.get(session, principal, credential_id))


@router.put(
    "/credentials/{credential_id}/secrets",
    response_model=CredentialOut,
    summary="Replace a credential's secrets",
)
def rotate_credential(
    credential_id: uuid.UUID,
    body: CredentialRotate,
    principal: Admin,
    context: Context,
    session: DbSession,
) -> CredentialOut:
    credential = context.vault.replace_secrets(
        session, principal, credential_id, _plain(dict(body.secrets))
    )
    return credential_out(context.vault, credential)


@router.delete("/credentials/{credential_id}", status_code=204, summary="Delete a credential")
def delete_credential(
    credential_id: uuid.UUID, principal: Admin, context: Context, session: DbSession
) -> Response:
    context.vault.delete(session, principal, credential_id)
    return Response(status_code=204)
