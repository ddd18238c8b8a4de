"""Recording changes: every create, update and delete by a person or an automation."""

import uuid
from typing import Any, Protocol

import structlog
from sqlalchemy.orm import Session

from shelfwise.audit.models import AuditEntry
from shelfwise.audit.repository import AuditRepository
from shelfwise.platform.actor import Actor


class ActsForOrganization(Protocol):
    @property
    def organization_id(self) -> uuid.UUID: ...

    @property
    def actor(self) -> Actor: ...


def audit(
    session: Session,
    who: ActsForOrganization,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry in the caller's transaction (so it commits with the change)."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    actor = who.actor
    entry = AuditEntry(
        actor_type=actor.kind,
        actor_id=actor.id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        request_id=request_id,
    )
    return AuditRepository(session, who.organization_id).add(entry)
