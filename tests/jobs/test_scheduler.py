"""Periodic jobs: the latest due tick, each tick fired once across schedulers (threads and
processes), and a missed tick after downtime fired once, not once per missed interval."""

import multiprocessing
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from shelfwise.jobs import registry
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.models import Job, JobStatus, ScheduleTick
from shelfwise.jobs.registry import Schedule, job, periodic
from shelfwise.jobs.scheduler import Scheduler, latest_due
from shelfwise.jobs.system import JobSystem
from shelfwise.platform.context import AppContext
from shelfwise.platform.db import Database
from shelfwise.platform.settings import Settings
from shelfwise.platform.types import utcnow
from tests.jobs.conftest import load_job, wait_for

EVERY_MINUTE = "testschedule.every_minute"
NIGHTLY = "testschedule.nightly"
TEST_SCHEDULES = (EVERY_MINUTE, NIGHTLY)
T0 = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)  # a Wednesday, after that day's nightly tick
TICKS = 20  # ticks each racing scheduler tries to fire


@job(EVERY_MINUTE)
def every_minute(context: JobContext) -> dict[str, Any]:
    return {"tick_at": context.arguments["tick_at"]}


@job(NIGHTLY)
def nightly(context: JobContext) -> dict[str, Any]:
    return {"tick_at": context.arguments["tick_at"]}


def declare_test_schedules() -> None:
    """Only the test schedules: the product's own (purge, …) stay out of these ticks."""
    registry.SCHEDULES.clear()
    periodic(EVERY_MINUTE, every=timedelta(minutes=1))
    periodic(NIGHTLY, cron="17 3 * * *")


def _forget_test_ticks(database: Database) -> None:
    with database.unit_of_work() as session:
        session.execute(delete(ScheduleTick).where(ScheduleTick.name.in_(TEST_SCHEDULES)))
        session.execute(delete(Job).where(Job.kind.in_(TEST_SCHEDULES)))


@pytest.fixture
def test_schedules(context: AppContext) -> Iterator[None]:
    saved = dict(registry.SCHEDULES)
    declare_test_schedules()
    _forget_test_ticks(context.database)
    yield
    registry.SCHEDULES.clear()
    registry.SCHEDULES.update(saved)
    _forget_test_ticks(context.database)


def fired_ticks(context: AppContext, name: str) -> list[datetime]:
    with context.database.unit_of_work(write=False) as session:
        statement = (
            select(ScheduleTick.tick_at)
            .where(ScheduleTick.name == name)
            .order_by(ScheduleTick.tick_at)
        )
        return list(session.scalars(statement))


def jobs_per_dedupe_key(context: AppContext, kind: str) -> dict[str, int]:
    with context.database.unit_of_work(write=False) as session:
        keys = session.scalars(select(Job.dedupe_key).where(Job.kind == kind))
        return dict(Counter(str(key) for key in keys))


def dedupe_key(name: str, tick_at: datetime) -> str:
    return f"schedule:{name}:{tick_at.isoformat()}"


