"""GIL hand-off pacing for bulk work that overlaps a reading thread with a writing thread.

An import's writer thread releases the GIL while the database works (SQLite's statement
steps, PostgreSQL's round trips) and needs it back to bind the next statement. The reading
thread only hands it over when the switch interval runs out, 5 ms by default, so the writer
waited up to 5 ms after each of the dozen statements of a batch while the database (on
PostgreSQL the bound of an import) idled. A shorter interval during the import lets it resume
within half a millisecond (the reading thread's waits for the writer in a 50,000-row import on
PostgreSQL: 0.52-0.72 -> 0.30-0.50 s); the reading thread is interrupted only when another
thread asks for the GIL.
"""

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_SWITCH_INTERVAL = 0.0005  # seconds (CPython's default is 0.005)

_lock = threading.Lock()
_holders = 0
_saved: float | None = None


@contextmanager
def prompt_handoffs() -> Iterator[None]:
    """Switch threads at most BULK_SWITCH_INTERVAL apart while the block runs (process-wide,
    so nested and concurrent blocks share one setting, restored when the last one ends)."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_saved, BULK_SWITCH_INTERVAL))
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _saved is not None:
                sys.setswitchinterval(_saved)
                _saved = None
