"""Vendor usage per organization and UTC day, with the daily budget, on both backends."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis import Redis

from shelfwise.integrations.usage import (
    InProcessUsage,
    RedisUsage,
    ScopeUsage,
    Usage,
    UsageStore,
    shared_usage,
)
from shelfwise.platform.settings import Settings
from tests.redis_server import REDIS_URL


class Calendar:
    def __init__(self) -> None:
        self.moment = datetime(2030, 1, 1, 23, 59, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def calendar() -> Calendar:
    return Calendar()


@pytest.fixture(params=["in_process", "redis"])
def usage(request: pytest.FixtureRequest, calendar: Calendar) -> UsageStore:
    clock: Callable[[], datetime] = calendar.now
    if request.param == "in_process":
        return InProcessUsage(clock=clock)
    redis_client: Redis = request.getfixturevalue("redis_client")
    prefix: str = request.getfixturevalue("redis_prefix")
    return RedisUsage(redis_client, prefix=prefix, clock=clock)


def test_usage_counts_calls_quota_and_throttles_per_organization(usage: UsageStore) -> None:
    organization, other = uuid.uuid4(), uuid.uuid4()
    assert usage.acquire(organization, 5, budget=0)
    assert usage.acquire(organization, 1, budget=0)
    usage.record_throttled(organization)
    assert usage.today(organization) == Usage(
        datetime(2030, 1, 1).date(), calls=2, throttled=1, quota_used=6
    )
    assert usage.today(other) == Usage(datetime(2030, 1, 1).date())


def test_budget_refuses_the_call_beyond_it(usage: UsageStore) -> None:
    organization = uuid.uuid4()
    assert [usage.acquire(organization, 1, budget=2) for _ in range(3)] == [True, True, False]
    assert usage.today(organization).calls == 2
    assert usage.acquire(uuid.uuid4(), 1, budget=2)  # another organization has its own


def test_a_new_utc_day_starts_from_zero(usage: UsageStore, calendar: Calendar) -> None:
    organization = uuid.uuid4()
    assert usage.acquire(organization, 1, budget=1)
    assert not usage.acquire(organization, 1, budget=1)
    calendar.moment = datetime(2030, 1, 2, 0, 0, tzinfo=UTC)
    assert usage.acquire(organization, 1, budget=1)
    assert usage.today(organization) == Usage(datetime(2030, 1, 2).date(), calls=1, quota_used=1)


def test_redis_usage_keys_expire(redis_client: Redis, redis_prefix: str) -> None:
    organization = uuid.uuid4()
    RedisUsage(redis_client, prefix=redis_prefix).acquire(organization, 1, budget=0)
    key = f"{redis_prefix}:{organization}:{datetime.now(UTC).date().isoformat()}"
    assert redis_client.hgetall(key) == {b"calls": b"1", b"quota_used": b"1"}
    assert 3 * 86_400 - 5 <= redis_client.ttl(key) <= 3 * 86_400


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [(None, InProcessUsage), (REDIS_URL, RedisUsage)],
    ids=["embedded", "redis"],
)
def test_shared_usage_is_one_store_per_process(
    tmp_path: Path, redis_url: str | None, backend: type
) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=redis_url)
    store = shared_usage(settings)
    assert type(store) is backend
    assert shared_usage(Settings(data_dir=tmp_path, redis_url=redis_url)) is store


def test_usage_is_kept_per_scope_with_the_latest_throttles(usage: UsageStore) -> None:
    organization = uuid.uuid4()
    for _ in range(3):
        assert usage.acquire(organization, 1, budget=0, scope="cred/getItemOffers")
    assert usage.acquire(organization, 1, budget=0, scope="cred/getListingOffersBatch")
    usage.record_throttled(organization, "cred/getItemOffers")
    usage.record_throttled(organization, "cred/getListingOffersBatch")
    assert usage.scopes_today(organization) == {
        "cred/getItemOffers": ScopeUsage(calls=3, throttled=1),
        "cred/getListingOffersBatch": ScopeUsage(calls=1, throttled=1),
    }
    recent = usage.recent_throttles(organization)
    assert [throttle.scope for throttle in recent] == [
        "cred/getListingOffersBatch",
        "cred/getItemOffers",
    ]
    assert usage.today(organization).throttled == 2
    assert usage.scopes_today(uuid.uuid4()) == {}  # another organization's are its own
