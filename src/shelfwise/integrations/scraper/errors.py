"""What the scraper refuses to do; trying again cannot change these (unlike `RetryableError`)."""


class ScrapeRefusedError(Exception):
    """The scraper will not fetch or read this URL; `reason` is a sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AddressRefusedError(ScrapeRefusedError):
    """Not an Amazon storefront, or an address inside our network (E5)."""


class PageTooLargeError(ScrapeRefusedError):
    """The response is larger than `scraper_max_page_bytes` (E5)."""


class RobotsDisallowedError(ScrapeRefusedError):
    """The host's robots.txt disallows the path (G3)."""
