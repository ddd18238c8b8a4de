"""G3: robots.txt per RFC 9309, fetched once per host, obeyed before any page request."""

from datetime import timedelta

import pytest

from shelfwise.integrations.items import ItemFailure, ItemFailureCode
from shelfwise.integrations.scraper.client import ScraperClient
from shelfwise.integrations.scraper.errors import RobotsDisallowedError
from shelfwise.integrations.scraper.source import PageScraper
from tests.fakes.amazon_web import answers
from tests.fakes.amazon_web.server import FakeAmazonWeb
from tests.integrations.scraper.conftest import (
    BREAKER_COOLDOWN,
    ORGANIZATION,
    FakeClock,
    build,
    scraper_settings,
)

RELAY = "B0057OC5O8"
BOOK = "B07G2L3JMM"


def test_g3_disallowed_path_is_refused_and_never_fetched(
    fake: FakeAmazonWeb, client: ScraperClient
) -> None:
    fake.robots = answers.robots("User-agent: *\nDisallow: /dp/\n")
    results = PageScraper(client, ORGANIZATION).fetch_items([RELAY], "amazon.com")
    assert results == [
        ItemFailure(
            RELAY, ItemFailureCode.REFUSED, f"127.0.0.1's robots.txt disallows /dp/{RELAY}."
        )
    ]
    assert fake.paths() == ["/robots.txt"]


@pytest.mark.parametrize(
    ("robots", "allowed"),
    [
        pytest.param(
            f"User-agent: *\nDisallow: /dp/\nAllow: /dp/{RELAY}$\n", {RELAY}, id="longer-allow"
        ),
        pytest.param(
            f"User-agent: *\nAllow: /dp/\nDisallow: /dp/{BOOK}\n", {RELAY}, id="longer-disallow"
        ),
        pytest.param("User-agent: *\nDisallow: /dp/*M$\n", {RELAY}, id="wildcard-and-end"),
        pytest.param(
            "User-agent: shelfwise\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
            set(),
            id="our-own-group",
        ),
        pytest.param("User-agent: otherbot\nDisallow: /\n", {RELAY, BOOK}, id="others-group"),
    ],
)
def test_g3_longest_match_and_patterns(
    fake: FakeAmazonWeb, client: ScraperClient, robots: str, allowed: set[str]
) -> None:
    fake.robots = answers.robots(robots)
    results = PageScraper(client, ORGANIZATION).fetch_items([RELAY], "amazon.com")
    results += PageScraper(client, ORGANIZATION).fetch_items([BOOK], "amazon.com")
    fetched = {result.asin for result in results if not isinstance(result, ItemFailure)}
    assert fetched == allowed
    assert fake.paths() == ["/robots.txt"] + [
        f"/dp/{asin}" for asin in (RELAY, BOOK) if asin in allowed
    ]


def test_g3_robots_404_allows_everything(fake: FakeAmazonWeb, client: ScraperClient) -> None:
    fake.robots = answers.not_found()
    page = client.fetch(f"{fake.url}/dp/{RELAY}", ORGANIZATION)
    assert page.status == 200
    assert fake.paths() == ["/robots.txt", f"/dp/{RELAY}"]


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(answers.unavailable(), id="503"),
        pytest.param(answers.reset(), id="unreachable"),
    ],
)
def test_g3_robots_5xx_or_unreachable_disallows_everything_until_asked_again(
    fake: FakeAmazonWeb, client: ScraperClient, clock: FakeClock, answer: answers.Answer
) -> None:
    fake.robots = answer
    with pytest.raises(RobotsDisallowedError):
        client.fetch(f"{fake.url}/dp/{RELAY}", ORGANIZATION)
    with pytest.raises(RobotsDisallowedError):
        client.fetch(f"{fake.url}/dp/{RELAY}", ORGANIZATION)
    assert fake.paths() == ["/robots.txt"]  # the verdict is kept a while, not asked each time
    fake.robots = answers.robots("User-agent: *\nAllow: /\n")
    clock.now += BREAKER_COOLDOWN
    assert client.fetch(f"{fake.url}/dp/{RELAY}", ORGANIZATION).status == 200
    assert fake.paths() == ["/robots.txt", "/robots.txt", f"/dp/{RELAY}"]


def test_g3_robots_is_fetched_once_per_host_until_its_ttl(
    fake: FakeAmazonWeb, clock: FakeClock
) -> None:
    client = build(scraper_settings(fake.url, scraper_robots_ttl=timedelta(hours=1)), clock)
    scraper = PageScraper(client, ORGANIZATION)
    scraper.fetch_items([RELAY], "amazon.com")
    scraper.fetch_items([BOOK], "amazon.com")
    assert fake.paths() == ["/robots.txt", f"/dp/{RELAY}", f"/dp/{BOOK}"]
    fake.robots = answers.robots("User-agent: *\nDisallow: /\n")
    clock.now += 3600
    assert scraper.fetch_items([RELAY], "amazon.com") == [
        ItemFailure(
            RELAY, ItemFailureCode.REFUSED, f"127.0.0.1's robots.txt disallows /dp/{RELAY}."
        )
    ]
    assert fake.paths()[-1] == "/robots.txt"
    client.close()
