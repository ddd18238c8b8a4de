"""Webhook sources (secrets sealed in the vault, several during rotation) and receiving
deliveries: verify, store raw, queue processing, all in the request's one transaction (B1-B5)."""

import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session

from shelfwise.audit.service import ActsForOrganization, audit
from shelfwise.ingest.models import WebhookEvent, WebhookEventStatus, WebhookSource
from shelfwise.ingest.repository import (
    WebhookEventRepository,
    WebhookSourceRepository,
    source_for_delivery,
)
from shelfwise.ingest.schemas import WebhookSourceUpdate
from shelfwise.ingest.signatures import (
    Signature,
    SignatureError,
    content_digest,
    parse_header,
    verify,
)
from shelfwise.jobs.service import enqueue
from shelfwise.platform.db import set_tenant
from shelfwise.platform.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from shelfwise.platform.ids import new_id
from shelfwise.platform.logging import get_logger
from shelfwise.platform.types import utcnow
from shelfwise.vault.service import VaultService, mask

SOURCE_HEADER = "X-Shelfwise-Source"
EVENT_ID_HEADER = "X-Shelfwise-Event-Id"
PROCESS_JOB = "ingest.process_webhook"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
MAX_SECRETS = 10
# Kept with the raw body for replays and forensics.
KEPT_HEADERS = ("content-type", "content-encoding", "user-agent", "x-shelfwise-signature")
_EVENT_ID = re.compile(r"^[\x21-\x7e]{1,200}$")
UNKNOWN_SOURCE = f"Unknown or inactive webhook source; send its id as {SOURCE_HEADER}."

