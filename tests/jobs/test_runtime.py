"""Jobs through the embedded broker: outbox, relay, worker, outcome."""

import uuid

import psycopg
import pytest
from sqlalchemy import make_url

from shelfwise.jobs.models import JobStatus
from shelfwise.jobs.service import enqueue
from shelfwise.jobs.system import JobSystem
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from tests.databases import ADMIN_URL, APP_ROLE
from tests.factories import Tenant
from tests.jobs.conftest import effects_of, load_job, wait_for


def _enqueue(context: AppContext, tenant: Tenant, kind: str, **arguments: object) -> uuid.UUID:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(session, kind, dict(arguments), organization_id=tenant.organization_id)
    assert job_id is not None
    return job_id


def test_a_job_runs_once_with_progress_and_item_errors(
    context: AppContext, job_system: JobSystem, tenant: Tenant
) -> None:
    job_id = _enqueue(context, tenant, "testjobs.process_items", count=120, bad_items=[3, 77])
    wait_for(lambda: load_job(context, job_id).status == JobStatus.SUCCEEDED)
    job = load_job(context, job_id)
    assert (job.progress_done, job.progress_total, job.item_error_count) == (120, 120, 2)
    assert job.result == {"processed": 120}
    assert job.attempts == 1
    assert effects_of(context, job_id) == list(range(120))


def test_c3_a_job_queued_in_a_rolled_back_transaction_never_runs(
    context: AppContext, job_system: JobSystem, tenant: Tenant
) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), context.database.unit_of_work() as session:
        rolled_back = enqueue(session, "testjobs.noop", organization_id=tenant.organization_id)
        raise Abort
    marker = _enqueue(context, tenant, "testjobs.noop")
    wait_for(lambda: load_job(context, marker).status == JobStatus.SUCCEEDED)
    with context.database.unit_of_work(write=False) as session:
        from shelfwise.jobs.models import Job

        assert session.get(Job, rolled_back) is None


def test_c2_transient_errors_retry_then_the_job_is_dead(
    context: AppContext, job_system: JobSystem, tenant: Tenant
) -> None:
    job_id = _enqueue(context, tenant, "testjobs.always_transient")
    wait_for(lambda: load_job(context, job_id).status == JobStatus.DEAD)
    job = load_job(context, job_id)
    assert job.attempts == 3
    assert job.error == "TransientJobError: vendor answered 503"


def test_c2_permanent_errors_fail_at_once(
    context: AppContext, job_system: JobSystem, tenant: Tenant
) -> None:
    job_id = _enqueue(context, tenant, "testjobs.always_permanent")
    wait_for(lambda: load_job(context, job_id).status == JobStatus.FAILED)
    job = load_job(context, job_id)
    assert job.attempts == 1
    assert job.error == "PermanentJobError: the seller revoked the grant"


def _close_application_connections(settings: Settings) -> int:
    """What a database restart does to a worker's pooled connections."""
    name = make_url(settings.resolved_database_url).database
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND usename = %s",
            (name, APP_ROLE),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_h3_a_worker_runs_jobs_after_the_database_closed_its_connections(
    backend: str, context: AppContext, job_system: JobSystem, tenant: Tenant
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no server to close connections")
    first = _enqueue(context, tenant, "testjobs.noop")
    wait_for(lambda: load_job(context, first).status == JobStatus.SUCCEEDED)
    assert job_system.runner.bookkeeping is not None  # its claims skip the pool's ping
    assert _close_application_connections(job_system.settings) >= 1

    second = _enqueue(context, tenant, "testjobs.noop")
    wait_for(lambda: load_job(context, second).status == JobStatus.SUCCEEDED)
    finished = load_job(context, second)
    assert (finished.attempts, finished.result) == (1, {"ok": True})
