"""Fetched product pages kept per organization (A5), compressed: pages are megabytes of HTML."""

import uuid
import zlib
from datetime import timedelta

from shelfwise.platform.cache import Cache

NAMESPACE = "scraper_page"


class PageCache:
    """Only whole product pages are stored; CAPTCHAs, error shells and 404s never are."""

    def __init__(self, cache: Cache, ttl: float) -> None:
        self._cache = cache
        self._ttl = timedelta(seconds=ttl)

    def get(self, organization_id: uuid.UUID, url: str) -> bytes | None:
        stored = self._cache.get(organization_id, NAMESPACE, url)
        return zlib.decompress(stored) if stored is not None else None

    def set(self, organization_id: uuid.UUID, url: str, body: bytes) -> None:
        # Level 1: a tenth of the size at a few milliseconds a page.
        self._cache.set(organization_id, NAMESPACE, url, zlib.compress(body, 1), self._ttl)
