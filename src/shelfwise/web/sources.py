"""Imports page actions on webhook sources: create one, rotate its signing secret (add a new
one, then delete the old), pause or resume it, delete it; replay a stored delivery. The same
service calls as /api/webhook-sources and /api/webhook-events. A new secret is shown once, on
the page that answers its creation."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.principal import Principal
from shelfwise.ingest.models import WebhookEvent, WebhookSource
from shelfwise.ingest.repository import WebhookEventRepository
from shelfwise.ingest.schemas import WebhookSourceUpdate
from shelfwise.ingest.signatures import SIGNATURE_HEADER
from shelfwise.ingest.webhooks import EVENT_ID_HEADER, SOURCE_HEADER, WebhookService
from shelfwise.platform.context import AppContext
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    AdminForm,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
PATH = "/dashboard/imports/sources"
BACK = "/dashboard/imports#sources"
EVENTS_SHOWN = 20


def example_headers() -> dict[str, str]:
    return {"source": SOURCE_HEADER, "event": EVENT_ID_HEADER, "signature": SIGNATURE_HEADER}


def recent_events(session: Session, principal: Principal) -> list[WebhookEvent]:
    repository = WebhookEventRepository(session, principal.organization_id)
    return repository.page(source_id=None, status=None, before=None, limit=EVENTS_SHOWN)


def _secret_page(
    request: Request,
    context: AppContext,
    session: Session,
    principal: Principal,
    source: WebhookSource,
    secret: str,
    rotated: bool,
) -> Response:
    title = "New signing secret" if rotated else "Webhook source created"
    values = page_values(context, session, principal, "imports", title)
    values |= {
        "source": source,
        "secret": secret,
        "rotated": rotated,
        "base_url": str(request.base_url).rstrip("/"),
        "headers": example_headers(),
    }
    return render(request, "webhook_secret.html", values, status_code=201)


@router.post(PATH)
def create_source(
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    source, _, secret = WebhookService(context.vault).create_source(session, principal, name)
    return _secret_page(request, context, session, principal, source, secret, rotated=False)


@router.post(PATH + "/{source_id}/secrets")
def add_secret(
    source_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
) -> Response:
    """Rotation, step one: the new secret verifies beside the old ones until they are deleted."""
    source, _, secret = WebhookService(context.vault).add_secret(session, principal, source_id)
    return _secret_page(request, context, session, principal, source, secret, rotated=True)


@router.post(PATH + "/{source_id}/secrets/{secret_id}/delete")
def delete_secret(
    source_id: uuid.UUID,
    secret_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
) -> Response:
    WebhookService(context.vault).delete_secret(session, principal, source_id, secret_id)
    return redirect(request, BACK, "Deleted the secret: deliveries signed with it get 401 now.")


@router.post(PATH + "/{source_id}/active")
def set_active(
    source_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
    is_active: Annotated[bool, Form()],
) -> Response:
    body = WebhookSourceUpdate(is_active=is_active)
    source = WebhookService(context.vault).update_source(session, principal, source_id, body)
    state = "resumed" if source.is_active else "paused: its deliveries get 401"
    return redirect(request, BACK, f"{source.name} {state}.")


@router.post(PATH + "/{source_id}/delete")
def delete_source(
    source_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
) -> Response:
    service = WebhookService(context.vault)
    name = service.get_source(session, principal, source_id).name
    service.delete_source(session, principal, source_id)
    return redirect(request, BACK, f"Deleted the webhook source {name} and its deliveries.")


@router.post("/dashboard/imports/events/{event_id}/replay")
def replay_event(
    event_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    context: Context,
    session: DbSession,
) -> Response:
    event = WebhookService(context.vault).replay(session, principal, event_id)
    return redirect(request, f"/dashboard/jobs#job-{event.job_id}", "Delivery queued again.")
