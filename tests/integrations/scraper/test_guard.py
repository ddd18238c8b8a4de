"""E5: only Amazon storefronts, never an address inside our network, checked on every redirect
before any connection; pages capped in size."""

from collections.abc import Iterator

import httpx
import pytest

from shelfwise.integrations.items import ItemFailure, ItemFailureCode
from shelfwise.integrations.scraper.errors import AddressRefusedError, PageTooLargeError
from shelfwise.integrations.scraper.guard import AddressGuard
from shelfwise.integrations.scraper.source import PageScraper
from tests.fakes.amazon_web import answers
from tests.fakes.amazon_web.server import FakeAmazonWeb
from tests.integrations.scraper.conftest import ORGANIZATION, FakeClock, build, scraper_settings

PATH = "/dp/B0057OC5O8"


def guard(resolved: dict[str, list[str]], **overrides: object) -> AddressGuard:
    settings = scraper_settings("http://127.0.0.1:1", **overrides)
    return AddressGuard(settings, resolver=lambda host: resolved[host])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        pytest.param(
            "https://example.com/dp/X", "example.com is not an Amazon storefront.", id="other-host"
        ),
        pytest.param(
            "https://www.amazon.com.evil.test/",
            "www.amazon.com.evil.test is not an Amazon storefront.",
            id="lookalike",
        ),
        pytest.param(
            "ftp://www.amazon.com/", "Only http and https pages are fetched, not ftp.", id="scheme"
        ),
        pytest.param(
            "https://www.amazon.de/",
            "www.amazon.de is inside a private network (10.1.2.3).",
            id="resolves-private",
        ),
        pytest.param(
            "https://amazon.de/",
            "amazon.de is inside a private network (10.1.2.3).",
            id="mapped-v6",
        ),
        pytest.param(
            "https://www.amazon.co.uk/",
            "www.amazon.co.uk is a cloud metadata address (169.254.169.254).",
            id="metadata",
        ),
        pytest.param(
            "https://www.amazon.fr/",
            "www.amazon.fr is inside a private network (127.0.0.1).",
            id="loopback",
        ),
        pytest.param(
            "https://www.amazon.it/",
            "www.amazon.it is inside a private network (100.64.0.1).",
            id="shared-cgnat",
        ),
        pytest.param(
            "https://www.amazon.es/",
            "www.amazon.es is inside a private network (224.0.0.1).",
            id="multicast",
        ),
    ],
)
def test_e5_guard_refuses(url: str, reason: str) -> None:
    resolved = {
        "www.amazon.de": ["52.95.120.1", "10.1.2.3"],  # one bad address is enough to refuse
        "amazon.de": ["::ffff:10.1.2.3"],
        "www.amazon.co.uk": ["169.254.169.254"],
        "www.amazon.fr": ["127.0.0.1"],
        "www.amazon.it": ["100.64.0.1"],
        "www.amazon.es": ["224.0.0.1"],
    }
    with pytest.raises(AddressRefusedError) as refused:
        guard(resolved, scraper_allow_loopback=False).check(httpx.URL(url))
    assert refused.value.reason == reason


def test_e5_guard_lets_storefronts_on_public_addresses_through() -> None:
    checker = guard({"www.amazon.com": ["52.94.236.248", "2600:9000:2000::1"]})
    checker.check(httpx.URL("https://www.amazon.com/dp/B0057OC5O8"))  # raises when refused


def test_e5_loopback_fake_is_refused_without_the_test_switch(
    fake: FakeAmazonWeb, clock: FakeClock
) -> None:
    client = build(scraper_settings(fake.url, scraper_allow_loopback=False), clock)
    results = PageScraper(client, ORGANIZATION).fetch_items(["B0057OC5O8"], "amazon.com")
    assert results == [
        ItemFailure(
            "B0057OC5O8",
            ItemFailureCode.REFUSED,
            "127.0.0.1 is inside a private network (127.0.0.1).",
        )
    ]
    assert fake.requests == []
    client.close()


@pytest.mark.parametrize(
    ("location", "allowed", "reason"),
    [
        pytest.param(
            "http://10.0.0.1/dp/X", [], "10.0.0.1 is not an Amazon storefront.", id="private-host"
        ),
        pytest.param(
            "http://10.0.0.1/dp/X",
            ["10.0.0.1"],
            "10.0.0.1 is inside a private network (10.0.0.1).",
            id="private-allowed-name",
        ),
        pytest.param(
            "http://169.254.169.254/latest/meta-data/",
            ["169.254.169.254"],
            "169.254.169.254 is a cloud metadata address (169.254.169.254).",
            id="metadata",
        ),
    ],
)
def test_e5_redirect_to_a_private_address_is_refused_before_connecting(
    fake: FakeAmazonWeb, clock: FakeClock, location: str, allowed: list[str], reason: str
) -> None:
    settings = scraper_settings(fake.url, scraper_allowed_hosts=["127.0.0.1", *allowed])
    connected: list[str] = []

    def network(request: httpx.Request) -> httpx.Response:
        """Stands for the network beyond the guard: the fake for loopback, nothing else."""
        connected.append(str(request.url))
        if request.url.host != "127.0.0.1":
            raise AssertionError(f"connected to {request.url}")
        answer = fake.answer(request.url.path, request.headers["user-agent"])
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)

    client = build(settings, clock, transport=httpx.MockTransport(network))
    fake.script(PATH, [answers.redirect(location)])
    with pytest.raises(AddressRefusedError) as refused:
        client.fetch(f"{fake.url}{PATH}", ORGANIZATION)
    assert refused.value.reason == reason
    assert connected == [f"{fake.url}/robots.txt", f"{fake.url}{PATH}"]
    client.close()


def test_e5_redirects_within_amazon_are_followed(fake: FakeAmazonWeb, clock: FakeClock) -> None:
    client = build(scraper_settings(fake.url), clock)
    fake.script("/dp/OLDASIN001", [answers.redirect(PATH, status=301)])
    page = client.fetch(f"{fake.url}/dp/OLDASIN001", ORGANIZATION)
    assert (page.url, page.status) == (f"{fake.url}{PATH}", 200)
    assert fake.paths() == ["/robots.txt", "/dp/OLDASIN001", PATH]
    client.close()


def test_e5_oversize_page_is_refused(fake: FakeAmazonWeb, clock: FakeClock) -> None:
    client = build(scraper_settings(fake.url, scraper_max_page_bytes=10_000), clock)
    fake.script(PATH, [answers.oversize(20_000)])
    results = PageScraper(client, ORGANIZATION).fetch_items(["B0057OC5O8"], "amazon.com")
    assert results == [
        ItemFailure(
            "B0057OC5O8",
            ItemFailureCode.REFUSED,
            "The page is larger than 10000 bytes (20013).",
        )
    ]
    client.close()


def test_e5_oversize_body_without_a_length_is_cut_while_streaming(clock: FakeClock) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            sent.append(4096)
            yield b"x" * 4096

    def network(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, content=chunks())

    settings = scraper_settings("http://127.0.0.1:1", scraper_max_page_bytes=10_000)
    client = build(settings, clock, transport=httpx.MockTransport(network), resolver=None)
    with pytest.raises(PageTooLargeError) as refused:
        client.fetch(f"http://127.0.0.1:1{PATH}", ORGANIZATION)
    assert refused.value.reason == "The page is larger than 10000 bytes."
    assert len(sent) == 3  # stopped reading at the first chunk past the cap
    client.close()
