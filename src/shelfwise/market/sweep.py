"""An offer sweep: refresh the due items of one account through every offer lane at once.

Each lane (a separately metered operation, see integrations/offers.py) runs in its own thread
and takes the next due items from one shared queue: SKU lanes take the seller's own listings,
ASIN lanes take watched items first and then own ones from the far end of the queue, so no item
is fetched twice and every lane stays busy while items are due. A lane blocks in the
orchestrator until its quota allows the next call, which keeps the sweep at the usage plans'
ceiling and never beyond it. The lanes hand their answers to one writer thread, which stores
all the answers waiting in one transaction (snapshots, targets, sync changes, events and job
progress together): the lanes never wait for the database, and the database sees a few
transactions a second instead of one per call. A sweep stopped anywhere loses nothing: the
items whose answers it had not stored are still due for the next one.
"""

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from queue import Empty, Full, Queue

from sqlalchemy.orm import Session

from shelfwise.integrations.errors import RetryableError, VendorRejectedError
from shelfwise.integrations.offers import Fetched, KeyKind, OfferLane
from shelfwise.market.observations import Observed, Target, record_offers
from shelfwise.platform.db import Database
from shelfwise.platform.types import utcnow

ANSWERS_PER_TRANSACTION = 50  # calls' answers stored together at most (1,000 items at most)
ANSWERS_IN_FLIGHT = 200  # answers waiting for the writer before the lanes wait for it


Due = Target  # an item the sweep is to refresh


class DueQueue:
    """The sweep's due items, split by what can fetch them; thread-safe."""

    def __init__(self, items: Sequence[Due]) -> None:
        self._own = deque(item for item in items if item.sku)
        self._others = deque(item for item in items if not item.sku)
        self._lock = threading.Lock()

    def take(self, kind: KeyKind, count: int) -> list[Due]:
        with self._lock:
            if kind is KeyKind.SKU:
                return [self._own.popleft() for _ in range(min(count, len(self._own)))]
            taken = [self._others.popleft() for _ in range(min(count, len(self._others)))]
            while len(taken) < count and self._own:
                taken.append(self._own.pop())  # the least urgent own item
            return taken

    def give_back(self, items: Sequence[Due]) -> None:
        with self._lock:
            for item in reversed(items):
                (self._own if item.sku else self._others).appendleft(item)


@dataclass(frozen=True, slots=True)
class Answer:
    """One call's outcome, waiting to be stored."""

    lane: str
    key_kind: KeyKind
    items: list[Due]
    fetched: list[Fetched]
    observed_at: datetime


def _pairs(answers: list[Answer]) -> Iterator[tuple[str, Due, Fetched | None, datetime]]:
    """Each asked item with its result (None when the answer left it out)."""
    for answer in answers:
        by_key = {result.key: result for result in answer.fetched}
        for item in answer.items:
            key = (item.sku if answer.key_kind is KeyKind.SKU else None) or item.asin
            yield answer.lane, item, by_key.get(key), answer.observed_at


@dataclass
class SweepCounts:
    calls: int = 0
    refreshed: int = 0  # items whose offers were stored (new snapshot or confirmed)
    changed: int = 0  # of which differed from their previous snapshot
    failed: int = 0  # items the vendor answered with an error
    deferred: int = 0  # calls the orchestrator deferred (quota, breaker)
    calls_by_lane: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, lane: str, **amounts: int) -> None:
        with self.lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)
            if amounts.get("calls"):
                self.calls_by_lane[lane] = self.calls_by_lane.get(lane, 0) + amounts["calls"]

    def as_dict(self) -> dict[str, int]:
        with self.lock:
            fields = ("calls", "refreshed", "changed", "failed", "deferred")
            return {name: getattr(self, name) for name in fields} | {
                f"calls.{lane}": calls for lane, calls in sorted(self.calls_by_lane.items())
            }


# Called inside each store transaction: job progress (it raises when the job was cancelled).
Progress = Callable[[Session, int], None]


