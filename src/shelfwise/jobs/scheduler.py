"""Firing periodic jobs: each tick exactly once across schedulers, missed ticks once, not N times.

Only the latest due tick of each schedule is considered, and the tick row's primary key decides
which scheduler fires it; the job is queued in the same transaction as the tick row.
"""

import threading
from datetime import UTC, datetime, timedelta

from cronsim import CronSim

from shelfwise.jobs import registry
from shelfwise.jobs.models import ScheduleTick
from shelfwise.jobs.service import enqueue
from shelfwise.platform.db import Database, dialect_insert
from shelfwise.platform.logging import get_logger
from shelfwise.platform.types import utcnow

logger = get_logger(__name__)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def latest_due(schedule: registry.Schedule, now: datetime) -> datetime:
    """The most recent tick at or before `now`."""
    if schedule.every is not None:
        periods = (now - EPOCH) // schedule.every
        return EPOCH + periods * schedule.every
    assert schedule.cron is not None
    # CronSim's reverse iteration is strictly before a whole-second start (but includes the
    # truncated second when the start has microseconds), so start one second after `now`'s.
    start = now.replace(microsecond=0) + timedelta(seconds=1)
    due: datetime = next(CronSim(schedule.cron, start, reverse=True))
    return due.astimezone(UTC)


class Scheduler:
    def __init__(self, database: Database) -> None:
        self.database = database

    def tick(self, now: datetime | None = None) -> list[str]:
        """Fire every schedule whose latest tick has not fired; returns the fired job names."""
        moment = now or utcnow()
        fired = []
        for name, schedule in sorted(registry.SCHEDULES.items()):
            due = latest_due(schedule, moment)
            with self.database.unit_of_work() as session:
                inserted = session.execute(
                    dialect_insert(session, ScheduleTick)
                    .values(name=name, tick_at=due, fired_at=moment)
                    .on_conflict_do_nothing(index_elements=["name", "tick_at"])
                    .returning(ScheduleTick.name)
                )
                # RETURNING, not rowcount: psycopg reports -1 for ORM-executed INSERTs.
                if inserted.first() is None:
                    continue
                enqueue(
                    session,
                    schedule.job_name,
                    {"tick_at": due.isoformat()},
                    organization_id=None,
                    created_by="scheduler",
                    dedupe_key=f"schedule:{name}:{due.isoformat()}",
                )
            fired.append(name)
            logger.info("scheduler.fired", job=name, tick_at=due.isoformat())
        return fired

    def run_forever(self, stop: threading.Event, interval: float = 1.0) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                logger.warning("scheduler.failed", exc_info=True)
            stop.wait(interval)
