"""Settings actions on marketplace accounts: connect, rename, change credentials, pause or
resume, check the connection, sync now and remove. The same service calls as
/api/marketplace-accounts and its /connection and /sync endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.catalog import service
from shelfwise.catalog.schemas import MarketplaceAccountCreate, MarketplaceAccountUpdate
from shelfwise.market import status
from shelfwise.market.schemas import Dataset
from shelfwise.web.forms import checked
from shelfwise.web.session import (
    AdminForm,
    AnalystForm,
    redirect,
)

router = APIRouter(include_in_schema=False)
PATH = "/dashboard/settings/accounts"
BACK = "/dashboard/settings#accounts"
Field = Annotated[str, Form(max_length=500)]


def _credential(value: str) -> str | None:
    """The form's "no credentials" option is an empty value; the models want None."""
    return value.strip() or None


@router.post(PATH)
def create_account(
    request: Request,
    principal: AdminForm,
    session: DbSession,
    name: Field,
    platform: Field,
    marketplace: Field,
    seller_id: Field = "",
    credential_id: Field = "",
) -> Response:
    body = checked(
        MarketplaceAccountCreate,
        name=name,
        platform=platform,
        marketplace=marketplace,
        seller_id=seller_id,
        credential_id=_credential(credential_id),
    )
    account = service.marketplace_account.create(session, principal, body)
    return redirect(request, BACK, f"Connected {account.name} ({account.marketplace}).")


@router.post(PATH + "/{account_id}")
def update_account(
    account_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    session: DbSession,
    name: Field,
    credential_id: Field = "",
    is_active: Annotated[bool, Form()] = False,
) -> Response:
    """The edit form sends every field (an unchecked "active" box sends nothing: paused)."""
    body = checked(
        MarketplaceAccountUpdate,
        name=name,
        credential_id=_credential(credential_id),
        is_active=is_active,
    )
    account = service.marketplace_account.update(session, principal, account_id, body)
    state = "active" if account.is_active else "paused"
    return redirect(request, BACK, f"Saved {account.name} ({state}).")


@router.post(PATH + "/{account_id}/connection")
def check_connection(
    account_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
) -> Response:
    found = status.verify_connection(
        session, principal, account_id, context.vault, context.settings
    )
    if found.error:
        return redirect(request, BACK, f"Not connected: {found.error}", "error")
    return redirect(request, BACK, f"Connection {found.status.value}.")


@router.post(PATH + "/{account_id}/sync")
def sync_now(
    account_id: uuid.UUID,
    request: Request,
    principal: AnalystForm,
    session: DbSession,
    dataset: Annotated[Dataset, Form()],
) -> Response:
    job_id = status.request_sync(session, principal, account_id, dataset)
    return redirect(request, f"/dashboard/jobs#job-{job_id}", f"Syncing {dataset.value} now.")


@router.post(PATH + "/{account_id}/delete")
def delete_account(
    account_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    session: DbSession,
) -> Response:
    name = service.marketplace_account.get(session, principal, account_id).name
    service.marketplace_account.delete(session, principal, account_id)
    return redirect(request, BACK, f"Removed {name} and its listings.")
