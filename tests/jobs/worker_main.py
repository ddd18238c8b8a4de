"""A job worker process for the drills: `python -m tests.jobs.worker_main`.

Reads Settings from the environment (SHELFWISE_DATABASE_URL, SHELFWISE_DATA_DIR, optional
SHELFWISE_BROKER_URL, short SHELFWISE_JOB_LEASE…), runs Dramatiq workers, the relay and the
heartbeats with the test job kinds declared, and stops cleanly on SIGTERM or SIGINT. Without a
broker URL it is the embedded mode (a StubBroker: this process is the worker, as in `serve`).
"""

import signal
import sys
import threading

from shelfwise.jobs.system import JobSystem
from shelfwise.platform.db import Database
from shelfwise.platform.logging import configure_logging
from shelfwise.platform.settings import Settings

READY = "worker ready"


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    database = Database(settings)
    system = JobSystem(
        database, settings, run_workers=True, extra_task_modules=("tests.jobs.tasks_for_tests",)
    )
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    system.start()
    sys.stdout.write(f"{READY}\n")
    sys.stdout.flush()
    stop.wait()
    system.stop()
    database.dispose()


if __name__ == "__main__":
    main()
