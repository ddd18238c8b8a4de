"""Jobs through RabbitMQ (the scale-out broker besides Redis), on this machine's server."""

import uuid
from collections.abc import Iterator

import pika
import pytest

from shelfwise.jobs.broker import queue_name
from shelfwise.jobs.models import JobStatus
from shelfwise.jobs.service import enqueue
from shelfwise.jobs.system import JobSystem
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from tests.factories import Tenant
from tests.jobs.conftest import effects_of, load_job, wait_for

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@pytest.fixture
def rabbitmq_system(
    context: AppContext, job_settings: Settings, effects_table: None
) -> Iterator[JobSystem]:
    # A namespace of this test's own: its queues are new and nobody else consumes them.
    settings = job_settings.model_copy(
        update={"broker_url": RABBITMQ_URL, "broker_namespace": f"t{uuid.uuid4().hex[:12]}"}
    )
    system = JobSystem(
        context.database,
        settings,
        run_workers=True,
        extra_task_modules=("tests.jobs.tasks_for_tests",),
    )
    system.start()
    yield system
    system.stop()
    delete_queues(queue_name(settings.broker_namespace, "default"))


def delete_queues(queue: str) -> None:
    """RabbitMQ keeps durable queues: remove the test queue and its delay and dead queues."""
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        channel = connection.channel()
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            channel.queue_delete(queue=name)
    finally:
        connection.close()


def test_jobs_run_once_through_rabbitmq(
    context: AppContext, rabbitmq_system: JobSystem, tenant: Tenant
) -> None:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session,
            "testjobs.process_items",
            {"count": 120},
            organization_id=tenant.organization_id,
        )
    assert job_id is not None
    assert type(rabbitmq_system.broker).__name__ == "RabbitmqBroker"
    wait_for(lambda: load_job(context, job_id).status == JobStatus.SUCCEEDED, timeout=60)
    assert load_job(context, job_id).attempts == 1
    assert effects_of(context, job_id) == list(range(120))
