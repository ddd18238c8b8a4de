"""Faults a test queues for one operation; each is served to the next request on it."""

import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fault:
    """One misbehaviour. Combine `stall_seconds` with any other, or use it alone."""

    status: int | None = None  # answer this 5xx (or any status) with the SP-API error body
    stall_seconds: float = 0.0  # real seconds before answering, whatever the answer
    is_truncated: bool = False  # the normal answer, its JSON body cut in half
    expires_token: bool = False  # the request's access token expires now (403 from then on)
    revokes_grant: bool = False  # the seller removes the app: 403 now, invalid_grant at LWA


def server_error(status: int = 503) -> Fault:
    return Fault(status=status)


def stall(seconds: float) -> Fault:
    return Fault(stall_seconds=seconds)


TRUNCATED_BODY = Fault(is_truncated=True)
EXPIRED_TOKEN = Fault(expires_token=True)
REVOKED_GRANT = Fault(revokes_grant=True)


@dataclass
class FaultQueue:
    _queued: defaultdict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, operation_id: str, *faults: Fault) -> None:
        with self._lock:
            self._queued[operation_id].extend(faults)

    def next(self, operation_id: str) -> Fault | None:
        with self._lock:
            queued = self._queued.get(operation_id)
            return queued.popleft() if queued else None
