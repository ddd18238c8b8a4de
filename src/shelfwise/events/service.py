"""Publishing events with the change that caused them, and replaying them.

Deliveries are fanned out when the event is written: one job per subscriber, in the same
transaction, deduplicated per (subscriber, event). That gives at-least-once delivery without a
cursor racing concurrent commits. A replay queues the events again under a new replay id.
"""

import uuid
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.events.models import Event
from shelfwise.events.registry import subscribers_of
from shelfwise.events.repository import EventLog
from shelfwise.jobs.service import enqueue

REPLAY_BATCH = 500


def delivery_arguments(event: Event) -> dict[str, Any]:
    return {
        "event_id": str(event.id),
        "position": event.position,
        "type": event.type,
        "payload": event.payload,
    }


def publish(
    session: Session, organization_id: uuid.UUID | None, event_type: str, payload: dict[str, Any]
) -> Event:
    """Record `event_type` in the caller's transaction and queue its deliveries."""
    event = EventLog(session).add(
        Event(organization_id=organization_id, type=event_type, payload=payload)
    )
    for job_name in subscribers_of(event_type):
        enqueue(
            session,
            job_name,
            delivery_arguments(event),
            organization_id=organization_id,
            created_by=f"event:{event_type}",
            dedupe_key=f"event:{job_name}:{event.id}",
        )
    return event


def replay(
    session: Session,
    job_name: str,
    *,
    from_position: int,
    to_position: int | None = None,
    event_types: tuple[str, ...] = (),
    organization_id: uuid.UUID | None = None,
) -> int:
    """Deliver the events in [from_position, to_position] to `job_name` again."""
    replay_id = uuid.uuid4().hex[:12]
    log = EventLog(session)
    position, queued = from_position, 0
    while True:
        events = log.range(position, to_position, event_types, organization_id, REPLAY_BATCH)
        for event in events:
            enqueue(
                session,
                job_name,
                delivery_arguments(event),
                organization_id=event.organization_id,
                created_by=f"replay:{replay_id}",
                dedupe_key=f"event:{job_name}:{event.id}:replay:{replay_id}",
            )
            queued += 1
        if len(events) < REPLAY_BATCH:
            return queued
        position = events[-1].position + 1
