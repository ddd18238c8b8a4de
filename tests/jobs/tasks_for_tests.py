"""Job kinds used only by the tests: they record their effects in a test-only table."""

from typing import Any

from sqlalchemy import text

from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import PermanentJobError, TransientJobError
from shelfwise.jobs.registry import job

EFFECTS_TABLE = "test_job_effects"
BATCH = 50


def create_effects_table(connection: Any) -> None:
    connection.execute(
        text(f"CREATE TABLE IF NOT EXISTS {EFFECTS_TABLE} (job_id VARCHAR(64), item INTEGER)")
    )


@job("testjobs.process_items")
def process_items(context: JobContext) -> dict[str, Any]:
    """Process `count` items in batches; each batch commits its effects with its progress."""
    count = int(context.arguments["count"])
    context.set_total(count)
    pause = float(context.arguments.get("pause_per_batch", 0))
    while context.progress_done < count:
        first = context.progress_done
        last = min(count, first + BATCH)
        with context.unit_of_work() as session:
            session.execute(
                text(f"INSERT INTO {EFFECTS_TABLE} (job_id, item) VALUES (:job, :item)"),
                [{"job": str(context.job_id), "item": item} for item in range(first, last)],
            )
            for item in range(first, last):
                if item in context.arguments.get("bad_items", []):
                    context.item_error(session, f"row {item}", "not a valid price", field="price")
            context.advance(session, last - first)
        if pause:
            import time

            time.sleep(pause)
    return {"processed": count}


@job("testjobs.always_transient", max_attempts=3)
def always_transient(context: JobContext) -> None:
    raise TransientJobError("vendor answered 503")


@job("testjobs.always_permanent")
def always_permanent(context: JobContext) -> None:
    raise PermanentJobError("the seller revoked the grant")


@job("testjobs.noop")
def noop(context: JobContext) -> dict[str, Any]:
    return {"ok": True}