logger = get_logger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What a webhook request brings: its identifying headers and the exact bytes received."""

    source: str | None
    event_id: str | None
    signature: str | None
    body: bytes
    headers: Mapping[str, str]


def _purpose(source_id: uuid.UUID) -> str:
    return f"webhook-source|{source_id}"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookService:
    def __init__(self, vault: VaultService) -> None:
        self.vault = vault

    # Sources and their secrets
    def secrets(self, session: Session, source: WebhookSource) -> dict[str, str]:
        """Secret id -> secret; never returned by the API or logged."""
        sealed = self.vault.open_for(
            session, source.organization_id, _purpose(source.id), source.sealed_secrets
        )
        values: dict[str, str] = orjson.loads(sealed)
        return values

    def _seal(self, session: Session, source: WebhookSource, values: dict[str, str]) -> None:
        source.sealed_secrets = self.vault.seal_for(
            session, source.organization_id, _purpose(source.id), orjson.dumps(values)
        )

    def _add_secret(self, session: Session, source: WebhookSource) -> tuple[uuid.UUID, str]:
        values = self.secrets(session, source) if source.secret_hints else {}
        if len(values) >= MAX_SECRETS:
            raise ConflictError(f"A source holds at most {MAX_SECRETS} secrets; delete old ones.")
        secret_id, secret = new_id(), new_secret()
        values[str(secret_id)] = secret
        self._seal(session, source, values)
        if source.secret_hints:  # a rotation (a new source keeps its creation time)
            source.updated_at = utcnow()
        created_at = source.updated_at.isoformat()
        hint = {"id": str(secret_id), "hint": mask(secret), "created_at": created_at}
        source.secret_hints = [*source.secret_hints, hint]
        return secret_id, secret

    def create_source(
        self, session: Session, who: ActsForOrganization, name: str
    ) -> tuple[WebhookSource, uuid.UUID, str]:
        repository = WebhookSourceRepository(session, who.organization_id)
        if repository.by_name(name) is not None:
            raise ConflictError(f"A webhook source named {name!r} already exists.")
        now = utcnow()
        source = WebhookSource(
            id=new_id(),
            organization_id=who.organization_id,
            name=name,
            secret_hints=[],
            is_active=True,
            created_by=who.actor.label,
            created_at=now,
            updated_at=now,
        )
        secret_id, secret = self._add_secret(session, source)
        repository.add(source)
        audit(
            session,
            who,
            "webhook_source.created",
            "webhook_source",
            source.id,
            after={"name": name},
        )
        return source, secret_id, secret

    def get_source(
        self, session: Session, who: ActsForOrganization, source_id: uuid.UUID
    ) -> WebhookSource:
        source = WebhookSourceRepository(session, who.organization_id).get(source_id)
        if source is None:
            raise NotFoundError("No such webhook source.")
        return source

    def update_source(
        self,
        session: Session,
        who: ActsForOrganization,
        source_id: uuid.UUID,
        body: WebhookSourceUpdate,
    ) -> WebhookSource:
        source = self.get_source(session, who, source_id)
        before = {"name": source.name, "is_active": source.is_active}
        if body.name is not None and body.name != source.name:
            if WebhookSourceRepository(session, who.organization_id).by_name(body.name):
                raise ConflictError(f"A webhook source named {body.name!r} already exists.")
            source.name = body.name
        if body.is_active is not None:
            source.is_active = body.is_active
        after = {"name": source.name, "is_active": source.is_active}
        if after != before:
            source.updated_at = utcnow()
            session.flush()
            audit(
                session,
                who,
                "webhook_source.updated",
                "webhook_source",
                source.id,
                before=before,
                after=after,
            )
        return source

    def add_secret(
        self, session: Session, who: ActsForOrganization, source_id: uuid.UUID
    ) -> tuple[WebhookSource, uuid.UUID, str]:
        """Rotation, step one: a new secret, accepted alongside the old ones (B4)."""
        source = self.get_source(session, who, source_id)
        secret_id, secret = self._add_secret(session, source)
        session.flush()
        audit(
            session,
            who,
            "webhook_source.secret_added",
            "webhook_source",
            source.id,
            after={"secret_id": str(secret_id)},
        )
        return source, secret_id, secret

    def delete_secret(
        self,
        session: Session,
        who: ActsForOrganization,
        source_id: uuid.UUID,
        secret_id: uuid.UUID,
    ) -> None:
        """Rotation, last step: the old secret stops verifying at once."""
        source = self.get_source(session, who, source_id)
        values = self.secrets(session, source)
        if str(secret_id) not in values:
            raise NotFoundError("No such secret on this webhook source.")
        if len(values) == 1:
            raise ConflictError("A webhook source keeps at least one secret; add another first.")
        del values[str(secret_id)]
        self._seal(session, source, values)
        source.secret_hints = [h for h in source.secret_hints if h["id"] != str(secret_id)]
        source.updated_at = utcnow()
        session.flush()
        audit(
            session,
            who,
            "webhook_source.secret_deleted",
            "webhook_source",
            source.id,
            before={"secret_id": str(secret_id)},
        )

    def delete_source(
        self, session: Session, who: ActsForOrganization, source_id: uuid.UUID
    ) -> None:
        """Deletes the source and its stored events (deactivate it to keep them)."""
        source = self.get_source(session, who, source_id)
        WebhookSourceRepository(session, who.organization_id).delete(source)
        audit(
            session,
            who,
            "webhook_source.deleted",
            "webhook_source",
            source_id,
            before={"name": source.name},
        )

    # Deliveries
    def _authenticate(
        self, session: Session, delivery: Delivery, now: float
    ) -> tuple[WebhookSource, Signature]:
        try:
            source_id = uuid.UUID((delivery.source or "").strip())
        except ValueError:
            raise AuthenticationError(UNKNOWN_SOURCE) from None
        source = source_for_delivery(session, source_id)
        if source is None or not source.is_active:
            raise AuthenticationError(UNKNOWN_SOURCE)
        set_tenant(session, source.organization_id)
        try:
            signature = parse_header(delivery.signature)
            verify(signature, delivery.body, self.secrets(session, source).values(), now)
        except SignatureError as error:
            logger.warning("webhook.rejected", source_id=str(source.id), reason=str(error))
            raise AuthenticationError(str(error)) from None
        return source, signature

    def receive(
        self, session: Session, delivery: Delivery, now: float
    ) -> tuple[WebhookEvent, bool]:
        """Store an authentic delivery and queue its processing in the caller's transaction;
        (event, False) for a new one, (the earlier event, True) for a replay (B3)."""
        source, signature = self._authenticate(session, delivery, now)
        event_id = (delivery.event_id or "").strip()
        if not _EVENT_ID.match(event_id):
            raise InvalidInputError(
                f"{EVENT_ID_HEADER} must be 1 to 200 visible ASCII characters.",
                [{"field": f"header.{EVENT_ID_HEADER}", "message": "missing or malformed"}],
            )
        digest = content_digest(signature, delivery.body)
        repository = WebhookEventRepository(session, source.organization_id)
        new_event_id = new_id()
        headers = {
            name: delivery.headers[name] for name in KEPT_HEADERS if name in delivery.headers
        }
        values: dict[str, Any] = {
            "id": new_event_id,
            "source_id": source.id,
            "event_id": event_id,
            "content_digest": digest,
            "body": delivery.body,
            "headers": headers,
            "received_at": utcnow(),
            "status": WebhookEventStatus.QUEUED,
        }
        if repository.insert_new(values):
            job_id = enqueue(
                session,
                PROCESS_JOB,
                {"webhook_event_id": str(new_event_id)},
                organization_id=source.organization_id,
                created_by=f"webhook_source:{source.id}",
            )
            event = repository.get(new_event_id)
            assert event is not None
            event.job_id = job_id
            session.flush()
            return event, False
        earlier = repository.earlier(source.id, event_id, digest)
        assert earlier is not None  # the conflict was with a committed row
        return earlier, True

    def replay(
        self, session: Session, who: ActsForOrganization, webhook_event_id: uuid.UUID
    ) -> WebhookEvent:
        """Queue processing of a stored delivery again, from its raw body."""
        repository = WebhookEventRepository(session, who.organization_id)
        event = repository.get(webhook_event_id)
        if event is None:
            raise NotFoundError("No such webhook event.")
        job_id = enqueue(
            session,
            PROCESS_JOB,
            {"webhook_event_id": str(event.id)},
            organization_id=who.organization_id,
            created_by=who.actor.label,
        )
        event.job_id, event.status = job_id, WebhookEventStatus.QUEUED
        session.flush()
        audit(
            session,
            who,
            "webhook_event.replayed",
            "webhook_event",
            event.id,
            after={"job_id": str(job_id)},
        )
        return event
