"""Imports write their rows in batches, one transaction each, while the next batch is read.

The database's share of a batch (COPY, the merge, the commit; on SQLite the statements'
execution) runs in a writer thread and releases the GIL, so it overlaps the reading thread's
decoding, parsing and validation of the next batch: on two cores an import takes about the
longer of the two instead of their sum. One batch at most is in flight, and batches commit in
file order, so a killed worker still resumes after the last committed batch.
"""

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import copy_context
from itertools import islice
from typing import TypeVar

from shelfwise.platform.collection import fewer_collections

Item = TypeVar("Item")
Batch = TypeVar("Batch")


def write_in_batches(items: Iterable[Item], write: Callable[[list[Item]], None], size: int) -> None:
    """Call `write` with consecutive batches of `items` (at most `size` each), in order, from
    one writer thread, reading the next batch meanwhile. An error of `write` is raised here
    (reading stops); an error while reading waits for the batch in flight, then is raised."""
    rows = iter(items)
    write_batches(iter(lambda: list(islice(rows, size)), []), write)


def write_batches(batches: Iterable[Batch], write: Callable[[Batch], None]) -> None:
    """`write_in_batches` for batches the caller makes: each one is written as it comes."""
    made = iter(batches)
    with (
        fewer_collections(),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer") as writer,
    ):
        in_flight: Future[None] | None = None
        for batch in made:
            if in_flight is not None:
                in_flight.result()
            # The writer runs in the caller's context: log fields such as the job id carry on.
            in_flight = writer.submit(copy_context().run, write, batch)
        if in_flight is not None:
            in_flight.result()
