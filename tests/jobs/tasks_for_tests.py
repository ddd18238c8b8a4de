"""Job kinds used only by the tests: they record their effects in a test-only table."""

from typing import Any

from sqlalchemy import text

from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import PermanentJobError, TransientJobError
from shelfwise.jobs.registry import job

EFFECTS_TABLE = "test_job_effects"
RUNS_TABLE = "test_job_runs"  # one row per run of a job asked to fail its first runs
BATCH = 50


def create_effects_table(connection: Any) -> None:
    connection.execute(
        text(f"CREATE TABLE IF NOT EXISTS {EFFECTS_TABLE} (job_id VARCHAR(64), item INTEGER)")
    )
    connection.execute(text(f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (job_id VARCHAR(64))"))
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"GRANT SELECT, INSERT, DELETE ON {RUNS_TABLE} TO shelfwise_app"))


def _fail_first_runs(context: JobContext) -> None:
    """With `fail_first_runs: n`, the job's first n runs fail transiently (a vendor outage), and
    later runs, retries by the user included, go on. Runs are counted in a table, not by
    `attempt`, because a retry by the user starts the attempts again."""
    failing = int(context.arguments.get("fail_first_runs", 0))
    if not failing:
        return
    with context.unit_of_work() as session:
        session.execute(
            text(f"INSERT INTO {RUNS_TABLE} (job_id) VALUES (:job)"), {"job": str(context.job_id)}
        )
        runs = session.scalar(
            text(f"SELECT count(*) FROM {RUNS_TABLE} WHERE job_id = :job"),
            {"job": str(context.job_id)},
        )
    if int(runs or 0) <= failing:
        raise TransientJobError(f"vendor outage (run {runs} of {failing} failing runs)")


@job("testjobs.process_items")
def process_items(context: JobContext) -> dict[str, Any]:
    """Process `count` items in batches; each batch commits its effects with its progress."""
    _fail_first_runs(context)
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
    """Fails transiently, after working `pause` seconds when asked to."""
    if pause := float(context.arguments.get("pause", 0)):
        import time

        time.sleep(pause)
    raise TransientJobError("vendor answered 503")


@job("testjobs.always_permanent")
def always_permanent(context: JobContext) -> None:
    raise PermanentJobError("the seller revoked the grant")


@job("testjobs.noop")
def noop(context: JobContext) -> dict[str, Any]:
    return {"ok": True}
