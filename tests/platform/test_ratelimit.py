"""Token buckets (G1): reservations, burst, max_wait, run-time correction; both backends."""

import math
import threading
from pathlib import Path

import pytest
from redis import Redis

from shelfwise.platform.ratelimit import InProcessBuckets, RedisBuckets, build_buckets
from shelfwise.platform.settings import Settings
from tests.clock import FakeClock
from tests.redis_server import REDIS_URL

# A slow rate (one call per 1,000 s) makes Redis' real clock irrelevant to the waits: the
# microseconds between two reservations change a wait by far less than rounding to seconds.
SLOW_RATE = 0.001


def test_g1_in_process_reservations_follow_rate_and_burst() -> None:
    clock = FakeClock()
    buckets = InProcessBuckets(clock=clock.now)
    waits = [buckets.reserve("org:cred:op", 2.0, 3) for _ in range(6)]
    assert waits == [0.0, 0.0, 0.0, 0.5, 1.0, 1.5]


def test_g1_in_process_bucket_refills_only_up_to_its_burst() -> None:
    clock = FakeClock()
    buckets = InProcessBuckets(clock=clock.now)
    for _ in range(3):
        buckets.reserve("key", 2.0, 3)
    clock.advance(3600)
    waits = [buckets.reserve("key", 2.0, 3) for _ in range(4)]
    assert waits == [0.0, 0.0, 0.0, 0.5]


def test_g1_reservation_waits_are_consumed_as_time_passes() -> None:
    clock = FakeClock()
    buckets = InProcessBuckets(clock=clock.now)
    assert buckets.reserve("key", 4.0, 1) == 0.0
    assert buckets.reserve("key", 4.0, 1) == 0.25
    clock.advance(0.25)
    assert buckets.reserve("key", 4.0, 1) == 0.25


def test_g1_a_wait_above_max_wait_reserves_nothing() -> None:
    clock = FakeClock()
    buckets = InProcessBuckets(clock=clock.now)
    assert buckets.reserve("key", 1.0, 1) == 0.0
    assert buckets.reserve("key", 1.0, 1) == 1.0
    assert buckets.reserve("key", 1.0, 1, max_wait=1.5) == 2.0
    assert buckets.reserve("key", 1.0, 1) == 2.0  # the refused reservation took no slot


def test_g1_keys_are_independent() -> None:
    clock = FakeClock()
    buckets = InProcessBuckets(clock=clock.now)
    assert buckets.reserve("org-a:cred:op", 1.0, 1) == 0.0
    assert buckets.reserve("org-a:cred:op", 1.0, 1) == 1.0
    assert buckets.reserve("org-b:cred:op", 1.0, 1) == 0.0


def test_g1_observed_limit_replaces_the_plan_rate() -> None:
    clock = FakeClock()
    buckets = InProcessBuckets(clock=clock.now)
    assert buckets.reserve("key", 4.0, 1) == 0.0
    buckets.observe_limit("key", 2.0)
    assert buckets.reserve("key", 4.0, 1) == 0.25  # the slot booked at the old rate
    assert buckets.reserve("key", 4.0, 1) == 0.75  # then 0.5 s per call
    buckets.observe_limit("key", 0.0)  # nonsense from a header is ignored
    assert buckets.reserve("key", 4.0, 1) == 1.25


def test_g1_headroom_slows_reservations_only() -> None:
    clock = FakeClock()
    buckets = InProcessBuckets(headroom=0.5, clock=clock.now)
    assert [buckets.reserve("key", 4.0, 1) for _ in range(3)] == [0.0, 0.5, 1.0]
    assert [buckets.clear_to_send("key", 4.0, 1) for _ in range(2)] == [0.0, 0.25]


def test_g1_a_call_that_left_late_pushes_the_next_one_back() -> None:
    """Two calls booked 0.25 s apart; the first leaves 0.125 s late, so the second waits too."""
    clock = FakeClock()
    buckets = InProcessBuckets(clock=clock.now)
    assert (buckets.reserve("key", 4.0, 1), buckets.clear_to_send("key", 4.0, 1)) == (0.0, 0.0)
    clock.advance(0.125)  # the process was not scheduled in time
    buckets.sent("key", 4.0)
    assert buckets.reserve("key", 4.0, 1) == 0.125
    clock.advance(0.125)
    assert buckets.clear_to_send("key", 4.0, 1) == 0.125
    assert buckets.clear_to_send("key", 4.0, 1) == 0.125  # asking books nothing
    clock.advance(0.125)
    assert buckets.clear_to_send("key", 4.0, 1) == 0.0


