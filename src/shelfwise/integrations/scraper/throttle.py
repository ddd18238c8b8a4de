"""Per-host politeness: a random pause in [min, max] between two requests to one host, longer
after errors, and never shorter right after one (Scrapy's AutoThrottle rule)."""

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shelfwise.integrations.errors import RetryableError

MAX_SLOWDOWN = 8.0  # an erring host is asked at most every 8 x max_delay (64 s by default)


@dataclass
class _Host:
    next_at: float = float("-inf")  # when the next request to the host may leave
    slowdown: float = 1.0  # multiplies the random delay; doubles per error
    last_was_error: bool = False


class HostThrottle:
    """Thread-safe: each request reserves its slot under the lock and sleeps outside it."""

    def __init__(
        self,
        min_delay: float,
        max_delay: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self._min_delay = min_delay
        self._max_delay = max_delay
        self._clock = clock
        self._sleep = sleep
        self._uniform = uniform
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}

    def _delay(self, state: _Host) -> float:
        return self._uniform(self._min_delay, self._max_delay) * state.slowdown

    def wait(self, host: str, max_wait: float = float("inf")) -> float:
        """Sleep until a request to `host` may leave; the seconds slept. Raises
        `RetryableError` at once, keeping no slot, when that is more than `max_wait`."""
        with self._lock:
            now = self._clock()
            state = self._hosts.setdefault(host, _Host())
            leave_at = max(now, state.next_at)
            if leave_at - now > max_wait:
                raise RetryableError(f"{host} is being asked slowly.", leave_at - now)
            state.next_at = leave_at + self._delay(state)
        pause = leave_at - now
        if pause > 0:
            self._sleep(pause)
        return pause

    def record_error(self, host: str) -> None:
        """A 5xx, timeout, 429 or challenge page: the host is asked more slowly from now."""
        with self._lock:
            state = self._hosts.setdefault(host, _Host())
            state.slowdown = min(MAX_SLOWDOWN, state.slowdown * 2)
            state.last_was_error = True
            state.next_at = max(state.next_at, self._clock() + self._delay(state))

    def record_success(self, host: str) -> None:
        """A usable answer: the slow-down halves, except on the first success after an error."""
        with self._lock:
            state = self._hosts.setdefault(host, _Host())
            if not state.last_was_error:
                state.slowdown = max(1.0, state.slowdown / 2)
            state.last_was_error = False

    def slowdown(self, host: str) -> float:
        with self._lock:
            return self._hosts.get(host, _Host()).slowdown

    def delay_after(self, host: str) -> float:
        """Seconds until the next request to `host` may leave (a retry-after for callers)."""
        with self._lock:
            state = self._hosts.get(host, _Host())
            return max(0.0, state.next_at - self._clock())