def minutes_after_t0(count: int) -> list[datetime]:
    return [T0 + timedelta(minutes=index) for index in range(count)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "now", "expected"),
    [
        pytest.param(
            Schedule("x", every=timedelta(minutes=15)),
            "2030-01-01T10:15:00",
            "2030-01-01T10:15:00",
            id="interval-exactly-on-the-tick",
        ),
        pytest.param(
            Schedule("x", every=timedelta(minutes=15)),
            "2030-01-01T10:14:59.999999",
            "2030-01-01T10:00:00",
            id="interval-just-before-the-tick",
        ),
        pytest.param(
            Schedule("x", every=timedelta(minutes=15)),
            "2030-01-01T10:15:00.000001",
            "2030-01-01T10:15:00",
            id="interval-just-after-the-tick",
        ),
        pytest.param(
            Schedule("x", every=timedelta(minutes=7)),
            "2030-01-01T00:00:00",
            "2029-12-31T23:56:00",
            id="interval-aligned-to-the-unix-epoch",
        ),
        pytest.param(
            Schedule("x", every=timedelta(days=1)),
            "2030-01-01T23:59:59",
            "2030-01-01T00:00:00",
            id="interval-daily-at-midnight-utc",
        ),
        pytest.param(
            Schedule("x", cron="17 3 * * *"),
            "2030-05-01T03:17:00",
            "2030-05-01T03:17:00",
            id="cron-exactly-on-the-tick",
        ),
        pytest.param(
            Schedule("x", cron="17 3 * * *"),
            "2030-05-01T03:16:59.999999",
            "2030-04-30T03:17:00",
            id="cron-a-microsecond-before-the-tick",
        ),
        pytest.param(
            Schedule("x", cron="17 3 * * *"),
            "2030-05-01T03:16:59",
            "2030-04-30T03:17:00",
            id="cron-a-second-before-the-tick",
        ),
        pytest.param(
            Schedule("x", cron="17 3 * * *"),
            "2030-05-01T03:17:59.5",
            "2030-05-01T03:17:00",
            id="cron-within-the-tick-minute",
        ),
        pytest.param(
            Schedule("x", cron="*/5 * * * *"),
            "2030-05-01T03:14:59.5",
            "2030-05-01T03:10:00",
            id="cron-every-five-minutes-just-before",
        ),
        pytest.param(
            Schedule("x", cron="0 9 * * 1"),
            "2030-05-05T12:00:00",
            "2030-04-29T09:00:00",
            id="cron-weekly-on-monday-seen-on-sunday",
        ),
        pytest.param(
            Schedule("x", cron="0 0 1 * *"),
            "2030-02-28T23:59:59.999",
            "2030-02-01T00:00:00",
            id="cron-monthly-just-before-the-first",
        ),
        pytest.param(
            Schedule("x", cron="0 0 1 * *"),
            "2030-03-01T00:00:00",
            "2030-03-01T00:00:00",
            id="cron-monthly-exactly-on-the-first",
        ),
    ],
)
def test_latest_due_is_the_last_tick_at_or_before_now(
    schedule: Schedule, now: str, expected: str
) -> None:
    assert latest_due(schedule, at(now)) == at(expected)


def test_periodic_rejects_ambiguous_or_too_frequent_schedules() -> None:
    saved = dict(registry.SCHEDULES)
    with pytest.raises(ValueError, match="either `every` or `cron`"):
        periodic(EVERY_MINUTE)
    with pytest.raises(ValueError, match="either `every` or `cron`"):
        periodic(EVERY_MINUTE, every=timedelta(minutes=1), cron="* * * * *")
    with pytest.raises(ValueError, match="at most once a second"):
        periodic(EVERY_MINUTE, every=timedelta(milliseconds=500))
    assert dict(registry.SCHEDULES) == saved


def test_a_schedule_fires_once_per_tick(context: AppContext, test_schedules: None) -> None:
    scheduler = Scheduler(context.database)
    assert scheduler.tick(T0) == [EVERY_MINUTE, NIGHTLY]
    assert scheduler.tick(T0) == []
    assert scheduler.tick(T0 + timedelta(seconds=59, microseconds=999999)) == []
    assert scheduler.tick(T0 + timedelta(minutes=1)) == [EVERY_MINUTE]
    assert scheduler.tick(T0 + timedelta(minutes=1, seconds=30)) == []

    assert fired_ticks(context, EVERY_MINUTE) == [T0, T0 + timedelta(minutes=1)]
    assert fired_ticks(context, NIGHTLY) == [at("2030-05-01T03:17:00")]
    assert jobs_per_dedupe_key(context, EVERY_MINUTE) == {
        dedupe_key(EVERY_MINUTE, T0): 1,
        dedupe_key(EVERY_MINUTE, T0 + timedelta(minutes=1)): 1,
    }
    with context.database.unit_of_work(write=False) as session:
        fired = session.scalars(select(Job).where(Job.kind == NIGHTLY)).one()
        assert (fired.status, fired.organization_id, fired.created_by) == (
            JobStatus.QUEUED,
            None,
            "scheduler",
        )
        assert fired.arguments == {"tick_at": "2030-05-01T03:17:00+00:00"}


