"""The outbox relay: sends committed jobs to the broker, and puts abandoned ones back.

A job row is committed with the data it acts on; only then does the relay send it (C3). The
relay runs in every web and worker process; on PostgreSQL they share the outbox with SKIP
LOCKED. A wake-up after each commit keeps latency low; the interval is the safety net (the
web process may die between its commit and its wake-up: the next scan sends the job).
"""

import threading

from dramatiq import Broker

from shelfwise.jobs import registry
from shelfwise.jobs.broker import message_for
from shelfwise.jobs.repository import JobQueue
from shelfwise.platform.db import Database
from shelfwise.platform.logging import get_logger
from shelfwise.platform.settings import Settings
from shelfwise.platform.types import utcnow

logger = get_logger(__name__)
BATCH = 200

_wake = threading.Event()


def wake_relay() -> None:
    """Called after a commit that queued jobs."""
    _wake.set()


class Relay:
    def __init__(self, database: Database, settings: Settings, broker: Broker) -> None:
        self.database = database
        self.settings = settings
        self.broker = broker

    def dispatch_due(self) -> int:
        """Send one batch of due jobs; returns how many were sent."""
        with self.database.unit_of_work() as session:
            queue = JobQueue(session)
            due = queue.due_for_dispatch(utcnow(), BATCH, registry.JOB_KINDS.keys())
            if not due:
                return 0
            sent = []
            for job_id, kind in due:
                self.broker.enqueue(message_for(kind, str(job_id), self.settings.broker_namespace))
                sent.append(job_id)
            queue.mark_dispatched(sent, utcnow())
        return len(sent)

    def recover(self) -> int:
        with self.database.unit_of_work() as session:
            queue = JobQueue(session)
            now = utcnow()
            recovered = queue.recover_abandoned(now, self.settings.job_lease)
            recovered += queue.recover_undelivered(now, self.settings.job_redelivery_after)
        if recovered:
            logger.info("relay.recovered", jobs=recovered)
        return recovered

    def drain(self) -> int:
        total = 0
        while (sent := self.dispatch_due()) > 0:
            total += sent
        return total

    def run_forever(self, stop: threading.Event) -> None:
        interval = self.settings.relay_interval.total_seconds()
        scans = 0
        while not stop.is_set():
            try:
                if scans % 5 == 0:
                    self.recover()
                self.drain()
            except Exception:
                logger.warning("relay.failed", exc_info=True)
            scans += 1
            _wake.wait(interval)
            _wake.clear()
