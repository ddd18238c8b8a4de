"""A fake vendor on 127.0.0.1 that enforces a token bucket per path, like SP-API.

A request finding the bucket empty gets 429 with `Retry-After`; an accepted one gets 200 with
`x-amzn-RateLimit-Limit`. Faults queued with `inject` are served first, one per request: a status
(503, 403…) with an optional Retry-After, a stall (the answer comes after `stall_seconds`), or a
challenge page (status 200, a robot check). Runs in threads of the process that starts it, so
worker processes elsewhere reach it over loopback.

A request's arrival is the kernel's receive timestamp (see `loopback.py`, shared with the fake
SP-API server).
"""

import json
import math
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Self

from tests.fakes.loopback import LoopbackFake, LoopbackHandler, start_loopback_server

CHALLENGE_PAGE = b"<html><title>Robot Check</title><p>Type the characters you see.</p></html>"


@dataclass(frozen=True)
class Fault:
    status: int = 503
    retry_after: str | None = None
    stall_seconds: float = 0.0
    is_challenge: bool = False


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


@dataclass
class PathCounts:
    accepted: int = 0
    throttled: int = 0
    faulted: int = 0


@dataclass(frozen=True)
class Arrival:
    at: float  # wall clock, time.time()
    status: int


@dataclass
class FakeVendor(LoopbackFake):
    rate_per_second: float
    burst: int
    advertised_rate: float | None = None  # what x-amzn-RateLimit-Limit says (default: the rate)
    counts: dict[str, PathCounts] = field(default_factory=dict)
    arrivals: dict[str, list[Arrival]] = field(default_factory=dict)
    _faults: deque[Fault] = field(default_factory=deque)
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def total(self, path: str) -> PathCounts:
        with self._lock:
            return PathCounts(**vars(self.counts.get(path, PathCounts())))

    def history(self, path: str) -> list[Arrival]:
        """Every request on `path` that reached the bucket, with its arrival and answer."""
        with self._lock:
            return list(self.arrivals.get(path, []))

    def answer(self, path: str, arrival: float) -> tuple[int, dict[str, str], bytes, float]:
        """Status, headers, body and stall for one request on `path` that arrived at `arrival`."""
        with self._lock:
            counts = self.counts.setdefault(path, PathCounts())
            if self._faults:
                counts.faulted += 1
                return self._fault(self._faults.popleft())
            bucket = self._buckets.setdefault(path, _Bucket(float(self.burst), arrival))
            elapsed = max(0.0, arrival - bucket.updated_at)  # threads may answer out of order
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate_per_second)
            bucket.updated_at = max(bucket.updated_at, arrival)
            history = self.arrivals.setdefault(path, [])
            if bucket.tokens < 1.0:
                history.append(Arrival(arrival, 429))
                counts.throttled += 1
                wait = math.ceil((1.0 - bucket.tokens) / self.rate_per_second)
                body = json.dumps({"errors": [{"code": "QuotaExceeded"}]}).encode()
                return 429, {"Retry-After": str(wait)}, body, 0.0
            bucket.tokens -= 1.0
            history.append(Arrival(arrival, 200))
            counts.accepted += 1
            rate = self.advertised_rate or self.rate_per_second
            body = json.dumps({"payload": {"accepted": counts.accepted}}).encode()
            return 200, {"x-amzn-RateLimit-Limit": f"{rate}"}, body, 0.0

    @staticmethod
    def _fault(fault: Fault) -> tuple[int, dict[str, str], bytes, float]:
        if fault.is_challenge:
            return 200, {"content-type": "text/html"}, CHALLENGE_PAGE, fault.stall_seconds
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        body = json.dumps({"errors": [{"code": f"Status{fault.status}"}]}).encode()
        return fault.status, headers, body, fault.stall_seconds

    def start(self) -> Self:
        vendor = self

        class Handler(LoopbackHandler):
            def _serve(self) -> None:
                self.read_body()
                path = self.path.split("?", 1)[0]
                status, headers, body, stall = vendor.answer(path, self.arrival)
                headers.setdefault("content-type", "application/json")
                self.send_answer(status, headers, body, stall)

            do_GET = _serve
            do_POST = _serve

        self._server = start_loopback_server(Handler)
        return self
