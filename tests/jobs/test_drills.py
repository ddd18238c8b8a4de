"""Crash and durability drills: worker processes killed with SIGKILL mid-job (C1), a web process
that dies between its commit and its relay (C1, C3), a Redis that loses every message (C4), and
the retry policy read from the stored rows between attempts (C2).

Workers are real processes (`python -m tests.jobs.worker_main`) on the session's database, in
embedded mode (StubBroker inside the worker) and over Redis (a dedicated database, flushed before
and after). Every wait is bounded, and every process a drill starts is killed when it ends.
"""

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dramatiq.brokers.stub import StubBroker
from fastapi.testclient import TestClient
from redis import Redis

from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.relay import Relay
from shelfwise.jobs.runtime import JobRunner
from shelfwise.jobs.service import enqueue
from shelfwise.jobs.system import JobSystem
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from shelfwise.platform.types import utcnow
from tests.factories import Tenant
from tests.jobs.conftest import effects_of, load_job, wait_for
from tests.redis_server import REDIS_URL

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
TEST_TASKS = ("tests.jobs.tasks_for_tests",)
# A Redis database of the drills' own: FLUSHDB there touches nobody else's keys.
DRILL_REDIS_URL = urlsplit(REDIS_URL)._replace(path="/13").geturl()
# A namespace of this run's own: concurrent runs sharing the Redis db never take its messages.
DRILL_NAMESPACE = f"drill{uuid.uuid4().hex[:10]}"
DRAMATIQ_MESSAGES = f"dramatiq:{DRILL_NAMESPACE}-default.msgs"  # messages waiting on the queue
MODES = ["embedded", "redis"]
WORKER_ENV = {
    "SHELFWISE_BROKER_NAMESPACE": DRILL_NAMESPACE,
    "SHELFWISE_LOG_JSON": "false",
    "SHELFWISE_LOG_LEVEL": "WARNING",
    "SHELFWISE_DEMO": "false",
    "SHELFWISE_WORKER_THREADS": "2",
    "SHELFWISE_RELAY_INTERVAL": "0.1",
    "SHELFWISE_JOB_LEASE": "2",  # a killed worker's job is taken back within seconds
    "SHELFWISE_JOB_BACKOFF_MIN": "0.05",
    "SHELFWISE_JOB_BACKOFF_MAX": "0.2",
}
PROCESS_TIMEOUT = 30.0
JOB_TIMEOUT = 90.0

# The web process of the drill: it queues a job, commits, and dies before any relay could send it.
ENQUEUE_THEN_DIE = """
import os, sys, uuid
from shelfwise.jobs import registry
from shelfwise.jobs.service import enqueue
from shelfwise.platform.db import Database
from shelfwise.platform.settings import Settings

registry.load_task_modules(("tests.jobs.tasks_for_tests",))
organization_id = uuid.UUID(sys.argv[1])
database = Database(Settings())
with database.unit_of_work(organization_id=organization_id) as session:
    job_id = enqueue(
        session, "testjobs.process_items", {"count": 1000}, organization_id=organization_id
    )
print(job_id, flush=True)
os._exit(0)
"""


class Workers:
    """The worker processes of one drill, with their logs (shown when a wait times out)."""

    def __init__(self, settings: Settings, log_dir: Path) -> None:
        self.settings = settings
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def environment(self, broker_url: str | None, **overrides: str) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHELFWISE_")}
        database = {
            "SHELFWISE_DATA_DIR": str(self.settings.data_dir),
            "SHELFWISE_DATABASE_URL": self.settings.resolved_database_url,
        }
        broker = {"SHELFWISE_BROKER_URL": broker_url} if broker_url else {}
        return inherited | WORKER_ENV | database | broker | overrides

    def start(self, broker_url: str | None, **overrides: str) -> subprocess.Popen[bytes]:
        log_path = self.log_dir / f"worker-{len(self.processes) + 1}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.jobs.worker_main"],
                cwd=ROOT,
                env=self.environment(broker_url, **overrides),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("worker-*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def wait(self, predicate: Callable[[], bool], timeout: float = JOB_TIMEOUT) -> None:
        try:
            wait_for(predicate, timeout)
        except AssertionError as error:
            raise AssertionError(f"condition not reached in {timeout} s\n{self.logs()}") from error

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=PROCESS_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=PROCESS_TIMEOUT)


