"""Webhook API: sources and their secrets (admin), receiving deliveries (signed, no bearer),
and the stored events with their replay."""

import time
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from shelfwise.accounts.auth import Admin, Context, DbSession
from shelfwise.ingest.models import WebhookEvent, WebhookEventStatus, WebhookSource
from shelfwise.ingest.repository import WebhookEventRepository, WebhookSourceRepository
from shelfwise.ingest.schemas import (
    SecretHint,
    WebhookEventOut,
    WebhookEventPage,
    WebhookReceipt,
    WebhookSecretIssued,
    WebhookSourceCreate,
    WebhookSourceOut,
    WebhookSourceUpdate,
)
from shelfwise.ingest.signatures import SIGNATURE_HEADER, TOLERANCE_SECONDS
from shelfwise.ingest.webhooks import (
    EVENT_ID_HEADER,
    SOURCE_HEADER,
    Delivery,
    WebhookService,
)
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.pagination import (
    clamp_limit,
    decode_time_cursor,
    encode_cursor,
)

router = APIRouter(prefix="/api", tags=["ingestion"], route_class=JsonRoute)


def source_out(source: WebhookSource) -> WebhookSourceOut:
    return WebhookSourceOut(
        id=source.id,
        name=source.name,
        is_active=source.is_active,
        secrets=[SecretHint.model_validate(hint) for hint in source.secret_hints],
        created_at=source.created_at,
        updated_at=source.updated_at,
    )


def issued(source: WebhookSource, secret_id: uuid.UUID, secret: str) -> WebhookSecretIssued:
    return WebhookSecretIssued(
        **source_out(source).model_dump(), secret_id=secret_id, secret=secret
    )


def event_out(event: WebhookEvent) -> WebhookEventOut:
    return WebhookEventOut(
        id=event.id,
        source_id=event.source_id,
        event_id=event.event_id,
        status=event.status,
        job_id=event.job_id,
        received_at=event.received_at,
        size=len(event.body),
        headers=event.headers,
    )


@router.get(
    "/webhook-sources", response_model=list[WebhookSourceOut], summary="Webhook sources (masked)"
)
def list_sources(principal: Admin, session: DbSession) -> list[WebhookSourceOut]:
    sources = WebhookSourceRepository(session, principal.organization_id).all()
    return [source_out(source) for source in sources]


@router.post(
    "/webhook-sources",
    response_model=WebhookSecretIssued,
    status_code=201,
    summary="Create a webhook source; its signing secret is shown once",
)
def create_source(
    body: WebhookSourceCreate, principal: Admin, context: Context, session: DbSession
) -> WebhookSecretIssued:
    source, secret_id, secret = WebhookService(context.vault).create_source(
        session, principal, body.name
    )
    return issued(source, secret_id, secret)


@router.get(
    "/webhook-sources/{webhook_source_id}",
    response_model=WebhookSourceOut,
    summary="A webhook source (masked)",
)
def read_source(
    webhook_source_id: uuid.UUID, principal: Admin, context: Context, session: DbSession
) -> WebhookSourceOut:
    service = WebhookService(context.vault)
    return source_out(service.get_source(session, principal, webhook_source_id))


@router.patch(
    "/webhook-sources/{webhook_source_id}",
    response_model=WebhookSourceOut,
    summary="Rename, deactivate or reactivate a webhook source",
)
def update_source(
    webhook_source_id: uuid.UUID,
    body: WebhookSourceUpdate,
    principal: Admin,
    context: Context,
    session: DbSession,
) -> WebhookSourceOut:
    service = WebhookService(context.vault)
    return source_out(service.update_source(session, principal, webhook_source_id, body))


@router.delete(
    "/webhook-sources/{webhook_source_id}",
    status_code=204,
    summary="Delete a webhook source and its stored events",
)
def delete_source(
    webhook_source_id: uuid.UUID, principal: Admin, context: Context, session: DbSession
) -> Response:
    WebhookService(context.vault).delete_source(session, principal, webhook_source_id)
    return Response(status_code=204)


@router.post(
    "/webhook-sources/{webhook_source_id}/secrets",
    response_model=WebhookSecretIssued,
    status_code=201,
    summary="Add a signing secret (rotation); shown once, the old ones stay valid",
)
def add_secret(
    webhook_source_id: uuid.UUID, principal: Admin, context: Context, session: DbSession
) -> WebhookSecretIssued:
    source, secret_id, secret = WebhookService(context.vault).add_secret(
        session, principal, webhook_source_id
    )
    return issued(source, secret_id, secret)


@router.delete(
    "/webhook-sources/{webhook_source_id}/secrets/{secret_id}",
    status_code=204,
    summary="Delete a signing secret (end of a rotation)",
)
def delete_secret(
    webhook_source_id: uuid.UUID,
    secret_id: uuid.UUID,
    principal: Admin,
    context: Context,
    session: DbSession,
) -> Response:
    WebhookService(context.vault).delete_secret(session, principal, webhook_source_id, secret_id)
    return Response(status_code=204)


@router.post(
    "/import/webhook",
    response_model=WebhookReceipt,
    status_code=202,
    summary="Receive a signed webhook delivery",
    description=(
        f"No bearer token: `{SOURCE_HEADER}` names the source, `{SIGNATURE_HEADER}: "
        "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.' + raw body)>` authenticates it "
        f"(±{TOLERANCE_SECONDS} s) and `{EVENT_ID_HEADER}` makes it replay-safe. 202: stored and "
        "queued; 200: a repeat of an earlier delivery, answered with its original result."
    ),
    responses={200: {"model": WebhookReceipt, "description": "Duplicate delivery"}},
)
async def receive_webhook(
    request: Request, response: Response, context: Context, session: DbSession
) -> WebhookReceipt:
    body = await request.body()
    delivery = Delivery(
        source=request.headers.get(SOURCE_HEADER),
        event_id=request.headers.get(EVENT_ID_HEADER),
        signature=request.headers.get(SIGNATURE_HEADER),
        body=body,
        headers=request.headers,
    )
    service = WebhookService(context.vault)
    event, duplicate = await run_in_threadpool(service.receive, session, delivery, time.time())
    if duplicate:
        response.status_code = 200
    return WebhookReceipt(
        id=event.id,
        source_id=event.source_id,
        event_id=event.event_id,
        status=event.status,
        job_id=event.job_id,
        received_at=event.received_at,
        duplicate=duplicate,
    )


@router.get(
    "/webhook-events", response_model=WebhookEventPage, summary="Received webhooks, newest first"
)
def list_events(
    principal: Admin,
    context: Context,
    session: DbSession,
    source_id: uuid.UUID | None = None,
    status: WebhookEventStatus | None = None,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> WebhookEventPage:
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    found = WebhookEventRepository(session, principal.organization_id).page(
        source_id=source_id, status=status, before=decode_time_cursor(cursor), limit=size + 1
    )
    next_cursor = None
    if len(found) > size:
        found = found[:size]
        next_cursor = encode_cursor([found[-1].received_at.isoformat(), str(found[-1].id)])
    return WebhookEventPage(items=[event_out(event) for event in found], next_cursor=next_cursor)


@router.post(
    "/webhook-events/{webhook_event_id}/replay",
    response_model=WebhookEventOut,
    status_code=202,
    summary="Process a stored webhook again from its raw body",
)
def replay_event(
    webhook_event_id: uuid.UUID, principal: Admin, context: Context, session: DbSession
) -> WebhookEventOut:
    event = WebhookService(context.vault).replay(session, principal, webhook_event_id)
    return event_out(event)
