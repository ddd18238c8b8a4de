"""The chain every page request goes through, in order (Scrapy's downloader middlewares):

cache -> robots.txt -> breaker -> [throttle -> user agent -> send, guarded -> challenge check]
tried again with backoff by retry. The address guard (E5) sits in the transport under every
send, redirects included; it and robots.txt (G3) cannot be switched off or skipped.
"""

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from shelfwise.integrations.amazon_pages import PageType, ProductPage, parse_page
from shelfwise.integrations.errors import RetryableError, VendorRejectedError
from shelfwise.integrations.http import retry_after_seconds, shared_limits
from shelfwise.integrations.scraper.agents import UserAgents
from shelfwise.integrations.scraper.cache import PageCache
from shelfwise.integrations.scraper.errors import PageTooLargeError, RobotsDisallowedError
from shelfwise.integrations.scraper.guard import AddressGuard, GuardedTransport, Resolver, resolve
from shelfwise.integrations.scraper.robots import RobotsRules
from shelfwise.integrations.scraper.settings import Component, ScraperSettings
from shelfwise.integrations.scraper.throttle import HostThrottle
from shelfwise.integrations.usage import utc_now
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.cache import Cache, build_cache
from shelfwise.platform.logging import get_logger
from shelfwise.platform.settings import Settings

MAX_REDIRECTS = 5
logger = get_logger(__name__)


@dataclass(frozen=True)
class Page:
    url: str  # where the page was finally found, after redirects
    status: int
    page: ProductPage | None  # parsed when the status is 200
    from_cache: bool = False


@dataclass(frozen=True)
class _Failure:
    reason: str
    retry_after: float | None = None  # what the server asked for (Retry-After)
    is_challenge: bool = False  # a CAPTCHA or sign-in: trying again at once only makes it worse
    counts_for_breaker: bool = True  # a 429 says the host is up, merely busy


def build_client(
    settings: Settings, transport: httpx.BaseTransport | None = None
) -> "ScraperClient":
    """A client on the process's cache and breakers (G2: one breaker per host for all callers)."""
    _buckets, breakers = shared_limits(settings)
    return ScraperClient(
        ScraperSettings.from_settings(settings),
        cache=build_cache(settings),
        breakers=breakers,
        transport=transport,
    )


_shared: dict[tuple[str | None, str], "ScraperClient"] = {}
_shared_lock = threading.Lock()


def shared_client(settings: Settings) -> "ScraperClient":
    """The process's client for these settings: every request and job must wait its turn in
    one throttle and read robots.txt once, or each would start a fresh, impolite one."""
    scraper_settings = ScraperSettings.from_settings(settings)
    key = (settings.resolved_redis_url, repr(scraper_settings))
    with _shared_lock:
        if key not in _shared:
            _shared[key] = build_client(settings)
        return _shared[key]


