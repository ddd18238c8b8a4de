"""Event log queries."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfwise.events.models import Event
from shelfwise.platform.repository import TenantRepository


class EventRepository(TenantRepository[Event]):
    model = Event

    def after(self, position: int, event_types: tuple[str, ...], limit: int) -> list[Event]:
        statement = self.select().where(Event.position > position)
        if event_types:
            statement = statement.where(Event.type.in_(event_types))
        return list(self.session.scalars(statement.order_by(Event.position).limit(limit)))

    def latest(self, event_types: tuple[str, ...], limit: int) -> list[Event]:
        """The newest events of these types, newest first."""
        statement = self.select().where(Event.type.in_(event_types))
        return list(self.session.scalars(statement.order_by(Event.position.desc()).limit(limit)))


class EventLog:
    """Cross-organization reads for replays run by an operator."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, event: Event) -> Event:
        self.session.add(event)
        self.session.flush()
        return event

    def range(
        self,
        first: int,
        last: int | None,
        event_types: tuple[str, ...],
        organization_id: uuid.UUID | None,
        limit: int,
    ) -> list[Event]:
        statement = select(Event).where(Event.position >= first)
        if last is not None:
            statement = statement.where(Event.position <= last)
        if event_types:
            statement = statement.where(Event.type.in_(event_types))
        if organization_id is not None:
            statement = EventRepository(self.session, organization_id).scoped(statement)
        return list(self.session.scalars(statement.order_by(Event.position).limit(limit)))
