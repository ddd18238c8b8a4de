"""Job queries. `JobQueue` works across organizations (relay, workers, scheduler);
`JobRepository` is what the API uses, scoped to one organization."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from shelfwise.jobs.models import Job, JobItemError, JobStatus, ScheduleTick
from shelfwise.platform.repository import TenantRepository
from shelfwise.platform.types import UTCDateTime


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class ClaimedJob:
    """What a worker needs of the job it has just taken."""

    id: uuid.UUID
    kind: str
    organization_id: uuid.UUID | None
    arguments: dict[str, Any]
    attempts: int
    progress_done: int
    max_attempts: int


# Workers claim and finish jobs on a bare connection, one statement each, built once with bound
# parameters: no ORM session, no tenant (the job tables have no row-level security) and no
# statement rebuilt per job, which keeps the cost of a job close to its database round trips.
_NOW = bindparam("now", type_=UTCDateTime())
_CLAIM = (
    update(Job)
    .where(Job.id == bindparam("job_id"), Job.status == JobStatus.QUEUED, Job.run_after <= _NOW)
    .values(
        status=JobStatus.RUNNING,
        attempts=Job.attempts + 1,
        started_at=_NOW,
        heartbeat_at=_NOW,
        worker=bindparam("worker"),
        updated_at=_NOW,
    )
    .returning(
        Job.kind,
        Job.organization_id,
        Job.arguments,
        Job.attempts,
        Job.progress_done,
        Job.max_attempts,
    )
)
# The SET clause comes from the parameters: the outcome's columns.
_FINISH = update(Job).where(
    Job.id == bindparam("job_id"),
    Job.status == JobStatus.RUNNING,
    Job.attempts == bindparam("attempt"),
)


def claim_job(
    connection: Connection, job_id: uuid.UUID, worker: str, now: datetime
) -> ClaimedJob | None:
    """Atomically take a queued, due job; None when another delivery got it first."""
    parameters = {"job_id": job_id, "worker": worker, "now": now}
    row = connection.execute(_CLAIM, parameters).one_or_none()
    if row is None:
        return None
    return ClaimedJob(job_id, row[0], row[1], dict(row[2] or {}), row[3], row[4], row[5])


def finish_job(
    connection: Connection, job_id: uuid.UUID, attempt: int, values: dict[str, Any]
) -> bool:
    """Apply `values` only if this attempt still owns the running job."""
    result = connection.execute(_FINISH, {"job_id": job_id, "attempt": attempt, **values})
    return _rowcount(result) == 1


class JobQueue:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, job_id: uuid.UUID) -> Job | None:
        return self.session.get(Job, job_id)

    def claim(self, job_id: uuid.UUID, worker: str, now: datetime) -> ClaimedJob | None:
        """Atomically take a queued, due job; None when another delivery got it first."""
        return claim_job(self.session.connection(), job_id, worker, now)

    def finish(self, job_id: uuid.UUID, attempt: int, values: dict[str, Any]) -> bool:
        """Apply `values` only if this attempt still owns the running job."""
        return finish_job(self.session.connection(), job_id, attempt, values)

    def due_for_dispatch(
        self, now: datetime, limit: int, kinds: Collection[str]
    ) -> list[tuple[uuid.UUID, str]]:
        """Due jobs of the `kinds` this process can send (an older process in a rolling deploy
        leaves new kinds to the processes that know them, instead of choking on them)."""
        statement = (
            select(Job.id, Job.kind)
            .where(
                Job.status == JobStatus.QUEUED,
                Job.dispatched_at.is_(None),
                Job.run_after <= now,
                Job.kind.in_(sorted(kinds)),
            )
            .order_by(Job.run_after, Job.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            # Several relays (web and worker processes) share the outbox without blocking.
            statement = statement.with_for_update(skip_locked=True)
        return [(row[0], row[1]) for row in self.session.execute(statement)]

    def mark_dispatched(self, job_ids: list[uuid.UUID], now: datetime) -> None:
        self.session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.status == JobStatus.QUEUED)
            .values(dispatched_at=now)
            .execution_options(synchronize_session=False)
        )

    def recover_abandoned(self, now: datetime, lease: timedelta) -> int:
        """Running jobs whose worker stopped sending heartbeats go back to the queue (C1)."""
        stale = (
            Job.status == JobStatus.RUNNING,
            Job.heartbeat_at < now - lease,
        )
        dead = self.session.execute(
            update(Job)
            .where(*stale, Job.attempts >= Job.max_attempts)
            .values(
                status=JobStatus.DEAD,
                error="the worker stopped during the last try",
                finished_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        requeued = self.session.execute(
            update(Job)
            .where(*stale)
            .values(status=JobStatus.QUEUED, dispatched_at=None, run_after=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(dead) + _rowcount(requeued)

    def recover_undelivered(self, now: datetime, after: timedelta) -> int:
        """Dispatched long ago and never started: the broker lost the message (C4)."""
        result = self.session.execute(
            update(Job)
            .where(
                Job.status == JobStatus.QUEUED,
                Job.dispatched_at.is_not(None),
                Job.dispatched_at < now - after,
            )
            .values(dispatched_at=None)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result)

    def heartbeat(self, job_ids: list[uuid.UUID], now: datetime) -> None:
        self.session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.status == JobStatus.RUNNING)
            .values(heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )

    def advance(self, job_id: uuid.UUID, attempt: int, done: int, now: datetime) -> bool:
        """Count progress for `attempt` only while it still owns the running job (C1)."""
        result = self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.attempts == attempt)
            .values(progress_done=Job.progress_done + done, heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def set_total(self, job_id: uuid.UUID, total: int) -> None:
        self.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(progress_total=total)
            .execution_options(synchronize_session=False)
        )

    def restart_progress(self, job_id: uuid.UUID, total: int) -> None:
        """Progress from zero out of `total`: for an attempt that starts its work over."""
        self.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(progress_total=total, progress_done=0)
            .execution_options(synchronize_session=False)
        )

    def add_item_error(self, error: JobItemError, *, counted: bool = True) -> None:
        """Record an item error; `counted=False` leaves the job's row alone (the caller adds
        to its count later with `count_item_errors`)."""
        self.session.add(error)
        if counted:
            self.count_item_errors(error.job_id, 1)

    def count_item_errors(self, job_id: uuid.UUID, count: int) -> None:
        self.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(item_error_count=Job.item_error_count + count)
            .execution_options(synchronize_session=False)
        )

    def is_cancel_requested(self, job_id: uuid.UUID) -> bool:
        return bool(self.session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))

    def purge_finished_before(self, before: datetime) -> int:
        result = self.session.execute(
            delete(Job).where(
                Job.status.in_(
                    [JobStatus.SUCCEEDED, JobStatus.CANCELLED, JobStatus.FAILED, JobStatus.DEAD]
                ),
                Job.finished_at < before,
            )
        )
        return _rowcount(result)

    def purge_ticks_before(self, before: datetime) -> int:
        result = self.session.execute(delete(ScheduleTick).where(ScheduleTick.tick_at < before))
        return _rowcount(result)

    def count_by_status(self) -> dict[str, int]:
        rows = self.session.execute(select(Job.status, func.count()).group_by(Job.status))
        return {str(status.value): int(count) for status, count in rows}


class JobRepository(TenantRepository[Job]):
    model = Job

    def page(
        self,
        *,
        statuses: tuple[JobStatus, ...],
        kind: str | None,
        before: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[Job]:
        statement = self.select()
        if statuses:
            statement = statement.where(Job.status.in_(statuses))
        if kind:
            statement = statement.where(Job.kind == kind)
        if before is not None:
            created_at, job_id = before
            statement = statement.where(
                (Job.created_at < created_at) | ((Job.created_at == created_at) & (Job.id < job_id))
            )
        statement = statement.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
        return list(self.session.scalars(statement))

    def item_errors(
        self, job_id: uuid.UUID, after: uuid.UUID | None, limit: int
    ) -> list[JobItemError]:
        statement = self.scoped(select(JobItemError), JobItemError).where(
            JobItemError.job_id == job_id
        )
        if after is not None:
            statement = statement.where(JobItemError.id > after)
        return list(self.session.scalars(statement.order_by(JobItemError.id).limit(limit)))
