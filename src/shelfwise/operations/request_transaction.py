"""The request's transaction where FastAPI makes the request's session itself.

Under `JsonRoute`, a sync endpoint's transaction is opened and closed in the endpoint's own
thread (operations/endpoint_thread.py). Elsewhere `request_session` (accounts/auth.py) opens
this one on the event loop: a sync endpoint whose route was not rewritten still commits it right
after the endpoint in the same thread (`finish_in_endpoint_thread`), saving a thread hop; an async
endpoint's is ended by `request_session` in a worker thread.
"""

import threading
from contextlib import AbstractContextManager
from contextvars import ContextVar

from sqlalchemy.orm import Session


class RequestTransaction:
    """The request's unit of work, ended exactly once: by a sync endpoint's wrapper in the
    endpoint's own worker thread (see `finish_in_endpoint_thread`), else by `request_session`
    after the endpoint (one more thread hop)."""

    def __init__(self, unit_of_work: AbstractContextManager[Session]) -> None:
        self._unit_of_work = unit_of_work
        self.session = unit_of_work.__enter__()
        self._lock = threading.Lock()
        self.finished = False

    def finish(self, error: BaseException | None = None) -> None:
        with self._lock:
            if self.finished:
                return
            self.finished = True
        if error is None:
            self._unit_of_work.__exit__(None, None, None)
        else:
            self._unit_of_work.__exit__(type(error), error, error.__traceback__)


CURRENT_TRANSACTION: ContextVar[RequestTransaction | None] = ContextVar(
    "request_transaction", default=None
)


def finish_in_endpoint_thread() -> None:
    """Commit the request's transaction now, from the thread that ran a sync endpoint: saves
    the separate thread hop of the commit."""
    transaction = CURRENT_TRANSACTION.get()
    if transaction is not None:
        transaction.finish()
