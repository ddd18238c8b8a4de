"""Garbage-collector pacing for bulk work that makes many short-lived objects.

CPython starts a young-generation collection every 700 new container objects, and each one
walks every young object that is still alive. An import keeps a whole batch (10,000 rows, a
dozen objects each) alive while it converts and writes it, so the collector walks those rows
again and again: a sixth of an import's time (bench/ingest.py). A larger first threshold keeps
collections (cycles are still collected) but far fewer of them.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 50_000  # new container objects between young collections (default 700)

_lock = threading.Lock()
_holders = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the young generation less often while the block runs (process-wide, so nested
    and concurrent blocks share one setting, restored when the last one ends)."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = gc.get_threshold()
            first, *rest = _saved
            gc.set_threshold(max(first, BULK_THRESHOLD), *rest)
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