@pytest.fixture
def workers(settings: Settings, tmp_path: Path, effects_table: None) -> Iterator[Workers]:
    value = Workers(settings, tmp_path)
    try:
        yield value
    finally:
        value.stop_all()


@pytest.fixture
def drill_redis() -> Iterator[Redis]:
    client = Redis.from_url(DRILL_REDIS_URL)
    forget_messages(client)
    try:
        yield client
    finally:
        forget_messages(client)
        client.close()


def drill_keys(client: Redis) -> list[bytes]:
    return list(client.scan_iter(match=f"dramatiq:{DRILL_NAMESPACE}-*"))


def forget_messages(client: Redis) -> None:
    """What a Redis restart without persistence does to this installation's messages."""
    keys = drill_keys(client)
    if keys:
        client.delete(*keys)


@pytest.fixture(params=MODES)
def broker_url(request: pytest.FixtureRequest) -> str | None:
    """Embedded (no broker URL) or Redis. Drills list it before `workers`, so Redis is flushed
    after their workers have stopped."""
    if request.param == "embedded":
        return None
    request.getfixturevalue("drill_redis")
    return DRILL_REDIS_URL


def enqueue_items(context: AppContext, tenant: Tenant, **arguments: object) -> uuid.UUID:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session, "testjobs.process_items", arguments, organization_id=tenant.organization_id
        )
    assert job_id is not None
    return job_id


def status_of(context: AppContext, job_id: uuid.UUID) -> JobStatus:
    return load_job(context, job_id).status


def test_c1_a_worker_killed_mid_job_loses_nothing_and_repeats_nothing(
    context: AppContext, tenant: Tenant, broker_url: str | None, workers: Workers
) -> None:
    job_id = enqueue_items(context, tenant, count=1000, pause_per_batch=0.25)
    first = workers.start(broker_url)
    workers.wait(lambda: 0 < load_job(context, job_id).progress_done < 1000)

    first.kill()  # SIGKILL: no clean-up, no final status, an open transaction lost
    first.wait(timeout=PROCESS_TIMEOUT)
    killed = load_job(context, job_id)
    assert (killed.status, killed.attempts) == (JobStatus.RUNNING, 1)
    assert 0 < killed.progress_done < 1000
    # Only whole batches committed, each with its progress: the interrupted one left nothing.
    assert effects_of(context, job_id) == list(range(killed.progress_done))

    workers.start(broker_url)
    workers.wait(lambda: status_of(context, job_id) == JobStatus.SUCCEEDED)
    job = load_job(context, job_id)
    assert (job.attempts, job.progress_done, job.progress_total) == (2, 1000, 1000)
    assert job.result == {"processed": 1000}
    assert effects_of(context, job_id) == list(range(1000))  # every item exactly once


def test_c1_a_job_committed_by_a_web_process_that_died_before_relaying_runs_once(
    context: AppContext, tenant: Tenant, broker_url: str | None, workers: Workers
) -> None:
    web = subprocess.run(
        [sys.executable, "-c", ENQUEUE_THEN_DIE, str(tenant.organization_id)],
        cwd=ROOT,
        env=workers.environment(broker_url),
        capture_output=True,
        timeout=PROCESS_TIMEOUT,
        check=False,
    )
    assert web.returncode == 0, web.stderr.decode(errors="replace")
    job_id = uuid.UUID(web.stdout.decode().split()[-1])
    orphan = load_job(context, job_id)
    assert (orphan.status, orphan.dispatched_at, orphan.attempts) == (JobStatus.QUEUED, None, 0)

    workers.start(broker_url)  # its relay's scan finds the committed job nobody sent
    workers.wait(lambda: status_of(context, job_id) == JobStatus.SUCCEEDED)
    job = load_job(context, job_id)
    assert (job.attempts, job.progress_done, job.result) == (1, 1000, {"processed": 1000})
    assert effects_of(context, job_id) == list(range(1000))


