"""Per-host throttling: a pause in [min, max] between requests to one host, hosts independent,
slower after errors and never faster right after one."""

import random
import threading
from datetime import timedelta

from shelfwise.integrations.items import ItemFailure, ItemFailureCode
from shelfwise.integrations.scraper.settings import Component
from shelfwise.integrations.scraper.source import PageScraper
from shelfwise.integrations.scraper.throttle import MAX_SLOWDOWN, HostThrottle
from tests.fakes.amazon_web import answers
from tests.fakes.amazon_web.server import FakeAmazonWeb
from tests.integrations.scraper.conftest import ORGANIZATION, FakeClock, middle, scraper_settings
from tests.integrations.scraper.conftest import build as build_client


def throttle(clock: FakeClock) -> HostThrottle:
    return HostThrottle(3.0, 8.0, clock=clock, sleep=clock.sleep, uniform=middle)


def test_pauses_between_requests_to_one_host_stay_within_min_and_max(
    fake: FakeAmazonWeb, clock: FakeClock
) -> None:
    settings = scraper_settings(fake.url)
    client = build_client(
        settings,
        clock,
        throttle=HostThrottle(3.0, 8.0, clock=clock, sleep=clock.sleep, uniform=random.uniform),
    )
    for _ in range(6):
        client.fetch(f"{fake.url}/dp/B0057OC5O8", ORGANIZATION, frozenset({Component.CACHE}))
    assert len(fake.requests) == 7 and len(clock.sleeps) == 6  # robots.txt went first, at once
    assert all(3.0 <= pause <= 8.0 for pause in clock.sleeps), clock.sleeps
    client.close()


def test_hosts_are_independent(clock: FakeClock) -> None:
    limiter = throttle(clock)
    assert [limiter.wait("www.amazon.de"), limiter.wait("www.amazon.com")] == [0.0, 0.0]
    assert limiter.wait("www.amazon.de") == 5.5
    assert limiter.wait("www.amazon.com") == 0.0  # its 5.5 s passed while amazon.de waited


def test_slows_after_errors_and_not_faster_right_after_one(clock: FakeClock) -> None:
    limiter = throttle(clock)
    limiter.wait("host")
    limiter.record_error("host")
    assert limiter.slowdown("host") == 2.0
    assert limiter.wait("host") == 11.0
    limiter.record_error("host")
    assert limiter.wait("host") == 22.0
    limiter.record_success("host")  # the first success after an error keeps the pace
    assert (limiter.slowdown("host"), limiter.wait("host")) == (4.0, 22.0)
    limiter.record_success("host")  # the next halves it
    assert (limiter.slowdown("host"), limiter.wait("host")) == (2.0, 22.0)
    assert limiter.wait("host") == 11.0
    limiter.record_success("host")
    limiter.record_success("host")
    assert limiter.slowdown("host") == 1.0  # never faster than configured


def test_slowdown_is_capped(clock: FakeClock) -> None:
    limiter = throttle(clock)
    for _ in range(10):
        limiter.record_error("host")
    assert limiter.slowdown("host") == MAX_SLOWDOWN


def test_concurrent_requests_get_distinct_slots() -> None:
    pauses: list[float] = []
    # The clock stands still and sleeping only records: what is tested is that eight threads
    # asking at the same instant each reserve their own slot, 5.5 s apart.
    limiter = HostThrottle(3.0, 8.0, clock=lambda: 1000.0, sleep=pauses.append, uniform=middle)
    threads = [threading.Thread(target=limiter.wait, args=("host",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(pauses) == [5.5, 11.0, 16.5, 22.0, 27.5, 33.0, 38.5]  # the first left at once


def test_a_wait_longer_than_the_maximum_is_deferred_without_a_request(
    fake: FakeAmazonWeb, clock: FakeClock
) -> None:
    client = build_client(scraper_settings(fake.url, scraper_max_wait=timedelta(seconds=10)), clock)
    fake.script("/dp/B0057OC5O8", [answers.unavailable()])
    results = PageScraper(client, ORGANIZATION).fetch_items(["B0057OC5O8"], "amazon.com")
    # 5.5 s before the 503, 0.5 s backoff, then the doubled pause (10.5 s more) is too long.
    assert results == [
        ItemFailure(
            "B0057OC5O8", ItemFailureCode.UNAVAILABLE, "127.0.0.1 is being asked slowly.", 10.5
        )
    ]
    assert fake.paths() == ["/robots.txt", "/dp/B0057OC5O8"]
    assert clock.sleeps == [5.5, 0.5]
    client.close()
