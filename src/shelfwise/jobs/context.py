"""What a running job handler sees: its arguments, its tenant, and progress that commits with
the work it describes (so a job killed mid-way resumes after the last committed item)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.jobs.errors import JobCancelled, JobLeaseLost
from shelfwise.jobs.models import JobItemError
from shelfwise.jobs.repository import JobQueue
from shelfwise.platform.actor import Actor
from shelfwise.platform.db import Database
from shelfwise.platform.settings import Settings
from shelfwise.platform.types import utcnow


@dataclass
class JobContext:
    job_id: uuid.UUID
    kind: str
    organization_id: uuid.UUID | None
    arguments: dict[str, Any]
    attempt: int
    progress_done: int  # items already committed by earlier attempts: resume from here
    database: Database
    settings: Settings

    @property
    def actor(self) -> Actor:
        return Actor("automation", self.kind)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction in the job's organization; progress recorded in it commits with it."""
        with self.database.unit_of_work(organization_id=self.organization_id) as session:
            yield session

    def advance(self, session: Session, items: int = 1) -> None:
        """Count `items` as done in the caller's transaction, and honour a cancellation."""
        queue = JobQueue(session)
        if queue.is_cancel_requested(self.job_id):
            raise JobCancelled(f"job {self.job_id} was cancelled")
        if not queue.advance(self.job_id, self.attempt, items, utcnow()):
            # Our lease ran out (a stall) and a newer attempt owns the job: commit nothing.
            raise JobLeaseLost(f"job {self.job_id} is no longer run by attempt {self.attempt}")
        self.progress_done += items

    def advance_apart(self, items: int) -> None:
        """`advance` in a transaction of its own: the progress of work that commits as one
        transaction at its end, shown while it runs (and started over by `restart_progress`
        when a new attempt does the work again)."""
        with self.database.unit_of_work() as session:
            self.advance(session, items)

    def item_error(
        self,
        session: Session,
        item: str,
        message: str,
        field: str | None = None,
        *,
        counted: bool = True,
    ) -> None:
        """Record one item that could not be processed (the job goes on). `counted=False`
        leaves the job's row unlocked, for work whose progress commits apart from it: the
        caller then adds the errors to the job's count with `count_item_errors`."""
        JobQueue(session).add_item_error(
            JobItemError(
                job_id=self.job_id,
                organization_id=self.organization_id,
                item=item[:200],
                field=field[:200] if field else None,
                message=message[:1000],
            ),
            counted=counted,
        )

    def count_item_errors(self, session: Session, count: int) -> None:
        if count:
            JobQueue(session).count_item_errors(self.job_id, count)

    def set_total(self, total: int) -> None:
        with self.database.unit_of_work() as session:
            JobQueue(session).set_total(self.job_id, total)

    def restart_progress(self, total: int) -> None:
        """Progress back to zero out of `total`, for an attempt that does the work over."""
        with self.database.unit_of_work() as session:
            JobQueue(session).restart_progress(self.job_id, total)
        self.progress_done = 0

    def check_cancelled(self) -> None:
        with self.database.unit_of_work(write=False) as session:
            if JobQueue(session).is_cancel_requested(self.job_id):
                raise JobCancelled(f"job {self.job_id} was cancelled")
