"""The vendor-response cache on both backends: TTL, keys per organization (A5), stats, clear."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis

from shelfwise.platform.cache import (
    Cache,
    CacheStats,
    InProcessCache,
    RedisCache,
    build_cache,
)
from shelfwise.platform.settings import Settings
from tests.clock import FakeClock
from tests.redis_server import REDIS_URL

TEN_MINUTES = timedelta(minutes=10)


@pytest.fixture(params=["in_process", "redis"])
def cache(request: pytest.FixtureRequest) -> Cache:
    if request.param == "in_process":
        return InProcessCache(max_items=100, default_ttl=TEN_MINUTES)
    redis_client: Redis = request.getfixturevalue("redis_client")
    prefix: str = request.getfixturevalue("redis_prefix")
    return RedisCache(redis_client, TEN_MINUTES, prefix=prefix)


def test_get_set_and_stats(cache: Cache) -> None:
    organization = uuid.uuid4()
    assert cache.get(organization, "offers", "B00TEST123") is None
    cache.set(organization, "offers", "B00TEST123", b'{"price": "12.48"}')
    assert cache.get(organization, "offers", "B00TEST123") == b'{"price": "12.48"}'
    assert cache.get(organization, "offers", "B00TEST123") == b'{"price": "12.48"}'
    stats = cache.stats(organization)
    assert stats == CacheStats(hits=2, misses=1, items_cached=1, cache_size=18)
    assert stats.hit_rate == 2 / 3


def test_stats_of_an_unused_organization_are_zero(cache: Cache) -> None:
    stats = cache.stats(uuid.uuid4())
    assert (stats, stats.hit_rate) == (CacheStats(0, 0, 0, 0), 0.0)


def test_a5_organizations_never_read_each_others_entries(cache: Cache) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    cache.set(first, "offers", "B00TEST123", b"first")
    assert cache.get(second, "offers", "B00TEST123") is None
    cache.set(second, "offers", "B00TEST123", b"second!")
    assert cache.get(first, "offers", "B00TEST123") == b"first"
    assert cache.stats(first) == CacheStats(hits=1, misses=0, items_cached=1, cache_size=5)
    assert cache.stats(second) == CacheStats(hits=0, misses=1, items_cached=1, cache_size=7)


def test_a5_clear_forgets_one_organization_only(cache: Cache) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    cache.set(first, "offers", "a", b"1")
    cache.set(first, "catalog", "b", b"22")
    cache.set(second, "offers", "a", b"333")
    cache.get(first, "offers", "a")
    cache.clear(first)
    assert cache.stats(first) == CacheStats(0, 0, 0, 0)
    assert cache.get(first, "offers", "a") is None
    assert cache.get(second, "offers", "a") == b"333"
    cache.set(first, "offers", "a", b"new")
    assert cache.get(first, "offers", "a") == b"new"


def test_delete_removes_one_entry(cache: Cache) -> None:
    organization = uuid.uuid4()
    cache.set(organization, "offers", "a", b"1")
    cache.set(organization, "offers", "b", b"2")
    cache.delete(organization, "offers", "a")
    assert (cache.get(organization, "offers", "a"), cache.get(organization, "offers", "b")) == (
        None,
        b"2",
    )


@pytest.mark.parametrize("namespace", ["", "offers:v2"], ids=["empty", "with-colon"])
def test_namespaces_without_colons_only(cache: Cache, namespace: str) -> None:
    with pytest.raises(ValueError, match="cache namespace"):
        cache.set(uuid.uuid4(), namespace, "key", b"value")


def test_in_process_entries_expire_after_their_ttl() -> None:
    clock = FakeClock()
    cache = InProcessCache(max_items=10, default_ttl=TEN_MINUTES, clock=clock.now)
    organization = uuid.uuid4()
    cache.set(organization, "offers", "short", b"s", ttl=timedelta(seconds=5))
    cache.set(organization, "offers", "default", b"d")
    clock.advance(5)
    assert cache.get(organization, "offers", "short") is None
    assert cache.get(organization, "offers", "default") == b"d"
    clock.advance(595)
    assert cache.get(organization, "offers", "default") is None
    assert cache.stats(organization) == CacheStats(hits=1, misses=2, items_cached=0, cache_size=0)


def test_in_process_cache_drops_the_least_recently_used_beyond_max_items() -> None:
    cache = InProcessCache(max_items=2, default_ttl=TEN_MINUTES)
    organization = uuid.uuid4()
    cache.set(organization, "offers", "a", b"1")
    cache.set(organization, "offers", "b", b"2")
    cache.get(organization, "offers", "a")
    cache.set(organization, "offers", "c", b"3")
    assert [cache.get(organization, "offers", key) for key in "abc"] == [b"1", None, b"3"]


def test_a5_redis_keys_carry_the_organization_and_generation(
    redis_client: Redis, redis_prefix: str
) -> None:
    cache = RedisCache(redis_client, TEN_MINUTES, prefix=redis_prefix)
    organization = uuid.uuid4()
    cache.set(organization, "offers", "B00TEST123", b"v", ttl=timedelta(seconds=90))
    key = f"{redis_prefix}:{organization}:0:offers:B00TEST123"
    assert redis_client.get(key) == b"v"
    assert 89_000 <= redis_client.pttl(key) <= 90_000
    cache.set(organization, "offers", "default-ttl", b"v")
    default_key = f"{redis_prefix}:{organization}:0:offers:default-ttl"
    assert 599_000 <= redis_client.pttl(default_key) <= 600_000
    cache.clear(organization)
    assert redis_client.get(f"{redis_prefix}:{organization}:generation") == b"1"
    cache.set(organization, "offers", "B00TEST123", b"w")
    assert redis_client.get(f"{redis_prefix}:{organization}:1:offers:B00TEST123") == b"w"


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [(None, InProcessCache), (REDIS_URL, RedisCache)],
    ids=["embedded", "redis"],
)
def test_build_cache_chooses_redis_when_configured(
    tmp_path: Path, redis_url: str | None, backend: type
) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=redis_url)
    assert type(build_cache(settings)) is backend


def test_get_many_answers_in_order_and_counts_each_key(cache: Cache) -> None:
    organization, other = uuid.uuid4(), uuid.uuid4()
    cache.set(organization, "items", "B00TEST001", b"one")
    cache.set(organization, "items", "B00TEST003", b"three")
    cache.set(other, "items", "B00TEST002", b"other's")
    keys = ["B00TEST001", "B00TEST002", "B00TEST003", "B00TEST001"]
    assert cache.get_many(organization, "items", keys) == [b"one", None, b"three", b"one"]
    assert cache.get_many(organization, "items", []) == []
    assert cache.stats(organization) == CacheStats(hits=3, misses=1, items_cached=2, cache_size=8)
    assert cache.stats(other) == CacheStats(hits=0, misses=0, items_cached=1, cache_size=7)


def test_get_many_after_clear_finds_nothing(cache: Cache) -> None:
    organization = uuid.uuid4()
    cache.set(organization, "items", "B00TEST001", b"one")
    cache.clear(organization)
    assert cache.get_many(organization, "items", ["B00TEST001"]) == [None]
    assert cache.stats(organization) == CacheStats(hits=0, misses=1, items_cached=0, cache_size=0)
