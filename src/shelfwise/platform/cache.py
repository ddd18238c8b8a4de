"""A TTL cache for vendor responses: in-process (embedded) or Redis (scale-out).

Every key carries its organization (A5), so one organization never reads another's entries and
can be cleared alone. Values are bytes: callers serialise what they store.
"""

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from cachetools import TLRUCache
from redis import Redis

from shelfwise.platform.settings import Settings


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    items_cached: int
    cache_size: int  # bytes of the values, approximate

    @property
    def hit_rate(self) -> float:
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


class Cache(Protocol):
    def get(self, organization_id: uuid.UUID, namespace: str, key: str) -> bytes | None: ...

    def get_many(
        self, organization_id: uuid.UUID, namespace: str, keys: Sequence[str]
    ) -> list[bytes | None]:
        """The values of `keys`, in order (None where absent), counted as one lookup each."""
        ...

    def set(
        self,
        organization_id: uuid.UUID,
        namespace: str,
        key: str,
        value: bytes,
        ttl: timedelta | None = None,
    ) -> None:
        """Store `value`; `ttl` defaults to the cache's default lifetime."""
        ...

    def delete(self, organization_id: uuid.UUID, namespace: str, key: str) -> None: ...

    def clear(self, organization_id: uuid.UUID) -> None:
        """Forget every entry and statistic of one organization."""
        ...

    def stats(self, organization_id: uuid.UUID) -> CacheStats: ...


def _check_namespace(namespace: str) -> None:
    # Namespaces are code constants; a colon would let two (namespace, key) pairs share a key.
    if not namespace or ":" in namespace:
        raise ValueError(f"cache namespace must be non-empty without ':', not {namespace!r}")


@dataclass(frozen=True)
class _Entry:
    value: bytes
    expires_at: float


_Key = tuple[uuid.UUID, str, str]


