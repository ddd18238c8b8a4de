"""The vendor-call orchestrator against a local fake vendor that enforces a token bucket (G1, G2).

Time is a `FakeClock`: the orchestrator's pauses are recorded instead of slept, so every wait and
backoff is asserted exactly. Only the multi-process test runs on real time and a shared Redis.
"""

import multiprocessing
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis

from shelfwise.integrations.errors import (
    BudgetExceededError,
    RetryableError,
    VendorRejectedError,
)
from shelfwise.integrations.http import UsagePlan, VendorCaller, retry_after_seconds
from shelfwise.integrations.usage import InProcessUsage, Usage
from shelfwise.platform.breaker import BreakerState, CircuitBreakers
from shelfwise.platform.ratelimit import InProcessBuckets, RedisBuckets
from shelfwise.platform.settings import Settings
from tests.clock import FakeClock
from tests.fakes.token_bucket_server import CHALLENGE_PAGE, FakeVendor, Fault
from tests.redis_server import REDIS_URL

NOW = datetime(2030, 1, 1, 23, 0, tzinfo=UTC)  # one hour before midnight UTC
ROOMY = UsagePlan(rate_per_second=1000.0, burst=100)  # the limiter stays out of the way
CREDENTIAL = uuid.uuid4()


def highest(low: float, high: float) -> float:
    """Full jitter pinned to its upper bound, so backoffs are exact."""
    return high


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    with FakeVendor(rate_per_second=1000.0, burst=100) as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "vendor_rate_headroom": 0.0,
        "vendor_backoff_base": 0.5,
        "vendor_backoff_cap": 4,
        "vendor_max_attempts": 4,
        "vendor_timeout": 0.3,
        "vendor_max_queue_wait": 1,
        "breaker_failure_threshold": 3,
        "breaker_cooldown": 30,
        **overrides,
    }
    return Settings(data_dir=tmp_path, **values)


def make_caller(settings: Settings, clock: FakeClock, **overrides: Any) -> VendorCaller:
    parts: dict[str, Any] = {
        "buckets": InProcessBuckets(clock=clock.now),
        "breakers": CircuitBreakers.from_settings(settings, clock.now),
        "usage": InProcessUsage(clock=lambda: NOW),
        "sleep": clock.sleep,
        "jitter": highest,
        "now": lambda: NOW,
        **overrides,
    }
    return VendorCaller(settings, **parts)


def get(caller: VendorCaller, organization: uuid.UUID, url: str, **options: Any) -> httpx.Response:
    plan = options.pop("plan", ROOMY)
    return caller.call(organization, CREDENTIAL, "getItemOffers", plan, "GET", url, **options)


def test_g1_retry_after_is_honoured(tmp_path: Path, vendor: FakeVendor, clock: FakeClock) -> None:
    caller = make_caller(make_settings(tmp_path), clock)
    organization = uuid.uuid4()
    vendor.inject(Fault(status=429, retry_after="3"))
    response = get(caller, organization, f"{vendor.url}/offers")
    assert (response.status_code, response.json()) == (200, {"payload": {"accepted": 1}})
    assert clock.sleeps == [3.0]
    assert caller.usage.today(organization) == Usage(NOW.date(), calls=2, throttled=1, quota_used=2)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("7", 7.0), ("0", 0.0), ("Tue, 01 Jan 2030 23:00:42 GMT", 42.0), ("soon", None), (None, None)],
    ids=["seconds", "zero", "http-date", "garbage", "absent"],
)
def test_g1_retry_after_parses_seconds_and_http_dates(
    value: str | None, seconds: float | None
) -> None:
    assert retry_after_seconds(value, NOW) == seconds


def test_g1_5xx_is_retried_with_capped_full_jitter_backoff_then_succeeds(
    tmp_path: Path, vendor: FakeVendor, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path, breaker_failure_threshold=10, vendor_max_attempts=5)
    caller = make_caller(settings, clock)
    vendor.inject(Fault(status=500), Fault(status=502), Fault(status=503), Fault(status=500))
    response = get(caller, uuid.uuid4(), f"{vendor.url}/offers")
    assert response.status_code == 200
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]
    assert vendor.total("/offers").faulted == 4


def test_g1_backoff_draws_uniformly_up_to_the_capped_exponential(tmp_path: Path) -> None:
    draws: list[tuple[float, float]] = []

    def record(low: float, high: float) -> float:
        draws.append((low, high))
        return high / 2

    caller = make_caller(make_settings(tmp_path), FakeClock(), jitter=record)
    assert [caller.backoff(attempt) for attempt in range(1, 6)] == [0.25, 0.5, 1.0, 2.0, 2.0]
    assert draws == [(0.0, 0.5), (0.0, 1.0), (0.0, 2.0), (0.0, 4.0), (0.0, 4.0)]


