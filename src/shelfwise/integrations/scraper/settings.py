"""The scraper's view of the one Settings class: which components run, and their numbers."""

import enum
from dataclasses import dataclass

from shelfwise.catalog.marketplaces import MARKETPLACES
from shelfwise.catalog.models import Platform
from shelfwise.platform.settings import Settings


class Component(enum.StrEnum):
    """The switchable parts; robots.txt and the address guard are not among them (G3, E5)."""

    THROTTLE = "throttle"
    USER_AGENT = "user_agent"
    RETRY = "retry"
    CHALLENGE = "challenge"
    CACHE = "cache"


AMAZON_DOMAINS = frozenset(
    code for code, market in MARKETPLACES.items() if market.platform is Platform.AMAZON
)


@dataclass(frozen=True)
class ScraperSettings:
    enabled: bool
    min_delay: float
    max_delay: float
    max_wait: float
    user_agents: tuple[str, ...]
    robots_ttl: float
    robots_retry_after: float  # how long an unreachable robots.txt keeps a host disallowed
    max_page_bytes: int
    timeout: float
    retries: int
    backoff_base: float
    backoff_cap: float
    retry_budget: float
    cache_ttl: float
    disabled: frozenset[Component]
    base_urls: dict[str, str]
    allowed_hosts: frozenset[str]
    allow_loopback: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> "ScraperSettings":
        return cls(
            enabled=settings.scraper_enabled,
            min_delay=settings.scraper_min_delay.total_seconds(),
            max_delay=max(settings.scraper_min_delay, settings.scraper_max_delay).total_seconds(),
            max_wait=settings.scraper_max_wait.total_seconds(),
            user_agents=tuple(settings.scraper_user_agents),
            robots_ttl=settings.scraper_robots_ttl.total_seconds(),
            robots_retry_after=settings.breaker_cooldown.total_seconds(),
            max_page_bytes=settings.scraper_max_page_bytes,
            timeout=settings.scraper_timeout.total_seconds(),
            retries=settings.scraper_retries,
            backoff_base=settings.vendor_backoff_base.total_seconds(),
            backoff_cap=settings.vendor_backoff_cap.total_seconds(),
            retry_budget=settings.vendor_retry_budget.total_seconds(),
            cache_ttl=settings.scraper_cache_ttl.total_seconds(),
            disabled=frozenset(Component(name) for name in settings.scraper_disabled_components),
            base_urls=dict(settings.scraper_base_urls),
            allowed_hosts=frozenset(host.lower() for host in settings.scraper_allowed_hosts),
            allow_loopback=settings.scraper_allow_loopback,
        )

    def runs(self, component: Component, skip: frozenset[Component]) -> bool:
        """Whether `component` acts on a request that asked to skip `skip`."""
        return component not in self.disabled and component not in skip

    def page_url(self, marketplace: str, asin: str) -> str:
        base = self.base_urls.get(marketplace) or f"https://www.{marketplace}"
        return f"{base.rstrip('/')}/dp/{asin}"
