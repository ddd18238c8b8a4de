"""A scraper wired to the fake Amazon web server, on a clock the tests move (no real pauses)."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from shelfwise.integrations.scraper.client import ScraperClient
from shelfwise.integrations.scraper.settings import AMAZON_DOMAINS, ScraperSettings
from shelfwise.integrations.scraper.throttle import HostThrottle
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.cache import InProcessCache
from shelfwise.platform.settings import Settings
from tests.fakes.amazon_web.server import FakeAmazonWeb

ORGANIZATION = uuid.UUID("00000000-0000-4000-8000-000000000001")
MARKETPLACES = sorted(AMAZON_DOMAINS)
BREAKER_THRESHOLD = 3
BREAKER_COOLDOWN = 30.0


@dataclass
class FakeClock:
    """Monotonic time that moves only when something sleeps on it."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def middle(low: float, high: float) -> float:
    """A 'random' pick that tests can predict: the middle of the range."""
    return (low + high) / 2


def scraper_settings(base_url: str, **overrides: Any) -> ScraperSettings:
    """The scraper's settings with every marketplace pointed at `base_url` (a local fake)."""
    values: dict[str, Any] = {
        "scraper_base_urls": dict.fromkeys(MARKETPLACES, base_url),
        "scraper_allowed_hosts": ["127.0.0.1"],
        "scraper_allow_loopback": True,
        "scraper_timeout": timedelta(seconds=0.5),
        "vendor_backoff_base": timedelta(seconds=1),
        "breaker_cooldown": timedelta(seconds=BREAKER_COOLDOWN),
    }
    settings = Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]
    return ScraperSettings.from_settings(settings)


def build(settings: ScraperSettings, clock: FakeClock, **extra: Any) -> ScraperClient:
    throttle = extra.pop("throttle", None) or HostThrottle(
        settings.min_delay, settings.max_delay, clock=clock, sleep=clock.sleep, uniform=middle
    )
    return ScraperClient(
        settings,
        cache=InProcessCache(100, timedelta(hours=1), clock=clock),
        breakers=CircuitBreakers(BREAKER_THRESHOLD, BREAKER_COOLDOWN, clock),
        throttle=throttle,
        clock=clock,
        sleep=clock.sleep,
        jitter=middle,
        **extra,
    )


@pytest.fixture
def fake(shared_data: Path) -> Iterator[FakeAmazonWeb]:
    with FakeAmazonWeb() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(fake: FakeAmazonWeb, clock: FakeClock) -> Iterator[ScraperClient]:
    scraper = build(scraper_settings(fake.url), clock)
    yield scraper
    scraper.close()
