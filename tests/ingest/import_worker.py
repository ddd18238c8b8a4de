"""H2's import process: `python -m tests.ingest.import_worker JOB_ID READY START`.

Reads Settings from the environment, connects, touches READY, waits for START to exist, then runs
the queued import job through the real job runner (the same code a Dramatiq worker runs).
"""

import sys
import time
from pathlib import Path

from shelfwise.jobs.runtime import JobRunner
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings

START_TIMEOUT = 60.0


def main(job_id: str, ready: str, start: str) -> None:
    context = AppContext.build(Settings())  # loads the job handlers
    with context.database.engine.connect():  # connect before the start, so both begin together
        pass
    Path(ready).touch()
    deadline = time.monotonic() + START_TIMEOUT
    while not Path(start).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{start} never appeared")
        time.sleep(0.005)
    JobRunner(context.database, context.settings).execute(job_id)
    context.database.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:4])
