"""Job tests: a job system per test on the session database, and the effects table."""

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from shelfwise.jobs.models import Job
from shelfwise.jobs.system import JobSystem
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from tests.jobs import tasks_for_tests
from tests.jobs.tasks_for_tests import EFFECTS_TABLE


@pytest.fixture(scope="session")
def effects_table(settings: Settings) -> None:
    engine = create_engine(settings.resolved_migration_url)
    with engine.begin() as connection:
        tasks_for_tests.create_effects_table(connection)
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(f"GRANT SELECT, INSERT, DELETE ON {EFFECTS_TABLE} TO shelfwise_app")
            )
    engine.dispose()


@pytest.fixture
def job_settings(settings: Settings) -> Settings:
    """Fast retries and leases so drills finish in seconds."""
    return settings.model_copy(
        update={
            "job_backoff_min": timedelta(milliseconds=50),
            "job_backoff_max": timedelta(milliseconds=200),
            "relay_interval": timedelta(milliseconds=100),
        }
    )


@pytest.fixture
def job_system(
    context: AppContext, job_settings: Settings, effects_table: None
) -> Iterator[JobSystem]:
    system = JobSystem(
        context.database,
        job_settings,
        run_workers=True,
        extra_task_modules=("tests.jobs.tasks_for_tests",),
    )
    system.start()
    yield system
    system.stop()


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def load_job(context: AppContext, job_id: uuid.UUID) -> Job:
    with context.database.unit_of_work(write=False) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def effects_of(context: AppContext, job_id: uuid.UUID) -> list[int]:
    with context.database.unit_of_work(write=False) as session:
        rows = session.execute(
            text(f"SELECT item FROM {EFFECTS_TABLE} WHERE job_id = :job ORDER BY item"),
            {"job": str(job_id)},
        )
        return [row[0] for row in rows]
