"""Jobs through the embedded broker: outbox, relay, worker, outcome."""

import uuid

import pytest

from shelfwise.jobs.models import JobStatus
from shelfwise.jobs.service import enqueue
from shelfwise.jobs.system import JobSystem
from shelfwise.platform.context import AppContext
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
