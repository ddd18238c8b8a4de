"""Token buckets with reservation semantics, in-process or shared through Redis (G1).

Both backends run the generic cell rate algorithm, the "virtual scheduling" form of a token
bucket: a key stores the theoretical arrival time (TAT) of its next call, so each step is one read
and one write. A call goes through three steps:

1. `reserve` books a place in the queue and answers how long to wait (nothing is booked when the
   wait exceeds `max_wait`, so the caller can defer instead of blocking). Reservations run
   `headroom` below the vendor's rate, which absorbs network jitter.
2. `clear_to_send`, after that wait, checks the schedule of calls actually sent: a caller that was
   woken late (a loaded machine, a pause) must not make the next one arrive too close behind it.
3. `sent`, the moment the request has left, moves that schedule to the real departure time.

So the vendor never has a reason to answer 429, even when processes wake up late.
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

    def clear_to_send(self, key: str, rate_per_second: float, burst: int) -> float:
        """0 when a reserved call may be sent now (and counts it), else seconds to wait first."""
        ...

    def sent(self, key: str, rate_per_second: float) -> None:
        """A request for `key` left just now."""
        ...

    def observe_limit(self, key: str, rate_per_second: float) -> None:
        """Use `rate_per_second` for `key` from now on (the vendor said so in a header)."""
        ...


def _check(rate_per_second: float, burst: int) -> None:
    if rate_per_second <= 0 or burst < 1:
        raise ValueError(f"rate must be > 0 and burst >= 1, not {rate_per_second}, {burst}")


class InProcessBuckets:
    """Buckets for one process (embedded mode), thread-safe, on a monotonic clock."""

    def __init__(self, headroom: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._headroom = headroom
        self._clock = clock
        self._lock = threading.Lock()
        self._arrivals: dict[str, float] = {}
        self._departures: dict[str, float] = {}
        self._observed: dict[str, float] = {}

    def reserve(
        self, key: str, rate_per_second: float, burst: int, max_wait: float = math.inf
    ) -> float:
        _check(rate_per_second, burst)
        with self._lock:
            now = self._clock()
            rate = self._observed.get(key, rate_per_second) * (1.0 - self._headroom)
            interval = 1.0 / rate
            arrival = max(self._arrivals.get(key, now), now)
            wait = max(0.0, arrival - (burst - 1) * interval - now)
            if wait <= max_wait:
                self._arrivals[key] = arrival + interval
            return wait

    def clear_to_send(self, key: str, rate_per_second: float, burst: int) -> float:
        _check(rate_per_second, burst)
        with self._lock:
            now = self._clock()
            interval = 1.0 / self._observed.get(key, rate_per_second)
            departure = max(self._departures.get(key, now), now)
            wait = departure - (burst - 1) * interval - now
            if wait > 0:
                return wait
            self._departures[key] = departure + interval
            return 0.0

    def sent(self, key: str, rate_per_second: float) -> None:
        with self._lock:
            earliest = self._clock() + 1.0 / self._observed.get(key, rate_per_second)
            self._departures[key] = max(self._departures.get(key, earliest), earliest)

    def observe_limit(self, key: str, rate_per_second: float) -> None:
        if rate_per_second > 0:
            with self._lock:
                self._observed[key] = rate_per_second


# Each script is one atomic step on Redis' own clock, so processes on several machines agree.
_PREAMBLE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local interval = 1 / tonumber(redis.call('GET', KEYS[2]) or ARGV[1])
local function store(value)
  local lifetime = math.ceil((value - now) * 1000) + 1000
  redis.call('SET', KEYS[1], string.format('%.6f', value), 'PX', lifetime)
end
"""
RESERVE_SCRIPT = (
    _PREAMBLE
    + """
interval = interval / (1 - tonumber(ARGV[4]))
local arrival = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local wait = math.max(arrival - (tonumber(ARGV[2]) - 1) * interval - now, 0)
if wait <= tonumber(ARGV[3]) then store(arrival + interval) end
return string.format('%.6f', wait)
"""
)
CLEAR_SCRIPT = (
    _PREAMBLE
    + """
local departure = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local wait = departure - (tonumber(ARGV[2]) - 1) * interval - now
if wait > 0 then return string.format('%.6f', wait) end
store(departure + interval)
return '0'
"""
)
SENT_SCRIPT = (
    _PREAMBLE
    + """
local departure = tonumber(redis.call('GET', KEYS[1]) or '0')
if departure < now + interval then store(now + interval) end
return 1
"""
)


class RedisBuckets:
    """Buckets shared by every process that uses the same Redis and prefix (scale-out)."""

    def __init__(
        self, client: "Redis", prefix: str = "shelfwise:ratelimit", headroom: float = 0.0
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._headroom = headroom
        self._reserve = client.register_script(RESERVE_SCRIPT)
        self._clear = client.register_script(CLEAR_SCRIPT)
        self._sent = client.register_script(SENT_SCRIPT)

    def _keys(self, key: str, state: str) -> list[str]:
        return [f"{self._prefix}:{key}:{state}", f"{self._prefix}:{key}:rate"]

    def reserve(
        self, key: str, rate_per_second: float, burst: int, max_wait: float = math.inf
    ) -> float:
        _check(rate_per_second, burst)
        limit = "1e18" if math.isinf(max_wait) else repr(max_wait)
        arguments: list[str | int] = [repr(rate_per_second), burst, limit, repr(self._headroom)]
        return float(self._reserve(keys=self._keys(key, "arrival"), args=arguments))

    def clear_to_send(self, key: str, rate_per_second: float, burst: int) -> float:
        _check(rate_per_second, burst)
        arguments: list[str | int] = [repr(rate_per_second), burst]
        return float(self._clear(keys=self._keys(key, "departure"), args=arguments))

    def sent(self, key: str, rate_per_second: float) -> None:
        self._sent(keys=self._keys(key, "departure"), args=[repr(rate_per_second)])

    def observe_limit(self, key: str, rate_per_second: float) -> None:
        if rate_per_second > 0:
            rate_key = self._keys(key, "arrival")[1]
            self._client.set(rate_key, repr(rate_per_second), ex=OBSERVED_RATE_LIFETIME_SECONDS)


def build_buckets(settings: Settings) -> TokenBucket:
    """Redis buckets when Redis is configured (scale-out), else in-process ones."""
    url = settings.resolved_redis_url
    if url:
        return RedisBuckets(Redis.from_url(url), headroom=settings.vendor_rate_headroom)
    return InProcessBuckets(headroom=settings.vendor_rate_headroom)
