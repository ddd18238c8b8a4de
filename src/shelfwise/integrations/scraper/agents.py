"""User-agent rotation: each request presents the next configured desktop browser, in turn."""

import itertools
import threading
from collections.abc import Sequence


class UserAgents:
    def __init__(self, agents: Sequence[str]) -> None:
        if not agents:
            raise ValueError("at least one user agent is needed")
        self._first = agents[0]
        self._cycle = itertools.cycle(agents)
        self._lock = threading.Lock()

    def next(self) -> str:
        """The next browser in turn (round robin: no browser twice in a row when there are two)."""
        with self._lock:
            return next(self._cycle)

    @property
    def fixed(self) -> str:
        """The one agent sent when rotation is switched off."""
        return self._first