@pytest.mark.parametrize("status", [400, 403, 404], ids=str)
def test_g1_other_4xx_are_terminal_and_not_retried(
    tmp_path: Path, vendor: FakeVendor, clock: FakeClock, status: int
) -> None:
    caller = make_caller(make_settings(tmp_path), clock)
    vendor.inject(Fault(status=status))
    with pytest.raises(VendorRejectedError) as raised:
        get(caller, uuid.uuid4(), f"{vendor.url}/offers")
    assert (raised.value.vendor_status, raised.value.is_retryable) == (status, False)
    assert (vendor.total("/offers").faulted, vendor.total("/offers").accepted) == (1, 0)
    assert clock.sleeps == []


def test_g1_timeout_is_retried(tmp_path: Path, vendor: FakeVendor, clock: FakeClock) -> None:
    caller = make_caller(make_settings(tmp_path), clock)
    vendor.inject(Fault(status=200, stall_seconds=1.0))
    response = get(caller, uuid.uuid4(), f"{vendor.url}/offers")
    assert response.status_code == 200
    assert clock.sleeps == [0.5]
    assert (vendor.total("/offers").faulted, vendor.total("/offers").accepted) == (1, 1)


def test_g1_retries_stop_at_max_attempts_with_a_retryable_error(
    tmp_path: Path, clock: FakeClock
) -> None:
    caller = make_caller(make_settings(tmp_path, breaker_failure_threshold=10), clock)
    with pytest.raises(RetryableError) as raised:  # nothing listens on port 9 of loopback
        get(caller, uuid.uuid4(), "http://127.0.0.1:9/offers")
    assert (raised.value.is_retryable, raised.value.defer_seconds) == (True, 4.0)
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_g1_retries_stop_when_the_retry_budget_is_spent(
    tmp_path: Path, vendor: FakeVendor, clock: FakeClock
) -> None:
    caller = make_caller(make_settings(tmp_path, vendor_retry_budget=2), clock)
    vendor.inject(Fault(status=503, retry_after="1"), Fault(status=503, retry_after="5"))
    with pytest.raises(RetryableError) as raised:
        get(caller, uuid.uuid4(), f"{vendor.url}/offers")
    assert raised.value.defer_seconds == 5.0
    assert clock.sleeps == [1.0]


def test_g2_breaker_opens_after_consecutive_failures_then_half_opens(
    tmp_path: Path, vendor: FakeVendor, clock: FakeClock
) -> None:
    caller = make_caller(make_settings(tmp_path, vendor_max_attempts=5), clock)
    vendor.inject(*[Fault(status=503)] * 3)
    organization = uuid.uuid4()
    with pytest.raises(RetryableError) as raised:
        get(caller, organization, f"{vendor.url}/offers")
    assert raised.value.defer_seconds == 30.0  # the breaker's cooldown, not another backoff
    assert clock.sleeps == [0.5, 1.0]
    breaker_key = f"{CREDENTIAL}:127.0.0.1"
    assert caller.breakers.state(breaker_key) is BreakerState.OPEN
    with pytest.raises(RetryableError):
        get(caller, organization, f"{vendor.url}/offers")
    assert vendor.total("/offers").faulted == 3  # the open breaker sent nothing
    clock.advance(30)
    assert caller.breakers.state(breaker_key) is BreakerState.HALF_OPEN
    assert get(caller, organization, f"{vendor.url}/offers").status_code == 200
    assert caller.breakers.state(breaker_key) is BreakerState.CLOSED


def test_g2_a_challenge_page_counts_as_a_failure(
    tmp_path: Path, vendor: FakeVendor, clock: FakeClock
) -> None:
    caller = make_caller(make_settings(tmp_path, vendor_max_attempts=3), clock)
    vendor.inject(*[Fault(is_challenge=True)] * 3)
    with pytest.raises(RetryableError):
        get(caller, uuid.uuid4(), f"{vendor.url}/page", is_challenge=is_robot_check)
    assert caller.breakers.state(f"{CREDENTIAL}:127.0.0.1") is BreakerState.OPEN
    assert vendor.total("/page").faulted == 3


def is_robot_check(response: httpx.Response) -> bool:
    return response.content == CHALLENGE_PAGE


def test_g1_rate_limit_header_lowers_the_rate(tmp_path: Path, clock: FakeClock) -> None:
    caller = make_caller(make_settings(tmp_path), clock)
    plan = UsagePlan(rate_per_second=4.0, burst=1)
    organization = uuid.uuid4()
    with FakeVendor(rate_per_second=1000.0, burst=100, advertised_rate=2.0) as vendor:
        for _ in range(3):
            get(caller, organization, f"{vendor.url}/offers", plan=plan)
    assert clock.sleeps == [0.25, 0.5]  # the first slot was booked at 4/s, then 2/s


