"""The chain against the fake Amazon web server: retries, breaker, challenges, cache, switches."""

import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from shelfwise.integrations.amazon_pages import Money
from shelfwise.integrations.errors import RetryableError, VendorRejectedError
from shelfwise.integrations.http import shared_limits
from shelfwise.integrations.scraper.client import ScraperClient, build_client
from shelfwise.integrations.scraper.settings import Component, ScraperSettings
from shelfwise.platform.settings import Settings
from tests.fakes.amazon_web import answers
from tests.fakes.amazon_web.server import FakeAmazonWeb
from tests.integrations.scraper.conftest import (
    BREAKER_COOLDOWN,
    ORGANIZATION,
    FakeClock,
    build,
    scraper_settings,
)

ASIN = "B0057OC5O8"
PATH = f"/dp/{ASIN}"
ERROR_SHELL = "1982181281_com_2025_errorstate.html"


def url(fake: FakeAmazonWeb) -> str:
    return f"{fake.url}{PATH}"


def test_g2_retries_a_503_and_a_stall_with_backoff_then_reads_the_page(
    fake: FakeAmazonWeb, client: ScraperClient, clock: FakeClock
) -> None:
    fake.script(PATH, [answers.unavailable(), answers.stall(2.0)])
    page = client.fetch(url(fake), ORGANIZATION)
    assert page.page is not None
    assert (page.status, page.page.page_type, page.page.title) == (
        200,
        "product",
        "SainSmart 4-Channel Relay Module",
    )
    assert fake.paths() == ["/robots.txt", PATH, PATH, PATH]
    # Throttle 5.5 s (the middle of 3-8), backoff 0.5 s, the throttle doubled by the 503 (11 s
    # from the 503, 10.5 s after the backoff), backoff 1 s, the throttle doubled again (22 s).
    assert clock.sleeps == [5.5, 0.5, 10.5, 1.0, 21.0]
    # The success right after errors does not speed the host up again.
    assert client.throttle.slowdown("127.0.0.1") == 4.0


def test_g2_retry_after_of_a_503_is_the_pause(
    fake: FakeAmazonWeb, client: ScraperClient, clock: FakeClock
) -> None:
    fake.script(PATH, [answers.unavailable(retry_after="7")])
    client.fetch(url(fake), ORGANIZATION)
    assert clock.sleeps[:2] == [5.5, 7.0]


def test_g2_gives_up_after_the_retries_with_a_retry_after(
    fake: FakeAmazonWeb, clock: FakeClock
) -> None:
    client = build(scraper_settings(fake.url, scraper_retries=1), clock)
    fake.script(PATH, [answers.unavailable()] * 2)
    with pytest.raises(RetryableError) as raised:
        client.fetch(url(fake), ORGANIZATION)
    assert raised.value.detail == "Amazon answered 503. Try again later."
    assert fake.paths() == ["/robots.txt", PATH, PATH]
    # The next request to the host may leave only after the slowed-down delay (4 x 5.5 s).
    assert raised.value.defer_seconds == 22.0
    client.close()


def test_g2_captcha_200_counts_as_failure_and_opens_the_breaker(
    fake: FakeAmazonWeb, client: ScraperClient, clock: FakeClock
) -> None:
    fake.script(PATH, [answers.captcha(), answers.captcha(), answers.signin()])
    details = []
    for _ in range(3):
        with pytest.raises(RetryableError) as raised:
            client.fetch(url(fake), ORGANIZATION)
        details.append(raised.value.detail)
    assert details == [
        "Amazon answered with a captcha page. Try again later.",
        "Amazon answered with a captcha page. Try again later.",
        "Amazon answered with a signin page. 127.0.0.1's breaker is now open.",
    ]
    assert raised.value.defer_seconds == BREAKER_COOLDOWN
    assert fake.paths() == ["/robots.txt", PATH, PATH, PATH]  # a challenge is not retried at once

    clock.now += 10
    with pytest.raises(RetryableError) as refused:
        client.fetch(url(fake), ORGANIZATION)
    assert refused.value.detail == "127.0.0.1 keeps failing; its breaker is open."
    assert refused.value.defer_seconds == BREAKER_COOLDOWN - 10
    assert len(fake.requests) == 4  # refused without a request reaching the server

    clock.now += BREAKER_COOLDOWN  # half-open: one trial goes, and its success closes it
    page = client.fetch(url(fake), ORGANIZATION)
    assert page.page is not None and page.page.page_type == "product"
    assert client.breakers.state("scraper:127.0.0.1") == "closed"


