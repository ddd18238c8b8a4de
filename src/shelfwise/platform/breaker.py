"""Circuit breakers per (credential, host): stop calling a host that keeps failing (G2).

Closed: calls go; `threshold` consecutive failures (5xx, timeouts, challenge pages) open it.
Open: calls are refused until `cooldown` has passed. Half-open: one trial call goes; its success
closes the breaker, its failure opens it again for another cooldown.
"""

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shelfwise.platform.settings import Settings


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class _Circuit:
    failures: int = 0
    opened_at: float | None = None
    trial_started_at: float | None = None


class CircuitBreakers:
    """In-process breakers, one per key; thread-safe, on a monotonic clock."""

    def __init__(
        self, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = threshold
        self._cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._circuits: dict[str, _Circuit] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> "CircuitBreakers":
        cooldown = settings.breaker_cooldown.total_seconds()
        return cls(settings.breaker_failure_threshold, cooldown, clock)

    def _state(self, circuit: _Circuit, now: float) -> BreakerState:
        if circuit.opened_at is None:
            return BreakerState.CLOSED
        if now - circuit.opened_at < self._cooldown:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def state(self, key: str) -> BreakerState:
        with self._lock:
            return self._state(self._circuits.get(key, _Circuit()), self._clock())

    def open_for(self, key: str) -> float:
        """Seconds until an open breaker half-opens; 0 when it is not open."""
        with self._lock:
            circuit = self._circuits.get(key, _Circuit())
            now = self._clock()
            if self._state(circuit, now) is not BreakerState.OPEN:
                return 0.0
            assert circuit.opened_at is not None
            return circuit.opened_at + self._cooldown - now

    def allow(self, key: str) -> float:
        """0 when a call may go now (perhaps as the half-open trial), else seconds to wait."""
        with self._lock:
            now = self._clock()
            circuit = self._circuits.setdefault(key, _Circuit())
            state = self._state(circuit, now)
            if state is BreakerState.CLOSED:
                return 0.0
            assert circuit.opened_at is not None
            if state is BreakerState.OPEN:
                return circuit.opened_at + self._cooldown - now
            # A trial whose caller never reported back (it died) stops blocking after a cooldown.
            trial = circuit.trial_started_at
            if trial is not None and now - trial < self._cooldown:
                return trial + self._cooldown - now
            circuit.trial_started_at = now
            return 0.0

    def record_success(self, key: str) -> None:
        with self._lock:
            self._circuits.pop(key, None)

    def record_failure(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            circuit = self._circuits.setdefault(key, _Circuit())
            circuit.failures += 1
            half_open = self._state(circuit, now) is BreakerState.HALF_OPEN
            if half_open or circuit.failures >= self._threshold:
                circuit.opened_at = now
                circuit.trial_started_at = None
