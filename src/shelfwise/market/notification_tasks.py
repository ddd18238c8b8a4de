"""The notifications job: drain the SP-API notifications queue, every minute."""

from datetime import timedelta
from typing import Any

from shelfwise.integrations.sqs.client import queue_from_settings
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.registry import job, periodic
from shelfwise.market.notifications import NotificationConsumer

RECEIVE = "market.receive_notifications"
RECEIVE_EVERY = timedelta(minutes=1)
# Receiving stops after this long, so one run ends before the next tick fires.
RECEIVE_BUDGET_SECONDS = 50.0


@job(RECEIVE, max_attempts=3)
def receive_notifications(context: JobContext) -> dict[str, Any]:
    """Receive batches until the queue is empty or the budget is spent; an unreachable queue
    raises RetryableError (the job is deferred, and every message stays in the queue)."""
    settings = context.settings
    queue = queue_from_settings(settings)
    if queue is None:
        return {"enabled": False}
    consumer = NotificationConsumer(
        context.database,
        queue,
        batch_size=settings.notifications_batch_size,
        wait_seconds=settings.notifications_wait_seconds,
        visibility_seconds=int(settings.notifications_visibility_timeout.total_seconds()),
        job_id=context.job_id,
    )
    try:
        counts = consumer.run(RECEIVE_BUDGET_SECONDS)
    finally:
        queue.close()
    return {"enabled": True} | counts.as_dict()


periodic(RECEIVE, every=RECEIVE_EVERY)
