"""Settings page (admins and owners): members and roles, marketplace accounts, credentials,
the LLM provider, API keys and system health (actions on secrets: credentials.py)."""

import uuid
from typing import Annotated

import orjson
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.audit.service import audit
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.integrations.llm.schemas import CREDENTIAL_KIND as LLM_KIND
from shelfwise.operations.endpoints import health
from shelfwise.vault.repository import CredentialRepository
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    CsrfField,
    PagePrincipal,
    check_csrf,
    redirect,
    render,
    require_role,
)

router = APIRouter(include_in_schema=False)


@router.get("/dashboard/settings")
def settings_page(
    request: Request, principal: PagePrincipal, context: Context, session: DbSession
) -> Response:
    require_role(principal, Role.ADMIN)
    repository = AccountsRepository(session)
    values = page_values(context, session, principal, "settings", "Settings")
    values |= {
        "members": repository.members_of(principal.organization_id),
        "api_keys": repository.api_keys_of(principal.organization_id),
        "roles": [role.value for role in Role],
        "health": orjson.loads(bytes(health(context).body)),
        "credentials": [
            (credential, context.vault.masked(credential))
            for credential in CredentialRepository(session, principal.organization_id).all()
        ],
        "accounts": MarketplaceAccountRepository(session, principal.organization_id).all(),
        "llm_kind": LLM_KIND,
    }
    return render(request, "settings.html", values)


@router.post("/dashboard/settings/members/{user_id}")
def change_role(
    user_id: uuid.UUID,
    request: Request,
    principal: PagePrincipal,
    context: Context,
    session: DbSession,
    role: Annotated[Role, Form()],
    csrf: CsrfField = "",
) -> Response:
    check_csrf(request, context, principal, csrf)
    require_role(principal, Role.ADMIN)
    before = AccountsRepository(session).membership(principal.organization_id, user_id)
    membership, user = context.accounts.change_role(session, principal, user_id, role)
    # Audited like PATCH /api/organization/members/{id}.
    audit(
        session,
        principal,
        "member.role_changed",
        "membership",
        membership.id,
        before={"role": before.role.value if before else None},
        after={"role": role.value},
    )
    return redirect(request, "/dashboard/settings", f"{user.email} is now {role.value}.")