def test_g1_the_departure_is_recorded_when_the_request_leaves(
    tmp_path: Path, vendor: FakeVendor, clock: FakeClock
) -> None:
    """The process is 0.125 s late between its turn and the send: the next turn moves back."""
    late = httpx.Client(event_hooks={"request": [lambda _request: clock.advance(0.125)]})
    caller = make_caller(make_settings(tmp_path), clock, client=late)
    organization = uuid.uuid4()
    plan = UsagePlan(rate_per_second=4.0, burst=1)
    with FakeVendor(rate_per_second=1000.0, burst=100, advertised_rate=4.0) as vendor:
        get(caller, organization, f"{vendor.url}/offers", plan=plan)
    late.close()
    key = f"{organization}:{CREDENTIAL}:getItemOffers"
    # Left at 0.125 s, so the next may leave at 0.375 s; it is 0.125 s now. Booked at the
    # turn (0 s) instead, the wait would be 0.125 s.
    assert caller.buckets.clear_to_send(key, 4.0, 1) == 0.25


def test_g1_daily_budget_exhausted_raises_until_midnight(
    tmp_path: Path, vendor: FakeVendor, clock: FakeClock
) -> None:
    caller = make_caller(make_settings(tmp_path, vendor_daily_call_budget=2), clock)
    organization = uuid.uuid4()
    get(caller, organization, f"{vendor.url}/offers", quota_units=5)
    get(caller, organization, f"{vendor.url}/offers", quota_units=5)
    with pytest.raises(BudgetExceededError) as raised:
        get(caller, organization, f"{vendor.url}/offers", quota_units=5)
    assert (raised.value.is_retryable, raised.value.defer_seconds) == (True, 3600.0)
    assert vendor.total("/offers").accepted == 2
    assert caller.usage.today(organization) == Usage(NOW.date(), calls=2, quota_used=10)
    assert get(caller, uuid.uuid4(), f"{vendor.url}/offers").status_code == 200  # others go on


def test_g2_one_organization_throttled_never_delays_another(
    tmp_path: Path, clock: FakeClock
) -> None:
    caller = make_caller(make_settings(tmp_path, vendor_max_queue_wait=1), clock)
    slow = UsagePlan(rate_per_second=0.5, burst=1)
    throttled, other = uuid.uuid4(), uuid.uuid4()
    with FakeVendor(rate_per_second=1000.0, burst=100, advertised_rate=0.5) as vendor:
        get(caller, throttled, f"{vendor.url}/a", plan=slow)
        with pytest.raises(RetryableError) as raised:
            get(caller, throttled, f"{vendor.url}/a", plan=slow)
        assert raised.value.defer_seconds == 2.0  # deferred to the queue at once, not slept
        assert get(caller, other, f"{vendor.url}/b", plan=slow).status_code == 200
        assert (vendor.total("/a").accepted, vendor.total("/b").accepted) == (1, 1)
    assert clock.sleeps == []


def test_g1_a_short_queue_wait_is_slept(tmp_path: Path, clock: FakeClock) -> None:
    caller = make_caller(make_settings(tmp_path, vendor_max_queue_wait=1), clock)
    plan = UsagePlan(rate_per_second=2.0, burst=1)
    organization = uuid.uuid4()
    with FakeVendor(rate_per_second=1000.0, burst=100, advertised_rate=2.0) as vendor:
        for _ in range(3):
            get(caller, organization, f"{vendor.url}/offers", plan=plan)
    assert clock.sleeps == [0.5, 0.5]


def call_from_worker(
    url: str, prefix: str, credential: uuid.UUID, calls: int, ready: Any, start: Any
) -> None:
    """One worker process: its own caller on the shared Redis buckets."""
    organization = uuid.UUID(int=1)
    settings = Settings(vendor_max_queue_wait=60, vendor_backoff_base=0.05)
    buckets = RedisBuckets(Redis.from_url(REDIS_URL), prefix=prefix)
    caller = VendorCaller(settings, buckets=buckets, usage=InProcessUsage())
    plan = UsagePlan(rate_per_second=20.0, burst=5)
    caller.call(organization, credential, "warm-up", ROOMY, "GET", f"{url}/warm-up")
    ready.release()
    start.wait()
    for _ in range(calls):
        caller.call(organization, credential, "getItemOffers", plan, "GET", f"{url}/offers")
    caller.close()


@pytest.mark.slow
def test_g1_worker_processes_sharing_one_bucket_see_no_429(redis_prefix: str) -> None:
    """Steady state: three started, connected workers, one bucket in Redis, 20/s burst 5."""
    spawn = multiprocessing.get_context("spawn")
    ready, start = spawn.Semaphore(0), spawn.Event()
    with FakeVendor(rate_per_second=20.0, burst=5) as vendor:
        arguments = (vendor.url, redis_prefix, CREDENTIAL, 20, ready, start)
        workers = [spawn.Process(target=call_from_worker, args=arguments) for _ in range(3)]
        for worker in workers:
            worker.start()
        for _ in workers:
            assert ready.acquire(timeout=60)
        start.set()
        for worker in workers:
            worker.join(timeout=60)
        assert [worker.exitcode for worker in workers] == [0, 0, 0]
        counts = vendor.total("/offers")
    assert (counts.accepted, counts.throttled) == (60, 0)
