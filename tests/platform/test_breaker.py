"""Circuit breakers per (credential, host) (G2): open, refuse, half-open with one trial, close."""

from pathlib import Path

from shelfwise.platform.breaker import BreakerState, CircuitBreakers
from shelfwise.platform.settings import Settings
from tests.clock import FakeClock

KEY = "credential-1:sellingpartnerapi-eu.amazon.com"


def open_breaker(clock: FakeClock) -> CircuitBreakers:
    breakers = CircuitBreakers(threshold=3, cooldown=30.0, clock=clock.now)
    for _ in range(3):
        breakers.record_failure(KEY)
    return breakers


def test_g2_breaker_stays_closed_below_the_threshold_and_a_success_resets_it() -> None:
    breakers = CircuitBreakers(threshold=3, cooldown=30.0, clock=FakeClock().now)
    breakers.record_failure(KEY)
    breakers.record_failure(KEY)
    breakers.record_success(KEY)
    breakers.record_failure(KEY)
    breakers.record_failure(KEY)
    assert breakers.state(KEY) is BreakerState.CLOSED
    assert breakers.allow(KEY) == 0.0


def test_g2_breaker_opens_after_consecutive_failures_and_refuses_until_cooldown() -> None:
    clock = FakeClock()
    breakers = open_breaker(clock)
    assert breakers.state(KEY) is BreakerState.OPEN
    assert breakers.allow(KEY) == 30.0
    clock.advance(10)
    assert breakers.allow(KEY) == 20.0
    assert breakers.allow("credential-1:other-host.example") == 0.0


def test_g2_breaker_half_opens_for_one_trial_that_closes_it_on_success() -> None:
    clock = FakeClock()
    breakers = open_breaker(clock)
    clock.advance(30)
    assert breakers.state(KEY) is BreakerState.HALF_OPEN
    assert breakers.allow(KEY) == 0.0  # the trial
    clock.advance(1)
    assert breakers.allow(KEY) == 29.0  # a second caller waits for the trial's outcome
    breakers.record_success(KEY)
    assert breakers.state(KEY) is BreakerState.CLOSED
    assert breakers.allow(KEY) == 0.0


def test_g2_a_failed_trial_opens_the_breaker_for_another_cooldown() -> None:
    clock = FakeClock()
    breakers = open_breaker(clock)
    clock.advance(30)
    assert breakers.allow(KEY) == 0.0
    breakers.record_failure(KEY)
    assert breakers.state(KEY) is BreakerState.OPEN
    assert breakers.allow(KEY) == 30.0


def test_g2_a_trial_that_never_reports_back_stops_blocking_after_a_cooldown() -> None:
    clock = FakeClock()
    breakers = open_breaker(clock)
    clock.advance(30)
    assert breakers.allow(KEY) == 0.0
    clock.advance(30)
    assert breakers.allow(KEY) == 0.0  # a new trial


def test_breakers_from_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, breaker_failure_threshold=2, breaker_cooldown=7)
    clock = FakeClock()
    breakers = CircuitBreakers.from_settings(settings, clock.now)
    breakers.record_failure(KEY)
    breakers.record_failure(KEY)
    assert breakers.allow(KEY) == 7.0
