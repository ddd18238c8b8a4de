"""The page cache: a hit sends no request, entries are per organization (A5), and only whole
product pages are kept."""

import uuid

import pytest

from shelfwise.integrations.errors import RetryableError
from shelfwise.integrations.scraper.client import ScraperClient
from tests.fakes.amazon_web import answers
from tests.fakes.amazon_web.server import FakeAmazonWeb
from tests.integrations.scraper.conftest import ORGANIZATION

PATH = "/dp/B0057OC5O8"


def url(fake: FakeAmazonWeb) -> str:
    return f"{fake.url}{PATH}"


def test_cache_hit_sends_no_second_request_and_is_per_organization(
    fake: FakeAmazonWeb, client: ScraperClient
) -> None:
    first = client.fetch(url(fake), ORGANIZATION)
    second = client.fetch(url(fake), ORGANIZATION)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.page is not None and second.page.title == "SainSmart 4-Channel Relay Module"
    assert fake.paths() == ["/robots.txt", PATH]
    other = client.fetch(url(fake), uuid.UUID("00000000-0000-4000-8000-000000000002"))
    assert other.from_cache is False  # A5: one organization never reads another's entries
    assert fake.paths() == ["/robots.txt", PATH, PATH]


def test_challenge_pages_are_never_cached(fake: FakeAmazonWeb, client: ScraperClient) -> None:
    fake.script(PATH, [answers.captcha()])
    with pytest.raises(RetryableError):
        client.fetch(url(fake), ORGANIZATION)
    assert client.fetch(url(fake), ORGANIZATION).from_cache is False
    assert client.fetch(url(fake), ORGANIZATION).from_cache is True
    assert fake.paths() == ["/robots.txt", PATH, PATH]