@pytest.mark.parametrize(
    ("name", "downtime", "expected_ticks"),
    [
        pytest.param(
            EVERY_MINUTE,
            timedelta(minutes=10, seconds=20),
            [T0, T0 + timedelta(minutes=10)],
            id="interval-ten-missed-minutes",
        ),
        pytest.param(
            NIGHTLY,
            timedelta(days=10, hours=1),
            [at("2030-05-01T03:17:00"), at("2030-05-11T03:17:00")],
            id="cron-ten-missed-nights",
        ),
    ],
)
def test_missed_ticks_after_downtime_fire_once_not_once_each(
    context: AppContext,
    test_schedules: None,
    name: str,
    downtime: timedelta,
    expected_ticks: list[datetime],
) -> None:
    scheduler = Scheduler(context.database)
    assert scheduler.tick(T0) == [EVERY_MINUTE, NIGHTLY]
    assert name in scheduler.tick(T0 + downtime)
    assert scheduler.tick(T0 + downtime) == []
    assert fired_ticks(context, name) == expected_ticks
    assert jobs_per_dedupe_key(context, name) == {dedupe_key(name, t): 1 for t in expected_ticks}


def test_a_fired_tick_runs_its_job_once(
    context: AppContext, job_system: JobSystem, test_schedules: None
) -> None:
    now = utcnow()
    due = latest_due(registry.SCHEDULES[EVERY_MINUTE], now)
    assert EVERY_MINUTE in Scheduler(context.database).tick(now)
    with context.database.unit_of_work(write=False) as session:
        job_id = session.scalars(
            select(Job.id).where(Job.dedupe_key == dedupe_key(EVERY_MINUTE, due))
        ).one()
    wait_for(lambda: load_job(context, job_id).status == JobStatus.SUCCEEDED)
    finished = load_job(context, job_id)
    assert (finished.attempts, finished.result) == (1, {"tick_at": due.isoformat()})


def _race(scheduler: Scheduler, barrier: Any, nows: list[datetime]) -> list[str]:
    """Tick at each of `nows` in step with the other scheduler; the names this one fired."""
    fired: list[str] = []
    for now in nows:
        barrier.wait(timeout=60)
        fired += scheduler.tick(now)
    return fired


def assert_each_tick_fired_once(context: AppContext, fired: list[list[str]]) -> None:
    everything = [name for names in fired for name in names]
    assert Counter(everything) == {EVERY_MINUTE: TICKS, NIGHTLY: 1}
    assert fired_ticks(context, EVERY_MINUTE) == minutes_after_t0(TICKS)
    assert fired_ticks(context, NIGHTLY) == [at("2030-05-01T03:17:00")]
    assert jobs_per_dedupe_key(context, EVERY_MINUTE) == {
        dedupe_key(EVERY_MINUTE, t): 1 for t in minutes_after_t0(TICKS)
    }
    assert jobs_per_dedupe_key(context, NIGHTLY) == {
        dedupe_key(NIGHTLY, at("2030-05-01T03:17:00")): 1
    }


def test_two_schedulers_in_threads_fire_each_tick_once(
    context: AppContext, settings: Settings, test_schedules: None
) -> None:
    databases = [Database(settings), Database(settings)]
    barrier = threading.Barrier(len(databases))
    try:
        with ThreadPoolExecutor(len(databases)) as pool:
            racing = [
                pool.submit(_race, Scheduler(database), barrier, minutes_after_t0(TICKS))
                for database in databases
            ]
            fired = [future.result(timeout=120) for future in racing]
    finally:
        for database in databases:
            database.dispose()
    assert_each_tick_fired_once(context, fired)


def _scheduler_process(settings: Settings, barrier: Any, results: Any) -> None:
    """A separate scheduler process (spawned) racing its twin on the same database."""
    declare_test_schedules()
    database = Database(settings)
    try:
        results.put(_race(Scheduler(database), barrier, minutes_after_t0(TICKS)))
    except Exception as error:
        barrier.abort()
        results.put(f"failed: {error!r}")
        raise
    finally:
        database.dispose()


@pytest.mark.slow
def test_two_scheduler_processes_fire_each_tick_once(
    context: AppContext, settings: Settings, test_schedules: None
) -> None:
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(2)
    results = spawn.Queue()
    processes = [
        spawn.Process(target=_scheduler_process, args=(settings, barrier, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    try:
        fired = [results.get(timeout=120) for _ in processes]
    finally:
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
    assert [process.exitcode for process in processes] == [0, 0]
    assert all(isinstance(names, list) for names in fired), fired
    assert_each_tick_fired_once(context, fired)
