"""Declarations: job kinds (`domain.verb`), their handlers, and periodic schedules.

Domain `tasks.py` modules declare their jobs with `@job(...)` and `@periodic(...)`; the
worker imports them through `load_task_modules()` before building the broker.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shelfwise.jobs.context import JobContext

JobHandler = Callable[["JobContext"], dict[str, Any] | None]

# Modules whose import registers jobs; each domain adds its tasks module here.
TASK_MODULES: tuple[str, ...] = (
    "shelfwise.accounts.tasks",
    "shelfwise.analytics.tasks",
    "shelfwise.bridge.tasks",
    "shelfwise.ingest.tasks",
    "shelfwise.intelligence.tasks",
    "shelfwise.intelligence.score_tasks",
    "shelfwise.jobs.tasks",
    "shelfwise.market.tasks",
    "shelfwise.market.notification_tasks",
)


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: JobHandler
    max_attempts: int | None  # None: settings.job_max_attempts
    queue: str


@dataclass(frozen=True)
class Schedule:
    """Fire `job_name` every `every`, or at the times of a five-field cron expression (UTC)."""

    job_name: str
    every: timedelta | None = None
    cron: str | None = None


JOB_KINDS: dict[str, JobKind] = {}
SCHEDULES: dict[str, Schedule] = {}


def job(
    name: str, *, max_attempts: int | None = None, queue: str = "default"
) -> Callable[[JobHandler], JobHandler]:
    """Declare a job kind handled by the decorated function."""
    if name.count(".") != 1:
        raise ValueError(f"job names are domain.verb, not {name!r}")

    def register(handler: JobHandler) -> JobHandler:
        existing = JOB_KINDS.get(name)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"job {name} is declared twice")
        JOB_KINDS[name] = JobKind(name, handler, max_attempts, queue)
        return handler

    return register


def periodic(job_name: str, *, every: timedelta | None = None, cron: str | None = None) -> None:
    """Declare that `job_name` runs on a schedule (declared next to the job)."""
    if (every is None) == (cron is None):
        raise ValueError("a schedule has either `every` or `cron`")
    if every is not None and every < timedelta(seconds=1):
        raise ValueError("schedules run at most once a second")
    SCHEDULES[job_name] = Schedule(job_name, every, cron)


def kind(name: str) -> JobKind:
    found = JOB_KINDS.get(name)
    if found is None:
        raise KeyError(f"no job kind {name!r} is declared")
    return found


def load_task_modules(extra: tuple[str, ...] = ()) -> None:
    for module in (*TASK_MODULES, *extra):
        importlib.import_module(module)
