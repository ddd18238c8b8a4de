"""Vendor usage per organization and UTC day: calls made, throttled (429s), quota units used."""

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from redis import Redis

from shelfwise.platform.settings import Settings

USAGE_LIFETIME_SECONDS = 3 * 86_400  # yesterday stays readable; older days expire


@dataclass(frozen=True)
class Usage:
    day: date
    calls: int = 0
    throttled: int = 0
    quota_used: int = 0


def utc_now() -> datetime:
    return datetime.now(UTC)


class UsageStore(Protocol):
    def acquire(self, organization_id: uuid.UUID, quota_units: int, budget: int) -> bool:
        """Count one call (and its quota units) unless `budget` calls were made today (0: none)."""
        ...

    def record_throttled(self, organization_id: uuid.UUID) -> None: ...

    def today(self, organization_id: uuid.UUID) -> Usage: ...


class InProcessUsage:
    """Counters for one process (embedded mode)."""

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._days: dict[tuple[uuid.UUID, date], Usage] = {}

    def acquire(self, organization_id: uuid.UUID, quota_units: int, budget: int) -> bool:
        with self._lock:
            current = self._today(organization_id)
            if budget and current.calls >= budget:
                return False
            self._days[(organization_id, current.day)] = Usage(
                current.day, current.calls + 1, current.throttled, current.quota_used + quota_units
            )
            return True

    def record_throttled(self, organization_id: uuid.UUID) -> None:
        with self._lock:
            current = self._today(organization_id)
            self._days[(organization_id, current.day)] = Usage(
                current.day, current.calls, current.throttled + 1, current.quota_used
            )

    def today(self, organization_id: uuid.UUID) -> Usage:
        with self._lock:
            return self._today(organization_id)

    def _today(self, organization_id: uuid.UUID) -> Usage:
        day = self._clock().date()
        return self._days.get((organization_id, day), Usage(day))


ACQUIRE_SCRIPT = """
local budget = tonumber(ARGV[1])
if budget > 0 and tonumber(redis.call('HGET', KEYS[1], 'calls') or '0') >= budget then
  return 0
end
redis.call('HINCRBY', KEYS[1], 'calls', 1)
redis.call('HINCRBY', KEYS[1], 'quota_used', tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""


class RedisUsage:
    """Counters shared by every process (scale-out), one hash per organization and day."""

    def __init__(
        self,
        client: "Redis",
        prefix: str = "shelfwise:usage",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._clock = clock
        self._acquire = client.register_script(ACQUIRE_SCRIPT)

    def _key(self, organization_id: uuid.UUID, day: date) -> str:
        return f"{self._prefix}:{organization_id}:{day.isoformat()}"

    def acquire(self, organization_id: uuid.UUID, quota_units: int, budget: int) -> bool:
        key = self._key(organization_id, self._clock().date())
        answer = self._acquire(keys=[key], args=[budget, quota_units, USAGE_LIFETIME_SECONDS])
        return bool(int(answer))

    def record_throttled(self, organization_id: uuid.UUID) -> None:
        key = self._key(organization_id, self._clock().date())
        pipeline = self._client.pipeline()
        pipeline.hincrby(key, "throttled", 1)
        pipeline.expire(key, USAGE_LIFETIME_SECONDS)
        pipeline.execute()

    def today(self, organization_id: uuid.UUID) -> Usage:
        day = self._clock().date()
        counters = self._client.hgetall(self._key(organization_id, day))
        return Usage(
            day,
            calls=int(counters.get(b"calls", 0)),
            throttled=int(counters.get(b"throttled", 0)),
            quota_used=int(counters.get(b"quota_used", 0)),
        )


_shared: dict[str | None, UsageStore] = {}
_shared_lock = threading.Lock()


def shared_usage(settings: Settings) -> UsageStore:
    """The process's usage store: the callers and the API must count in the same place."""
    url = settings.resolved_redis_url
    with _shared_lock:
        if url not in _shared:
            _shared[url] = RedisUsage(Redis.from_url(url)) if url else InProcessUsage()
        return _shared[url]
