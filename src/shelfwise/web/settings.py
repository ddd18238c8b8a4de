"""Settings page (admins and owners): members and roles, marketplace accounts, credentials,
the LLM provider, API keys and system health. Its actions live beside it: members.py,
marketplaces.py and credentials.py (secrets)."""

from typing import get_args

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.catalog.marketplaces import MARKETPLACES
from shelfwise.catalog.models import Platform
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.integrations.creators.schemas import CredentialVersion
from shelfwise.integrations.llm.schemas import CREDENTIAL_KIND as LLM_KIND
from shelfwise.market.schemas import Dataset
from shelfwise.operations.endpoints import health
from shelfwise.vault.repository import CredentialRepository
from shelfwise.web.credentials import KINDS
from shelfwise.web.layout import page_values
from shelfwise.web.session import PagePrincipal, render, require_role

router = APIRouter(include_in_schema=False)


@router.get("/dashboard/settings")
def settings_page(
    request: Request, principal: PagePrincipal, context: Context, session: DbSession
) -> Response:
    require_role(principal, Role.ADMIN)
    repository = AccountsRepository(session)
    credentials = CredentialRepository(session, principal.organization_id).all()
    values = page_values(context, session, principal, "settings", "Settings")
    values |= {
        "members": repository.members_of(principal.organization_id),
        "api_keys": repository.api_keys_of(principal.organization_id),
        "roles": [role.value for role in Role],
        "health": orjson.loads(bytes(health(context).body)),
        "credentials": [
            (credential, context.vault.masked(credential)) for credential in credentials
        ],
        "credential_names": {credential.id: credential.name for credential in credentials},
        "accounts": MarketplaceAccountRepository(session, principal.organization_id).all(),
        "platforms": [platform.value for platform in Platform],
        "marketplaces": sorted(MARKETPLACES),
        "datasets": [dataset.value for dataset in Dataset],
        "llm_kind": LLM_KIND,
        "credential_kinds": KINDS,
        "creators_versions": get_args(CredentialVersion),
    }
    return render(request, "settings.html", values)
