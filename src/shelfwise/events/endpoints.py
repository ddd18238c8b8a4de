"""Events API: read the organization's event log and replay it to a subscriber."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from shelfwise.accounts.auth import Admin, Context, DbSession, Viewer
from shelfwise.events.registry import SUBSCRIPTIONS
from shelfwise.events.repository import EventRepository
from shelfwise.events.service import replay
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.errors import InvalidInputError
from shelfwise.platform.pagination import clamp_limit

router = APIRouter(prefix="/api", tags=["events"], route_class=JsonRoute)


class EventOut(BaseModel):
    position: int
    id: str
    type: str
    payload: dict[str, object]
    created_at: str


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscriber: str = Field(description="The subscribing job kind, e.g. intelligence.rescore")
    from_position: Annotated[int, Field(ge=0)]
    to_position: Annotated[int, Field(ge=0)] | None = None


class ReplayResult(BaseModel):
    queued: int


@router.get("/events", response_model=list[EventOut], summary="Events after a position")
def list_events(
    principal: Viewer,
    context: Context,
    session: DbSession,
    after: Annotated[int, Query(ge=0)] = 0,
    type: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> list[EventOut]:
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    found = EventRepository(session, principal.organization_id).after(
        after, tuple(type or ()), size
    )
    return [
        EventOut(
            position=e.position,
            id=str(e.id),
            type=e.type,
            payload=e.payload,
            created_at=e.created_at.isoformat(),
        )
        for e in found
    ]


@router.post(
    "/events/replay",
    response_model=ReplayResult,
    summary="Deliver past events to a subscriber again",
)
def replay_events(body: ReplayRequest, principal: Admin, session: DbSession) -> ReplayResult:
    event_types = tuple(sorted(t for t, jobs in SUBSCRIPTIONS.items() if body.subscriber in jobs))
    if not event_types:
        raise InvalidInputError(
            "Unknown subscriber.",
            [{"field": "body.subscriber", "message": "no job subscribes by that name"}],
        )
    queued = replay(
        session,
        body.subscriber,
        from_position=body.from_position,
        to_position=body.to_position,
        event_types=event_types,
        organization_id=principal.organization_id,
    )
    return ReplayResult(queued=queued)
