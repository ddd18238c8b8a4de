"""The scraper's settings as read from the environment."""

import pytest

from shelfwise.integrations.scraper.settings import Component, ScraperSettings
from shelfwise.platform.settings import Settings


def test_defaults_are_a_polite_crawler() -> None:
    settings = ScraperSettings.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert (settings.min_delay, settings.max_delay) == (3.0, 8.0)
    assert (settings.robots_ttl, settings.retries, settings.timeout) == (86400.0, 2, 20.0)
    assert (settings.allow_loopback, settings.allowed_hosts, settings.disabled) == (
        False,
        frozenset(),
        frozenset(),
    )
    assert settings.page_url("amazon.de", "B0057OC5O8") == "https://www.amazon.de/dp/B0057OC5O8"


def test_environment_switches_components_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELFWISE_SCRAPER_DISABLED_COMPONENTS", '["cache", "user_agent"]')
    monkeypatch.setenv("SHELFWISE_SCRAPER_MIN_DELAY", "10")
    monkeypatch.setenv("SHELFWISE_SCRAPER_MAX_DELAY", "5")
    settings = ScraperSettings.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert settings.disabled == {Component.CACHE, Component.USER_AGENT}
    assert not settings.runs(Component.CACHE, frozenset())
    assert settings.runs(Component.THROTTLE, frozenset())
    assert not settings.runs(Component.THROTTLE, frozenset({Component.THROTTLE}))
    assert (settings.min_delay, settings.max_delay) == (10.0, 10.0)  # max never below min


def test_robots_cannot_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELFWISE_SCRAPER_DISABLED_COMPONENTS", '["robots"]')
    with pytest.raises(ValueError, match="scraper_disabled_components"):
        Settings(_env_file=None)  # type: ignore[call-arg]
