"""The job machinery of one process: broker, Dramatiq worker threads, relay, heartbeats and
(optionally) the scheduler. `serve` runs all of it embedded; `worker` and `scheduler` run parts."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from dramatiq import Worker

from shelfwise.jobs import registry
from shelfwise.jobs.broker import build_broker, declare_actors
from shelfwise.jobs.relay import Relay, wake_relay
from shelfwise.jobs.runtime import JobRunner, bookkeeping_engine
from shelfwise.jobs.scheduler import Scheduler
from shelfwise.platform.db import Database
from shelfwise.platform.logging import get_logger
from shelfwise.platform.settings import Settings

logger = get_logger(__name__)


@dataclass
class JobSystem:
    database: Database
    settings: Settings
    run_workers: bool = True
    run_scheduler: bool = False
    extra_task_modules: tuple[str, ...] = ()
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _worker: Worker | None = None

    def __post_init__(self) -> None:
        registry.load_task_modules(self.extra_task_modules)
        self.broker = build_broker(self.settings.broker_url)
        bookkeeping = bookkeeping_engine(self.database, self.settings) if self.run_workers else None
        self.runner = JobRunner(self.database, self.settings, bookkeeping)
        declare_actors(self.broker, self.runner, self.settings.broker_namespace)
        self.relay = Relay(self.database, self.settings, self.broker)
        self.scheduler = Scheduler(self.database)

    def start(self) -> None:
        self._spawn("relay", self.relay.run_forever)
        if self.run_workers:
            self.broker.emit_after("process_boot")
            self._worker = Worker(self.broker, worker_threads=self.settings.worker_threads)
            self._worker.start()
            self._spawn("heartbeat", self._heartbeat_forever)
        if self.run_scheduler:
            self._spawn("scheduler", self.scheduler.run_forever)
        logger.info(
            "jobs.started",
            broker=type(self.broker).__name__,
            workers=self.run_workers,
            scheduler=self.run_scheduler,
        )

    def _spawn(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(
            target=target, args=(self._stop,), name=f"shelfwise-{name}", daemon=True
        )
        thread.start()
        self._threads.append(thread)

    def _heartbeat_forever(self, stop: threading.Event) -> None:
        interval = max(0.5, self.settings.job_lease.total_seconds() / 4)
        while not stop.wait(interval):
            try:
                self.runner.send_heartbeats()
            except Exception:
                logger.warning("jobs.heartbeat_failed", exc_info=True)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        wake_relay()
        if self._worker is not None:
            # Dramatiq 2 has no process_stop signal: emitting it logged a critical error per
            # middleware on every shutdown. The worker's stop already ran their shutdown hooks.
            self._worker.stop(timeout=int(timeout * 1000))
            self.broker.close()
        for thread in self._threads:
            thread.join(timeout)
        self.runner.close()
