"""Housekeeping of the job tables."""

from datetime import timedelta
from typing import Any

from shelfwise.jobs.context import JobContext
from shelfwise.jobs.registry import job, periodic
from shelfwise.jobs.repository import JobQueue
from shelfwise.platform.types import utcnow

# Finished jobs stay visible (with their errors) for a month, then go.
FINISHED_JOB_RETENTION = timedelta(days=30)


@job("jobs.purge_finished", max_attempts=3)
def purge_finished(context: JobContext) -> dict[str, Any]:
    """Delete jobs that ended more than the retention period ago, and old schedule ticks."""
    cutoff = utcnow() - FINISHED_JOB_RETENTION
    with context.unit_of_work() as session:
        queue = JobQueue(session)
        return {
            "jobs_deleted": queue.purge_finished_before(cutoff),
            "ticks_deleted": queue.purge_ticks_before(cutoff),
        }


periodic("jobs.purge_finished", cron="17 3 * * *")
