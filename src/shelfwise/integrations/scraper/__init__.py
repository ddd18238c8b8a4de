"""The product-page scraper: the last-resort item source (DESIGN 1.4), a chain of small parts.

guard (E5) -> cache -> robots.txt (G3) -> breaker (G2) -> throttle -> user agent -> retry ->
challenge check, each in its own module; `client.py` chains them, `source.py` maps pages to items.
"""

from shelfwise.integrations.scraper.source import PageScraper

__all__ = ["PageScraper"]
