"""Vendor usage per organization and UTC day: calls made, throttled (429s), quota units used;
per scope (credential and operation) the calls and 429s of the day, and the latest 429s."""

import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

import orjson
from redis import Redis

from shelfwise.platform.settings import Settings

USAGE_LIFETIME_SECONDS = 3 * 86_400  # yesterday stays readable; older days expire


@dataclass(frozen=True)
class Usage:
    day: date
    calls: int = 0
    throttled: int = 0
    quota_used: int = 0


@dataclass(frozen=True)
class ScopeUsage:
    """One scope's day, e.g. scope "<credential id>/getItemOffersBatch"."""

    calls: int = 0
    throttled: int = 0


@dataclass(frozen=True)
class Throttle:
    at: datetime
    scope: str


RECENT_THROTTLES = 50  # kept per organization


def utc_now() -> datetime:
    return datetime.now(UTC)


class UsageStore(Protocol):
    def acquire(
        self, organization_id: uuid.UUID, quota_units: int, budget: int, scope: str | None = None
    ) -> bool:
        """Count one call (and its quota units) unless `budget` calls were made today (0: none)."""
        ...

    def record_throttled(self, organization_id: uuid.UUID, scope: str | None = None) -> None: ...

    def today(self, organization_id: uuid.UUID) -> Usage: ...

    def scopes_today(self, organization_id: uuid.UUID) -> dict[str, ScopeUsage]: ...

    def recent_throttles(self, organization_id: uuid.UUID) -> list[Throttle]:
        """The organization's latest 429s, newest first."""
        ...


class InProcessUsage:
    """Counters for one process (embedded mode)."""

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._days: dict[tuple[uuid.UUID, date], Usage] = {}
        self._scopes: dict[tuple[uuid.UUID, date], dict[str, ScopeUsage]] = {}
        self._throttles: dict[uuid.UUID, deque[Throttle]] = {}

    def acquire(
        self, organization_id: uuid.UUID, quota_units: int, budget: int, scope: str | None = None
    ) -> bool:
        with self._lock:
            current = self._today(organization_id)
            if budget and current.calls >= budget:
                return False
            self._days[(organization_id, current.day)] = Usage(
                current.day, current.calls + 1, current.throttled, current.quota_used + quota_units
            )
            if scope is not None:
                scopes = self._scopes.setdefault((organization_id, current.day), {})
                before = scopes.get(scope, ScopeUsage())
                scopes[scope] = ScopeUsage(before.calls + 1, before.throttled)
            return True

    def record_throttled(self, organization_id: uuid.UUID, scope: str | None = None) -> None:
        with self._lock:
            current = self._today(organization_id)
            self._days[(organization_id, current.day)] = Usage(
                current.day, current.calls, current.throttled + 1, current.quota_used
            )
            if scope is not None:
                scopes = self._scopes.setdefault((organization_id, current.day), {})
                before = scopes.get(scope, ScopeUsage())
                scopes[scope] = ScopeUsage(before.calls, before.throttled + 1)
                recent = self._throttles.setdefault(organization_id, deque(maxlen=RECENT_THROTTLES))
                recent.appendleft(Throttle(self._clock(), scope))

    def today(self, organization_id: uuid.UUID) -> Usage:
        with self._lock:
            return self._today(organization_id)

    def scopes_today(self, organization_id: uuid.UUID) -> dict[str, ScopeUsage]:
        with self._lock:
            day = self._clock().date()
            return dict(self._scopes.get((organization_id, day), {}))

    def recent_throttles(self, organization_id: uuid.UUID) -> list[Throttle]:
        with self._lock:
            return list(self._throttles.get(organization_id, ()))

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
if ARGV[4] ~= '' then
  redis.call('HINCRBY', KEYS[2], ARGV[4] .. '|calls', 1)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
end
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

    def acquire(
        self, organization_id: uuid.UUID, quota_units: int, budget: int, scope: str | None = None
    ) -> bool:
        key = self._key(organization_id, self._clock().date())
        answer = self._acquire(
            keys=[key, f"{key}:scopes"],
            args=[budget, quota_units, USAGE_LIFETIME_SECONDS, scope or ""],
        )
        return bool(int(answer))

    def record_throttled(self, organization_id: uuid.UUID, scope: str | None = None) -> None:
        now = self._clock()
        key = self._key(organization_id, now.date())
        pipeline = self._client.pipeline()
        pipeline.hincrby(key, "throttled", 1)
        pipeline.expire(key, USAGE_LIFETIME_SECONDS)
        if scope is not None:
            pipeline.hincrby(f"{key}:scopes", f"{scope}|throttled", 1)
            pipeline.expire(f"{key}:scopes", USAGE_LIFETIME_SECONDS)
            recent = self._throttles_key(organization_id)
            pipeline.lpush(recent, orjson.dumps({"at": now.isoformat(), "scope": scope}))
            pipeline.ltrim(recent, 0, RECENT_THROTTLES - 1)
            pipeline.expire(recent, USAGE_LIFETIME_SECONDS)
        pipeline.execute()

    def scopes_today(self, organization_id: uuid.UUID) -> dict[str, ScopeUsage]:
        key = self._key(organization_id, self._clock().date())
        counters: dict[str, dict[str, int]] = {}
        for field, value in self._client.hgetall(f"{key}:scopes").items():
            text = field.decode() if isinstance(field, bytes) else str(field)
            scope, _, name = text.rpartition("|")
            counters.setdefault(scope, {})[name] = int(value)
        return {
            scope: ScopeUsage(values.get("calls", 0), values.get("throttled", 0))
            for scope, values in counters.items()
        }

    def recent_throttles(self, organization_id: uuid.UUID) -> list[Throttle]:
        entries = self._client.lrange(self._throttles_key(organization_id), 0, -1)
        throttles = []
        for entry in entries:
            document = orjson.loads(entry)
            throttles.append(Throttle(datetime.fromisoformat(document["at"]), document["scope"]))
        return throttles

    def _throttles_key(self, organization_id: uuid.UUID) -> str:
        return f"{self._prefix}:{organization_id}:throttles"

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