def test_g1_clear_to_send_allows_the_burst() -> None:
    clock = FakeClock()
    buckets = InProcessBuckets(clock=clock.now)
    assert [buckets.clear_to_send("key", 2.0, 3) for _ in range(4)] == [0.0, 0.0, 0.0, 0.5]


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)], ids=str)
def test_invalid_plans_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate must be > 0 and burst >= 1"):
        InProcessBuckets().reserve("key", rate, burst)


def test_g1_redis_reservations_follow_rate_and_burst(
    redis_client: Redis, redis_prefix: str
) -> None:
    buckets = RedisBuckets(redis_client, prefix=redis_prefix)
    waits = [round(buckets.reserve("org:cred:op", SLOW_RATE, 2)) for _ in range(4)]
    assert waits == [0, 0, 1000, 2000]
    assert round(buckets.reserve("org:cred:op", SLOW_RATE, 2, max_wait=10)) == 3000
    assert round(buckets.reserve("org:cred:op", SLOW_RATE, 2)) == 3000
    assert buckets.clear_to_send("org:cred:op", SLOW_RATE, 2) == 0.0
    assert sorted(key.decode() for key in redis_client.scan_iter(match=f"{redis_prefix}:*")) == [
        f"{redis_prefix}:org:cred:op:arrival",
        f"{redis_prefix}:org:cred:op:departure",
    ]


def test_g1_redis_headroom_slows_reservations(redis_client: Redis, redis_prefix: str) -> None:
    buckets = RedisBuckets(redis_client, prefix=redis_prefix, headroom=0.5)
    assert [round(buckets.reserve("key", SLOW_RATE, 1)) for _ in range(2)] == [0, 2000]


def test_g1_redis_send_schedule_follows_actual_departures(
    redis_client: Redis, redis_prefix: str
) -> None:
    buckets = RedisBuckets(redis_client, prefix=redis_prefix)
    assert round(buckets.clear_to_send("key", SLOW_RATE, 2)) == 0
    assert round(buckets.clear_to_send("key", SLOW_RATE, 2)) == 0
    assert round(buckets.clear_to_send("key", SLOW_RATE, 2)) == 1000
    assert round(buckets.clear_to_send("key", SLOW_RATE, 2)) == 1000  # asking books nothing
    buckets.sent("other", 1000.0)  # a fast call, then a late departure recorded at a slow rate
    assert round(buckets.clear_to_send("other", 1000.0, 1)) == 0
    buckets.sent("other", SLOW_RATE)
    assert round(buckets.clear_to_send("other", 1000.0, 1)) == 1000


def test_g1_redis_bucket_is_shared_by_concurrent_clients(redis_prefix: str) -> None:
    """Ten connections (as from ten processes) reserving at once each get their own slot."""
    waits: list[int] = []
    lock = threading.Lock()

    def reserve() -> None:
        client = Redis.from_url(REDIS_URL)
        wait = RedisBuckets(client, prefix=redis_prefix).reserve("shared", SLOW_RATE, 2)
        client.close()
        with lock:
            waits.append(round(wait))

    threads = [threading.Thread(target=reserve) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [0, 0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]


def test_g1_redis_observed_limit_is_shared(redis_client: Redis, redis_prefix: str) -> None:
    first = RedisBuckets(redis_client, prefix=redis_prefix)
    second = RedisBuckets(Redis.from_url(REDIS_URL), prefix=redis_prefix)
    assert round(first.reserve("key", 1.0, 1)) == 0
    second.observe_limit("key", SLOW_RATE)
    assert round(first.reserve("key", 1.0, 1)) == 1  # booked at the old rate
    assert round(first.reserve("key", 1.0, 1)) == 1001
    assert redis_client.get(f"{redis_prefix}:key:rate") == b"0.001"
    assert math.isclose(redis_client.ttl(f"{redis_prefix}:key:rate"), 86_400, abs_tol=5)


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [(None, InProcessBuckets), (REDIS_URL, RedisBuckets)],
    ids=["embedded", "redis"],
)
def test_build_buckets_chooses_redis_when_configured(
    tmp_path: Path, redis_url: str | None, backend: type
) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=redis_url)
    assert type(build_buckets(settings)) is backend
