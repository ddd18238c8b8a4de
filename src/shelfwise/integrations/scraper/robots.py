"""robots.txt per RFC 9309 (G3), parsed by protego (longest match wins, `*` and `$` patterns).

One robots.txt per scheme, host and port, kept `robots_ttl`. As RFC 9309 2.3.1 says: a 4xx
("unavailable") allows everything; a 5xx or no answer ("unreachable") disallows everything, and
that verdict is kept only `retry_after` so the host is asked again soon; redirects are followed
(up to five hops, by the caller's fetch); only the first 500 KiB are parsed.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from protego import Protego

from shelfwise.integrations.scraper.errors import RobotsDisallowedError

PRODUCT_TOKEN = "shelfwise"  # noqa: S105 - the user-agent token our rules are looked up under
MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least 500 KiB; more is ignored

# (status, body) of robots.txt, or None when the host could not be reached
RobotsFetch = Callable[[str], tuple[int, bytes] | None]


@dataclass(frozen=True)
class _Verdict:
    rules: Protego | None  # None: the answer was all-or-nothing
    allow_all: bool
    expires_at: float

    def allows(self, url: str) -> bool:
        if self.rules is None:
            return self.allow_all
        return bool(self.rules.can_fetch(url, PRODUCT_TOKEN))


class RobotsRules:
    """Thread-safe; a host's robots.txt is fetched by one thread while the others wait."""

    def __init__(
        self,
        fetch: RobotsFetch,
        ttl: float,
        retry_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._verdicts: dict[str, _Verdict] = {}

    def check(self, url: str) -> None:
        """Raises `RobotsDisallowedError` unless the host's robots.txt allows `url`."""
        target = httpx.URL(url)
        origin = f"{target.scheme}://{target.netloc.decode('ascii')}"
        if not self._verdict(origin).allows(url):
            raise RobotsDisallowedError(f"{target.host}'s robots.txt disallows {target.path}.")

    def _verdict(self, origin: str) -> _Verdict:
        with self._lock:
            host_lock = self._host_locks.setdefault(origin, threading.Lock())
        with host_lock:
            verdict = self._verdicts.get(origin)
            if verdict is None or verdict.expires_at <= self._clock():
                verdict = self._load(origin)
                self._verdicts[origin] = verdict
            return verdict

    def _load(self, origin: str) -> _Verdict:
        answer = self._fetch(f"{origin}/robots.txt")
        now = self._clock()
        if answer is None or answer[0] >= 500:
            return _Verdict(None, allow_all=False, expires_at=now + self._retry_after)
        status, body = answer
        if status >= 400:
            return _Verdict(None, allow_all=True, expires_at=now + self._ttl)
        if status >= 300:  # redirected more than five times: unreachable (RFC 9309 2.3.1.2)
            return _Verdict(None, allow_all=False, expires_at=now + self._retry_after)
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace")
        return _Verdict(Protego.parse(text), allow_all=True, expires_at=now + self._ttl)