def test_c4_jobs_whose_redis_messages_were_lost_still_run_exactly_once(
    context: AppContext, tenant: Tenant, drill_redis: Redis, workers: Workers
) -> None:
    job_ids = [enqueue_items(context, tenant, count=200) for _ in range(3)]
    # The web process's relay sends them to Redis while no worker runs.
    web_settings = context.settings.model_copy(
        update={"broker_url": DRILL_REDIS_URL, "broker_namespace": DRILL_NAMESPACE}
    )
    web = JobSystem(
        context.database, web_settings, run_workers=False, extra_task_modules=TEST_TASKS
    )
    try:
        assert web.relay.drain() >= len(job_ids)
    finally:
        web.broker.close()
    for job_id in job_ids:
        sent = load_job(context, job_id)
        assert (sent.status, sent.attempts) == (JobStatus.QUEUED, 0)
        assert sent.dispatched_at is not None
    assert drill_redis.hlen(DRAMATIQ_MESSAGES) >= len(job_ids)

    forget_messages(drill_redis)  # Redis restarted without persistence: every message is gone
    assert drill_keys(drill_redis) == []

    workers.start(DRILL_REDIS_URL, SHELFWISE_JOB_REDELIVERY_AFTER="1")
    workers.wait(
        lambda: all(status_of(context, job_id) == JobStatus.SUCCEEDED for job_id in job_ids)
    )
    for job_id in job_ids:
        assert load_job(context, job_id).attempts == 1
        assert effects_of(context, job_id) == list(range(200))


