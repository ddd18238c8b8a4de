"""Token buckets with reservation semantics, in-process or shared through Redis (G1).

Both backends run the generic cell rate algorithm, the "virtual scheduling" form of a token
bucket: a key stores the theoretical arrival time (TAT) of its next call, so a reservation is one
read and one write. `reserve` answers how long the caller must wait before it may go; the caller
waits, then sends, so the vendor never has a reason to answer 429.
"""

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from redis import Redis

from shelfwise.platform.settings import Settings

OBSERVED_RATE_LIFETIME_SECONDS = 86_400  # re-learn a vendor's rate daily: plans change


class TokenBucket(Protocol):
    def reserve(
        self, key: str, rate_per_second: float, burst: int, max_wait: float = math.inf
    ) -> float:
        """Seconds to wait before the call may go; above `max_wait` nothing is reserved."""
        ...

    def observe_limit(self, key: str, rate_per_second: float) -> None:
        """Use `rate_per_second` for `key` from now on (the vendor said so in a header)."""
        ...


def _check(rate_per_second: float, burst: int) -> None:
    if rate_per_second <= 0 or burst < 1:
        raise ValueError(f"rate must be > 0 and burst >= 1, not {rate_per_second}, {burst}")


class InProcessBuckets:
    """Buckets for one process (embedded mode), thread-safe, on a monotonic clock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._arrivals: dict[str, float] = {}
        self._observed: dict[str, float] = {}

    def reserve(
        self, key: str, rate_per_second: float, burst: int, max_wait: float = math.inf
    ) -> float:
        _check(rate_per_second, burst)
        with self._lock:
            now = self._clock()
            interval = 1.0 / self._observed.get(key, rate_per_second)
            arrival = max(self._arrivals.get(key, now), now)
            wait = max(0.0, arrival - (burst - 1) * interval - now)
            if wait <= max_wait:
                self._arrivals[key] = arrival + interval
            return wait

    def observe_limit(self, key: str, rate_per_second: float) -> None:
        if rate_per_second > 0:
            with self._lock:
                self._observed[key] = rate_per_second


# One atomic step on Redis' own clock, so processes on several machines agree on time.
RESERVE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local rate = tonumber(redis.call('GET', KEYS[2]) or ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local interval = 1 / rate
local arrival = tonumber(redis.call('GET', KEYS[1]) or '0')
if arrival < now then arrival = now end
local wait = arrival - (burst - 1) * interval - now
if wait < 0 then wait = 0 end
if wait <= max_wait then
  local next_arrival = arrival + interval
  local lifetime = math.ceil((next_arrival - now) * 1000) + 1000
  redis.call('SET', KEYS[1], string.format('%.6f', next_arrival), 'PX', lifetime)
end
return string.format('%.6f', wait)
"""


class RedisBuckets:
    """Buckets shared by every process that uses the same Redis and prefix (scale-out)."""

    def __init__(self, client: "Redis", prefix: str = "shelfwise:ratelimit") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(RESERVE_SCRIPT)

    def _keys(self, key: str) -> list[str]:
        return [f"{self._prefix}:{key}:arrival", f"{self._prefix}:{key}:rate"]

    def reserve(
        self, key: str, rate_per_second: float, burst: int, max_wait: float = math.inf
    ) -> float:
        _check(rate_per_second, burst)
        limit = "1e18" if math.isinf(max_wait) else repr(max_wait)
        answer = self._script(keys=self._keys(key), args=[repr(rate_per_second), burst, limit])
        return float(answer)

    def observe_limit(self, key: str, rate_per_second: float) -> None:
        if rate_per_second > 0:
            rate_key = self._keys(key)[1]
            self._client.set(rate_key, repr(rate_per_second), ex=OBSERVED_RATE_LIFETIME_SECONDS)


def build_buckets(settings: Settings) -> TokenBucket:
    """Redis buckets when Redis is configured (scale-out), else in-process ones."""
    url = settings.resolved_redis_url
    if url:
        return RedisBuckets(Redis.from_url(url))
    return InProcessBuckets()