@dataclass
class OfferSweep:
    database: Database
    organization_id: uuid.UUID
    account_id: uuid.UUID
    run_id: uuid.UUID
    lanes: Sequence[OfferLane]
    deadline: float  # on `clock`
    progress: Progress | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = utcnow
    threads_per_lane: int = 1
    counts: SweepCounts = field(default_factory=SweepCounts)

    def run(self, due: Sequence[Due]) -> SweepCounts:
        queue = DueQueue(due)
        answers: Queue[Answer | None] = Queue(maxsize=ANSWERS_IN_FLIGHT)
        stop = threading.Event()
        failures: list[BaseException] = []

        def guarded(task: Callable[[], None]) -> Callable[[], None]:
            def run_task() -> None:
                try:
                    task()
                except BaseException as error:  # noqa: BLE001 - handed to the sweep's caller
                    failures.append(error)
                    stop.set()

            return run_task

        lanes = [
            threading.Thread(
                target=guarded(partial(self._drain, lane, queue, answers, stop)),
                name=f"sweep-{lane.name}",
                daemon=True,
            )
            for lane in self.lanes
            for _ in range(self.threads_per_lane)
        ]
        writer = threading.Thread(
            target=guarded(partial(self._write, answers)), name="sweep-writer", daemon=True
        )
        writer.start()
        for thread in lanes:
            thread.start()
        for thread in lanes:
            thread.join()
        if writer.is_alive():
            answers.put(None)  # the lanes are done: the writer stores what is left, then stops
        writer.join()
        if failures:
            raise failures[0]
        return self.counts

    def _write(self, answers: "Queue[Answer | None]") -> None:
        """Store answers as they come, all those waiting in one transaction: the lanes never
        wait for the database, and the database sees a few transactions a second, not one per
        call."""
        finished = False
        while not finished:
            waiting = [answers.get()]
            while len(waiting) < ANSWERS_PER_TRANSACTION:
                try:
                    waiting.append(answers.get_nowait())
                except Empty:
                    break
            finished = None in waiting
            batch = [answer for answer in waiting if answer is not None]
            if batch:
                self._store(batch)

    def _drain(
        self,
        lane: OfferLane,
        queue: DueQueue,
        answers: "Queue[Answer | None]",
        stop: threading.Event,
    ) -> None:
        while not stop.is_set() and self.clock() < self.deadline:
            batch = queue.take(lane.key_kind, lane.batch_size)
            if not batch:
                return
            keys = [(item.sku if lane.key_kind is KeyKind.SKU else None) or item.asin
                    for item in batch]  # fmt: skip
            try:
                fetched = lane.fetch(keys)
            except RetryableError as deferred:
                queue.give_back(batch)
                self.counts.add(lane.name, deferred=1)
                pause = deferred.defer_seconds or 0.0
                if self.clock() + pause >= self.deadline:
                    return
                self.sleep(pause)
                continue
            except VendorRejectedError as refused:
                if refused.vendor_status in (401, 403):
                    raise
                # The vendor refused the whole call (e.g. one malformed SKU in a batch): the
                # items are marked with the reason and wait for the next sweep.
                fetched = [Fetched(key, None, refused.detail) for key in keys]
            self.counts.add(lane.name, calls=1)
            answer = Answer(lane.name, lane.key_kind, batch, fetched, self.now())
            while not stop.is_set():
                try:
                    answers.put(answer, timeout=0.5)
                    break
                except Full:  # the writer is behind; a failed writer sets `stop`
                    continue

    def _store(self, answers: list["Answer"]) -> None:
        observed = [
            Observed(item, result.offers if result else None, _error_of(result), lane, at)
            for lane, item, result, at in _pairs(answers)
        ]
        organization_id = self.organization_id
        with self.database.unit_of_work(organization_id=organization_id) as session:
            recorded = record_offers(
                session, organization_id, self.account_id, self.run_id, observed
            )
            if self.progress is not None:
                self.progress(session, len(observed))
        self.counts.add(
            "", refreshed=recorded.refreshed, changed=recorded.changed, failed=recorded.failed
        )


def _error_of(result: Fetched | None) -> str | None:
    if result is None:
        return "no answer for this item"
    return result.error if result.offers is None else None