def test_g2_error_shell_is_a_retried_failure_not_an_empty_product(
    fake: FakeAmazonWeb, client: ScraperClient
) -> None:
    fake.script(PATH, [answers.page(ERROR_SHELL)])
    page = client.fetch(url(fake), ORGANIZATION)
    assert page.page is not None
    assert page.page.page_type == "product"
    assert page.page.price == Money(Decimal("8.99"), "USD")
    assert fake.paths() == ["/robots.txt", PATH, PATH]


def test_g2_truncated_html_and_a_reset_connection_are_failures_not_crashes(
    fake: FakeAmazonWeb, client: ScraperClient
) -> None:
    fake.script(PATH, [answers.truncated("B0057OC5O8_com_2024.html", 200_000), answers.reset()])
    page = client.fetch(url(fake), ORGANIZATION)
    assert page.page is not None and page.page.page_type == "product"
    assert fake.paths() == ["/robots.txt", PATH, PATH, PATH]


def test_components_are_skippable_per_request(
    fake: FakeAmazonWeb, client: ScraperClient, clock: FakeClock
) -> None:
    skip = frozenset({Component.THROTTLE, Component.CACHE, Component.RETRY})
    client.fetch(url(fake), ORGANIZATION, skip)
    client.fetch(url(fake), ORGANIZATION, skip)
    assert clock.sleeps == []
    assert fake.paths() == ["/robots.txt", PATH, PATH]
    fake.script(PATH, [answers.unavailable()])
    with pytest.raises(RetryableError):
        client.fetch(url(fake), ORGANIZATION, skip)
    assert fake.paths() == ["/robots.txt", PATH, PATH, PATH]  # no retry


def test_components_switch_off_in_settings(fake: FakeAmazonWeb, clock: FakeClock) -> None:
    settings = scraper_settings(fake.url, scraper_disabled_components=["challenge", "retry"])
    client = build(settings, clock)
    fake.script(PATH, [answers.captcha()])
    page = client.fetch(url(fake), ORGANIZATION)
    assert page.page is not None and page.page.page_type == "captcha"  # handed on, not judged
    assert client.breakers.state("scraper:127.0.0.1") == "closed"
    client.close()


def test_e5_a_page_dripping_past_the_time_cap_is_a_timeout(clock: FakeClock) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(20):
            time.sleep(0.05)  # each read is quick, so only the whole-page cap catches it
            yield b"<html>"

    def network(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, content=drip())

    settings = scraper_settings("http://127.0.0.1:1", scraper_timeout=timedelta(seconds=0.2))
    client = build(settings, clock, transport=httpx.MockTransport(network), resolver=None)
    with pytest.raises(RetryableError) as raised:
        client.fetch(f"http://127.0.0.1:1{PATH}", ORGANIZATION, frozenset({Component.RETRY}))
    assert raised.value.detail == "The page did not arrive in time. Try again later."
    client.close()


def test_another_4xx_is_refused_without_retries(fake: FakeAmazonWeb, client: ScraperClient) -> None:
    fake.script(PATH, [answers.Answer(403, b"<html>Forbidden</html>")])
    with pytest.raises(VendorRejectedError) as refused:
        client.fetch(url(fake), ORGANIZATION)
    assert (refused.value.detail, refused.value.vendor_status) == (
        f"Amazon answered 403 for {url(fake)}.",
        403,
    )
    assert fake.paths() == ["/robots.txt", PATH]


def test_build_client_shares_the_process_breakers() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    client = build_client(settings)
    assert client.breakers is shared_limits(settings)[1]
    assert client.settings == ScraperSettings.from_settings(settings)
    client.close()


def test_g3_redirect_to_a_disallowed_path_is_not_followed_and_counts_as_a_challenge(
    fake: FakeAmazonWeb, client: ScraperClient
) -> None:
    fake.script(PATH, [answers.redirect("/ap/signin?openid.return_to=x")])
    with pytest.raises(RetryableError) as raised:
        client.fetch(url(fake), ORGANIZATION)
    assert raised.value.detail == (
        "Amazon redirected: 127.0.0.1's robots.txt disallows /ap/signin. Try again later."
    )
    assert fake.paths() == ["/robots.txt", PATH]
