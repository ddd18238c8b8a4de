"""Running one delivered job: claim it, run its handler, record the outcome.

A delivery that cannot claim the job (already running, finished, cancelled, or not yet due) is
dropped: duplicates from the relay or the broker are harmless. Retries are scheduled in the
database (status queued, `run_after` in the future), not in the broker, so losing the broker
loses no retry (C4), and the retry policy lives with the queue, not in the handler (C2).
"""

import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.exc import DBAPIError

from shelfwise.jobs import registry
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import (
    JobCancelled,
    JobGone,
    JobLeaseLost,
    PermanentJobError,
    TransientJobError,
)
from shelfwise.jobs.models import JobStatus
from shelfwise.jobs.repository import JobQueue, claim_job, finish_job
from shelfwise.platform.db import Database
from shelfwise.platform.logging import get_logger
from shelfwise.platform.settings import Settings
from shelfwise.platform.types import load_json, utcnow

logger = get_logger(__name__)
T = TypeVar("T")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def retry_delay(settings: Settings, attempt: int, defer_seconds: float | None) -> timedelta:
    """Exponential backoff with full jitter, never sooner than the error asked for."""
    ceiling = min(
        settings.job_backoff_max.total_seconds(),
        settings.job_backoff_min.total_seconds() * 2 ** max(0, attempt - 1),
    )
    delay = random.uniform(0, ceiling)  # noqa: S311 - jitter, not security
    return timedelta(seconds=max(delay, defer_seconds or 0.0))


def bookkeeping_engine(database: Database, settings: Settings) -> Engine | None:
    """On PostgreSQL, connections for claims and outcomes that commit without waiting for the
    disk (`synchronous_commit=off`); None on SQLite. See `JobRunner._statement` for why."""
    if database.is_sqlite:
        return None
    return create_engine(
        database.url,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c synchronous_commit=off"},
        pool_size=settings.worker_threads,
        max_overflow=settings.worker_threads,
        json_deserializer=load_json,
    )


class JobRunner:
    """Executes deliveries in this process and keeps heartbeats for the jobs it runs."""

    def __init__(
        self, database: Database, settings: Settings, bookkeeping: Engine | None = None
    ) -> None:
        self.database = database
        self.settings = settings
        self.bookkeeping = bookkeeping
        self.worker = worker_name()
        self._running: set[uuid.UUID] = set()
        self._lock = threading.Lock()

    def _statement(self, action: Callable[[Connection], T], *, durable: bool = False) -> T:
        """Run one claim or outcome statement, `action`, committed when it returns.

        On PostgreSQL it autocommits (one statement is atomic on its own). With a `bookkeeping`
        engine it also commits asynchronously, unless `durable`: a database crash may then
        forget the last moments of claims and outcomes, which the queue already survives. A
        forgotten claim is a job delivered again (and any later commit of the handler, the WAL
        being sequential, makes the claim durable first); a forgotten outcome is a running job
        whose lease runs out, so it runs again from its committed progress (handlers are
        idempotent, C2). Only the last attempt's outcome is `durable`: expiring its lease would
        make it dead. SQLite takes its write lock in a transaction.
        """
        if self.bookkeeping is None or durable:
            if self.database.is_sqlite:
                with self.database.engine.begin() as connection:
                    return action(connection)
            with self.database.engine.connect() as connection:
                return action(connection.execution_options(isolation_level="AUTOCOMMIT"))
        try:
            with self.bookkeeping.connect() as connection:
                return action(connection)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        # The bookkeeping pool does not ping (two round trips a job): a connection the server
        # closed (a restart) fails once, and the statement goes again on a new one. Repeating
        # is safe: both statements only apply to the attempt that still owns the job.
        with self.bookkeeping.connect() as connection:
            return action(connection)

    def close(self) -> None:
        if self.bookkeeping is not None:
            self.bookkeeping.dispose()

    def running_jobs(self) -> list[uuid.UUID]:
        with self._lock:
            return list(self._running)

    def execute(self, job_id_text: str) -> None:
        job_id = uuid.UUID(job_id_text)
        job = self._statement(
            lambda connection: claim_job(connection, job_id, self.worker, utcnow())
        )
        if job is None:
            return
        context = JobContext(
            job_id=job.id,
            kind=job.kind,
            organization_id=job.organization_id,
            arguments=job.arguments,
            attempt=job.attempts,
            progress_done=job.progress_done,
            database=self.database,
            settings=self.settings,
        )
        max_attempts = job.max_attempts
        with self._lock:
            self._running.add(job_id)
        log = logger.bind(job_id=str(job_id), job_kind=context.kind, attempt=context.attempt)
        try:
            self._run(context, max_attempts, log)
        finally:
            with self._lock:
                self._running.discard(job_id)

    def _run(self, context: JobContext, max_attempts: int, log: Any) -> None:
        final = context.attempt >= max_attempts
        declared = registry.JOB_KINDS.get(context.kind)
        if declared is None:
            self._finish(
                context, JobStatus.FAILED, durable=final, error=f"no job kind {context.kind!r} here"
            )
            log.error("job.unknown_kind")
            return
        try:
            result = declared.handler(context)
        except JobCancelled:
            self._finish(context, JobStatus.CANCELLED, durable=final, error="cancelled by request")
            log.info("job.cancelled")
        except JobLeaseLost:
            log.warning("job.lease_lost")  # the newer attempt records the outcome
        except (PermanentJobError, JobGone) as error:
            self._finish(
                context, JobStatus.FAILED, durable=final, error=f"{type(error).__name__}: {error}"
            )
            log.warning("job.failed", error=str(error))
        except Exception as error:
            defer = error.defer_seconds if isinstance(error, TransientJobError) else None
            message = f"{type(error).__name__}: {error}"
            if context.attempt >= max_attempts:
                self._finish(context, JobStatus.DEAD, durable=final, error=message)
                log.error("job.dead", error=message, exc_info=True)
            elif self._cancel_requested(context):  # cancelled while this attempt ran
                self._finish(
                    context, JobStatus.CANCELLED, durable=final, error="cancelled by request"
                )
                log.info("job.cancelled", error=message)
            else:
                delay = retry_delay(self.settings, context.attempt, defer)
                self._retry_later(context, message, delay)
                log.warning("job.retry", error=message, delay_s=round(delay.total_seconds(), 2))
        else:
            self._finish(context, JobStatus.SUCCEEDED, durable=final, result=result)
            log.info("job.succeeded")

    def _finish(
        self,
        context: JobContext,
        status: JobStatus,
        *,
        durable: bool,
        error: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> None:
        now = utcnow()
        values: dict[str, Any] = {"status": status, "finished_at": now, "updated_at": now}
        if error is not None:
            values["error"] = error[:4000]
        if result is not None:
            values["result"] = result
        self._statement(
            lambda connection: finish_job(connection, context.job_id, context.attempt, values),
            durable=durable,
        )

    def _cancel_requested(self, context: JobContext) -> bool:
        with self.database.unit_of_work(write=False) as session:
            return JobQueue(session).is_cancel_requested(context.job_id)

    def _retry_later(self, context: JobContext, error: str, delay: timedelta) -> None:
        now = utcnow()
        values = {
            "status": JobStatus.QUEUED,
            "error": error[:4000],
            "run_after": now + delay,
            "dispatched_at": None,
            "updated_at": now,
        }
        self._statement(
            lambda connection: finish_job(connection, context.job_id, context.attempt, values)
        )

    def send_heartbeats(self) -> None:
        running = self.running_jobs()
        if running:
            with self.database.unit_of_work() as session:
                JobQueue(session).heartbeat(running, utcnow())