class InProcessCache:
    """Bounded by `max_items` (least recently used dropped beyond); thread-safe."""

    def __init__(
        self, max_items: int, default_ttl: timedelta, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._default_ttl = default_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: TLRUCache[_Key, _Entry] = TLRUCache(
            maxsize=max_items, ttu=lambda _key, entry, _now: entry.expires_at, timer=clock
        )
        self._hits: dict[uuid.UUID, int] = {}
        self._misses: dict[uuid.UUID, int] = {}

    def get(self, organization_id: uuid.UUID, namespace: str, key: str) -> bytes | None:
        _check_namespace(namespace)
        with self._lock:
            entry = self._entries.get((organization_id, namespace, key))
            counters = self._misses if entry is None else self._hits
            counters[organization_id] = counters.get(organization_id, 0) + 1
            return None if entry is None else entry.value

    def get_many(
        self, organization_id: uuid.UUID, namespace: str, keys: Sequence[str]
    ) -> list[bytes | None]:
        _check_namespace(namespace)
        with self._lock:  # one lock round for all keys: the ASIN bridge reads 20 at a time
            entries = [self._entries.get((organization_id, namespace, key)) for key in keys]
            found = sum(1 for entry in entries if entry is not None)
            self._hits[organization_id] = self._hits.get(organization_id, 0) + found
            missed = len(entries) - found
            self._misses[organization_id] = self._misses.get(organization_id, 0) + missed
            return [None if entry is None else entry.value for entry in entries]

    def set(
        self,
        organization_id: uuid.UUID,
        namespace: str,
        key: str,
        value: bytes,
        ttl: timedelta | None = None,
    ) -> None:
        _check_namespace(namespace)
        lifetime = (ttl or self._default_ttl).total_seconds()
        with self._lock:
            entry = _Entry(value, self._clock() + lifetime)
            self._entries[(organization_id, namespace, key)] = entry

    def delete(self, organization_id: uuid.UUID, namespace: str, key: str) -> None:
        with self._lock:
            self._entries.pop((organization_id, namespace, key), None)

    def clear(self, organization_id: uuid.UUID) -> None:
        with self._lock:
            for cache_key in [each for each in self._entries if each[0] == organization_id]:
                del self._entries[cache_key]
            self._hits.pop(organization_id, None)
            self._misses.pop(organization_id, None)

    def stats(self, organization_id: uuid.UUID) -> CacheStats:
        with self._lock:
            self._entries.expire()
            values = [
                entry.value for key, entry in self._entries.items() if key[0] == organization_id
            ]
            return CacheStats(
                hits=self._hits.get(organization_id, 0),
                misses=self._misses.get(organization_id, 0),
                items_cached=len(values),
                cache_size=sum(len(value) for value in values),
            )


class RedisCache:
    """Entries under `{prefix}:{organization}:{generation}:{namespace}:{key}`.

    Clearing an organization bumps its generation: its old entries become unreachable at once
    and expire on their own, so a clear costs one command whatever the cache holds.
    """

    def __init__(
        self, client: "Redis", default_ttl: timedelta, prefix: str = "shelfwise:cache"
    ) -> None:
        self._client = client
        self._default_ttl = default_ttl
        self._prefix = prefix

    def _organization(self, organization_id: uuid.UUID) -> str:
        return f"{self._prefix}:{organization_id}"

    def _generation(self, organization_id: uuid.UUID) -> int:
        value = self._client.get(f"{self._organization(organization_id)}:generation")
        return int(value) if value is not None else 0

    def _key(self, organization_id: uuid.UUID, namespace: str, key: str) -> str:
        _check_namespace(namespace)
        generation = self._generation(organization_id)
        return f"{self._organization(organization_id)}:{generation}:{namespace}:{key}"

    def get(self, organization_id: uuid.UUID, namespace: str, key: str) -> bytes | None:
        value = self._client.get(self._key(organization_id, namespace, key))
        field = "misses" if value is None else "hits"
        self._client.hincrby(f"{self._organization(organization_id)}:stats", field, 1)
        return value if isinstance(value, bytes) else None

    def get_many(
        self, organization_id: uuid.UUID, namespace: str, keys: Sequence[str]
    ) -> list[bytes | None]:
        """Three round trips whatever the number of keys: the generation, MGET, the counters."""
        if not keys:
            return []
        _check_namespace(namespace)
        organization = self._organization(organization_id)
        prefix = f"{organization}:{self._generation(organization_id)}:{namespace}"
        values: list[bytes | None] = [
            value if isinstance(value, bytes) else None
            for value in self._client.mget([f"{prefix}:{key}" for key in keys])
        ]
        found = sum(1 for value in values if value is not None)
        counters = self._client.pipeline(transaction=False)
        if found:
            counters.hincrby(f"{organization}:stats", "hits", found)
        if found < len(values):
            counters.hincrby(f"{organization}:stats", "misses", len(values) - found)
        counters.execute()
        return values

    def set(
        self,
        organization_id: uuid.UUID,
        namespace: str,
        key: str,
        value: bytes,
        ttl: timedelta | None = None,
    ) -> None:
        lifetime = ttl or self._default_ttl
        self._client.set(self._key(organization_id, namespace, key), value, px=lifetime)

    def delete(self, organization_id: uuid.UUID, namespace: str, key: str) -> None:
        self._client.delete(self._key(organization_id, namespace, key))

    def clear(self, organization_id: uuid.UUID) -> None:
        organization = self._organization(organization_id)
        pipeline = self._client.pipeline()
        pipeline.incr(f"{organization}:generation")
        pipeline.delete(f"{organization}:stats")
        pipeline.execute()

    def stats(self, organization_id: uuid.UUID) -> CacheStats:
        organization = self._organization(organization_id)
        pattern = f"{_glob_escape(organization)}:{self._generation(organization_id)}:*"
        keys = list(self._client.scan_iter(match=pattern, count=1000))
        pipeline = self._client.pipeline()
        for key in keys:
            pipeline.strlen(key)
        sizes = [int(size) for size in pipeline.execute()] if keys else []
        counters = self._client.hgetall(f"{organization}:stats")
        return CacheStats(
            hits=int(counters.get(b"hits", 0)),
            misses=int(counters.get(b"misses", 0)),
            items_cached=sum(1 for size in sizes if size),
            cache_size=sum(sizes),
        )


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


def build_cache(settings: Settings) -> Cache:
    """Redis when configured (shared by every process), else an in-process cache."""
    url = settings.resolved_redis_url
    if url:
        return RedisCache(Redis.from_url(url), settings.cache_ttl)
    return InProcessCache(settings.cache_max_items, settings.cache_ttl)


_shared: dict[tuple[str | None, float, int], Cache] = {}
_shared_lock = threading.Lock()


def shared_cache(settings: Settings) -> Cache:
    """The process's cache: the API and the jobs it runs embedded must read what the other
    wrote (with Redis configured, every process shares it anyway)."""
    key = (
        settings.resolved_redis_url,
        settings.cache_ttl.total_seconds(),
        settings.cache_max_items,
    )
    with _shared_lock:
        if key not in _shared:
            _shared[key] = build_cache(settings)
        return _shared[key]