def listed_ids(client: TestClient, tenant: Tenant, status: str) -> list[str]:
    response = client.get("/api/jobs", params={"status": status}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _execute_when_due(runner: JobRunner, context: AppContext, job_id: uuid.UUID) -> Job:
    """Deliver the job once it is due (as the relay would), then read the row it left."""
    wait_for(lambda: load_job(context, job_id).run_after <= utcnow(), timeout=10)
    runner.execute(str(job_id))
    return load_job(context, job_id)


def test_c2_transient_errors_back_off_within_a_doubling_capped_ceiling_then_the_job_is_dead(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    policy = context.settings.model_copy(
        update={
            "job_backoff_min": timedelta(milliseconds=100),
            "job_backoff_max": timedelta(milliseconds=300),
        }
    )
    runner = JobRunner(context.database, policy)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session,
            "testjobs.always_transient",
            organization_id=tenant.organization_id,
            max_attempts=5,
        )
    assert job_id is not None

    # Full jitter: each delay is drawn in [0, ceiling]; the ceiling doubles from
    # job_backoff_min and stops at job_backoff_max.
    ceilings = [0.1, 0.2, 0.3, 0.3]
    previous_run_after = load_job(context, job_id).run_after
    for attempt, ceiling in enumerate(ceilings, start=1):
        job = _execute_when_due(runner, context, job_id)
        assert (job.status, job.attempts, job.dispatched_at, job.finished_at) == (
            JobStatus.QUEUED,
            attempt,
            None,
            None,
        )
        assert job.error == "TransientJobError: vendor answered 503"
        delay = job.run_after - job.updated_at  # both written by the same retry decision
        assert timedelta(0) <= delay <= timedelta(seconds=ceiling)
        assert job.run_after > previous_run_after
        previous_run_after = job.run_after

    job = _execute_when_due(runner, context, job_id)
    assert (job.status, job.attempts, job.max_attempts) == (JobStatus.DEAD, 5, 5)
    assert job.error == "TransientJobError: vendor answered 503"
    assert job.run_after == previous_run_after  # no further try is scheduled
    assert job.finished_at is not None

    runner.execute(str(job_id))  # a late duplicate delivery of a dead job is dropped
    assert load_job(context, job_id).attempts == 5

    dead = client.get("/api/jobs", params={"status": "dead"}, headers=tenant.headers)
    assert dead.status_code == 200
    assert [(j["id"], j["status"], j["attempts"], j["error"]) for j in dead.json()["items"]] == [
        (str(job_id), "dead", 5, "TransientJobError: vendor answered 503")
    ]


def test_c2_a_permanent_error_fails_after_one_attempt_and_is_not_dead_lettered(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    runner = JobRunner(context.database, context.settings)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session, "testjobs.always_permanent", organization_id=tenant.organization_id
        )
    assert job_id is not None
    queued_run_after = load_job(context, job_id).run_after

    job = _execute_when_due(runner, context, job_id)
    assert (job.status, job.attempts, job.run_after) == (JobStatus.FAILED, 1, queued_run_after)
    assert job.error == "PermanentJobError: the seller revoked the grant"
    runner.execute(str(job_id))  # a duplicate delivery does not try again
    assert load_job(context, job_id).attempts == 1

    assert listed_ids(client, tenant, "dead") == []
    assert listed_ids(client, tenant, "failed") == [str(job_id)]


def test_c1_an_attempt_that_outlived_its_lease_cannot_commit_work_its_successor_owns(
    context: AppContext, tenant: Tenant, effects_table: None
) -> None:
    """A worker that stalls (GC pause, SIGSTOP, a frozen VM) sends no heartbeats; its job is
    requeued and run by another worker. When the stalled attempt wakes up, its next batch must
    not commit: the newer attempt does those items."""
    policy = context.settings.model_copy(update={"job_lease": timedelta(milliseconds=300)})
    stalled, successor = JobRunner(context.database, policy), JobRunner(context.database, policy)
    relay = Relay(context.database, policy, StubBroker())  # only its recovery scan is used
    job_id = enqueue_items(context, tenant, count=100, pause_per_batch=3.0)
    threads = [threading.Thread(target=stalled.execute, args=(str(job_id),))]
    threads[0].start()  # runs with no heartbeat thread: a stalled worker
    try:
        wait_for(lambda: load_job(context, job_id).progress_done == 50)
        # The lease runs out during the stalled attempt's pause: the job goes back to the queue.
        wait_for(lambda: relay.recover() >= 0 and status_of(context, job_id) == JobStatus.QUEUED)
        threads.append(threading.Thread(target=successor.execute, args=(str(job_id),)))
        threads[1].start()
    finally:
        for thread in threads:
            thread.join(timeout=JOB_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    job = load_job(context, job_id)
    assert (job.status, job.attempts, job.progress_done) == (JobStatus.SUCCEEDED, 2, 100)
    assert effects_of(context, job_id) == list(range(100))


def test_c2_a_job_whose_worker_stopped_during_its_last_try_is_dead(
    context: AppContext, client: TestClient, tenant: Tenant, effects_table: None
) -> None:
    policy = context.settings.model_copy(update={"job_lease": timedelta(milliseconds=300)})
    relay = Relay(context.database, policy, StubBroker())
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session,
            "testjobs.process_items",
            {"count": 100, "pause_per_batch": 3.0},
            organization_id=tenant.organization_id,
            max_attempts=1,
        )
    assert job_id is not None
    last_try = threading.Thread(
        target=JobRunner(context.database, policy).execute, args=(str(job_id),)
    )
    last_try.start()  # no heartbeats: to the relay, this worker has stopped
    try:
        wait_for(lambda: load_job(context, job_id).progress_done == 50)
        wait_for(lambda: relay.recover() >= 0 and status_of(context, job_id) == JobStatus.DEAD)
    finally:
        last_try.join(timeout=JOB_TIMEOUT)
    job = load_job(context, job_id)
    assert (job.status, job.attempts, job.progress_done) == (JobStatus.DEAD, 1, 50)
    assert job.error == "the worker stopped during the last try"
    assert effects_of(context, job_id) == list(range(50))
    assert listed_ids(client, tenant, "dead") == [str(job_id)]