class ScraperClient:
    """Fetches Amazon pages politely; one per process (its throttle and robots are shared)."""

    def __init__(
        self,
        settings: ScraperSettings,
        *,
        cache: Cache,
        breakers: CircuitBreakers,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver | None = resolve,
        throttle: HostThrottle | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.settings = settings
        guard = AddressGuard(settings, resolver)
        inner = transport or httpx.HTTPTransport()
        self._http = httpx.Client(
            transport=GuardedTransport(inner, guard, settings),
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,  # each hop is checked and followed here
        )
        self.breakers = breakers
        self.throttle = throttle or HostThrottle(
            settings.min_delay, settings.max_delay, clock=clock, sleep=sleep
        )
        self.agents = UserAgents(settings.user_agents)
        self.robots = RobotsRules(
            self._fetch_robots, settings.robots_ttl, settings.robots_retry_after, clock
        )
        self.cache = PageCache(cache, settings.cache_ttl)
        self._sleep = sleep
        self._jitter = jitter

    def close(self) -> None:
        self._http.close()

    def fetch(
        self, url: str, organization_id: uuid.UUID, skip: frozenset[Component] = frozenset()
    ) -> Page:
        """The page at `url`: a 200 (parsed) or a 404/410. Raises `ScrapeRefusedError` (never
        fetch this), `RetryableError` (not now) or `VendorRejectedError` (another 4xx)."""
        settings = self.settings
        caches = settings.runs(Component.CACHE, skip)
        if caches:
            cached = self.cache.get(organization_id, url)
            if cached is not None:
                return Page(url, 200, parse_page(cached, url), from_cache=True)
        self.robots.check(url)
        host = httpx.URL(url).host
        breaker_key = f"scraper:{host}"
        attempts = 1 + settings.retries if settings.runs(Component.RETRY, skip) else 1
        waited = 0.0
        for attempt in range(1, attempts + 1):
            closed_in = self.breakers.allow(breaker_key)
            if closed_in > 0:
                raise RetryableError(f"{host} keeps failing; its breaker is open.", closed_in)
            outcome = self._try(url, skip)
            if isinstance(outcome, tuple):
                page, body = outcome
                self.breakers.record_success(breaker_key)
                self.throttle.record_success(host)
                if caches and page.page is not None and page.page.page_type is PageType.PRODUCT:
                    self.cache.set(organization_id, url, body)
                return page
            logger.info("scraper.failure", host=host, attempt=attempt, reason=outcome.reason)
            if outcome.counts_for_breaker:
                self.breakers.record_failure(breaker_key)
            else:
                self.breakers.record_success(breaker_key)
            self.throttle.record_error(host)
            closed_in = self.breakers.open_for(breaker_key)
            if closed_in > 0:  # this failure opened it
                raise RetryableError(f"{outcome.reason} {host}'s breaker is now open.", closed_in)
            pause = outcome.retry_after
            if pause is None:
                pause = self._backoff(attempt)
            give_up = outcome.is_challenge or attempt == attempts
            if give_up or waited + pause > settings.retry_budget:
                later = max(pause, self.throttle.delay_after(host))
                raise RetryableError(f"{outcome.reason} Try again later.", later)
            self._sleep(pause)
            waited += pause
        raise AssertionError("unreachable: the loop returns or raises")

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform between 0 and the capped exponential for this attempt."""
        settings = self.settings
        return self._jitter(
            0.0, min(settings.backoff_cap, settings.backoff_base * 2 ** (attempt - 1))
        )

    def _send(
        self, url: str, skip: frozenset[Component], *, obeys_robots: bool = True
    ) -> tuple[str, httpx.Response, bytes]:
        """GET `url`, following redirects (each hop guarded, and checked against its host's
        robots.txt unless this is robots.txt itself); the final URL, response and body."""
        settings = self.settings
        if settings.runs(Component.THROTTLE, skip):
            self.throttle.wait(httpx.URL(url).host, settings.max_wait)
        rotates = settings.runs(Component.USER_AGENT, skip)
        agent = self.agents.next() if rotates else self.agents.fixed
        headers = {"user-agent": agent, "accept": "text/html,*/*;q=0.8"}
        for _hop in range(MAX_REDIRECTS + 1):
            with self._http.stream("GET", url, headers=headers) as response:
                body = self._read(response)
            location = response.headers.get("location")
            if not response.is_redirect or location is None:
                return url, response, body
            url = urljoin(url, location)
            if obeys_robots:
                self.robots.check(url)
        return url, response, body

    def _read(self, response: httpx.Response) -> bytes:
        """The decoded body, capped: the transport caps the bytes on the wire, this the bytes
        they inflate to (a gzip bomb)."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.settings.max_page_bytes:
                raise PageTooLargeError(
                    f"The page is larger than {self.settings.max_page_bytes} bytes."
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _try(self, url: str, skip: frozenset[Component]) -> tuple[Page, bytes] | _Failure:
        try:
            final_url, response, body = self._send(url, skip)
        except httpx.TimeoutException:
            return _Failure("The page did not arrive in time.")
        except httpx.TransportError as error:  # refused or reset connections, cut-off bodies
            return _Failure(f"The connection failed ({type(error).__name__}).")
        except RobotsDisallowedError as error:
            # Amazon sends robots it suspects to /ap/signin or /errors/validateCaptcha, which
            # robots.txt disallows: not followed, and a challenge for the breaker.
            return _Failure(f"Amazon redirected: {error.reason}", is_challenge=True)
        status = response.status_code
        if status == 429 or status >= 500:
            retry_after = retry_after_seconds(response.headers.get("retry-after"), utc_now())
            return _Failure(
                f"Amazon answered {status}.", retry_after, counts_for_breaker=status != 429
            )
        if status in (404, 410):
            return Page(final_url, status, None), body
        if status >= 300:
            raise VendorRejectedError(f"Amazon answered {status} for {url}.", status)
        page = parse_page(body, final_url)
        if self.settings.runs(Component.CHALLENGE, skip):
            if page.page_type in (PageType.CAPTCHA, PageType.SIGNIN):
                return _Failure(f"Amazon answered with a {page.page_type} page.", is_challenge=True)
            if page.page_type is PageType.ERROR:
                return _Failure("Amazon answered with an error page or a cut-off page.")
        return Page(final_url, status, page), body

    def _fetch_robots(self, url: str) -> tuple[int, bytes] | None:
        """robots.txt through the same guard, throttle and user agents as pages."""
        try:
            _final, response, body = self._send(url, frozenset(), obeys_robots=False)
        except httpx.TransportError:
            return None
        except PageTooLargeError:
            return None
        return response.status_code, body
