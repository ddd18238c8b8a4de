"""Imports write their rows in batches: how a batch is made, counted and written.

A batch is consecutive incoming rows with their products (de-duplicated, the upsert's values
made in the reading thread) and the problems of the rejected ones. The database's share of a
batch (COPY, the merge, the commit; on SQLite the statements' execution) runs in a writer
thread and releases the GIL, so it overlaps the reading thread's decoding, parsing and
validation of the next batch: on two cores an import takes about the longer of the two instead
of their sum. One batch at most is in flight, and batches are written in file order.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from sqlalchemy import Dialect

from shelfwise.catalog.bulk import (
    PreparedRows,
    ProductRow,
    ProductUpserts,
    UpsertCounts,
    newest_per_key,
    prepare,
)
from shelfwise.ingest.columns import ColumnConverter, Converted
from shelfwise.ingest.kept import Entry
from shelfwise.ingest.models import ImportRun
from shelfwise.ingest.rows import Problem
from shelfwise.platform.collection import fewer_collections
from shelfwise.platform.handoffs import prompt_handoffs

BATCH_ROWS = 10_000
# The first batch is smaller where batches commit one by one: nothing is written before it is
# made, so its reading and conversion overlap nothing (about 0.2 s of a 200,000-row SQLite import
# at 10,000 rows).
FIRST_BATCH_ROWS = 1_000
# SQLite's batches are twice as large: each batch's commit checkpoints the WAL, copying every page
# the batch touched into the database, and a batch of random GTINs touches nearly every page of
# their index each time (writer thread CPU 2.9-3.1 -> 2.65 s per 100,000 rows).
SQLITE_BATCH_FACTOR = 2
# PostgreSQL keeps the ids of a transaction's first 64 subtransactions in shared memory; past
# them, every snapshot of every session looks subtransactions up in pg_subtrans. An import in one
# transaction (streaming.py) takes one per batch it guesses new, so it stops guessing in time.
GUESSES_PER_TRANSACTION = 48

Written = TypeVar("Written")
Made = TypeVar("Made")
Element = TypeVar("Element")


@dataclass(frozen=True, slots=True)
class Item:
    """One incoming row: where it is (CSV line, XLSX row, JSON index + 1) and what it became."""

    line: int
    product: ProductRow | None
    problems: Sequence[Problem]  # () when valid: no list per row for the garbage collector


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive incoming rows, written in one go: each row's line and product (None when
    rejected), and the problems of the rejected ones."""

    lines: list[int]
    products: list[ProductRow | None]
    rejected: list[tuple[int, Sequence[Problem]]]
    kept: PreparedRows  # the newest product per key, ready for the upsert
    duplicates: int  # products dropped for a newer one of the same key

    @classmethod
    def of(
        cls,
        lines: list[int],
        products: list[ProductRow | None],
        rejected: list[tuple[int, Sequence[Problem]]],
        dialect: Dialect,
    ) -> "Batch":
        """The batch with its upsert's values made here, in the reading thread."""
        kept, duplicates = newest_per_key(product for product in products if product)
        return cls(lines, products, rejected, prepare(kept, dialect), duplicates)

    @classmethod
    def of_items(cls, items: list[Item], dialect: Dialect) -> "Batch":
        rejected = [(item.line, item.problems) for item in items if item.problems]
        lines, products = [item.line for item in items], [item.product for item in items]
        return cls.of(lines, products, rejected, dialect)


@dataclass
class NewKeysGuess:
    """Whether an import's next batch likely holds only new keys, for `ProductUpserts`' cheaper
    plain INSERT: yes while every batch before it created all of its rows (the first import of
    a file); the first batch that met a stored key ends the guessing for the rest of the
    import. A wrong guess costs the batch's INSERT up to the first stored key."""

    guesses_left: int | None = None  # where one transaction holds all the batches
    holds: bool = field(default=True, init=False)

    def upsert(self, upserts: ProductUpserts, batch: "Batch") -> UpsertCounts:
        """Write `batch`'s products with `upserts`, guessing while the guess holds."""
        guess = self.holds and self.guesses_left != 0
        counts = upserts.upsert(batch.kept, collect_ids=False, likely_new=guess)
        if guess and self.guesses_left is not None:
            self.guesses_left -= 1
        self.holds = self.holds and counts.created == len(batch.kept.rows)
        return counts


def item_batches(items: Iterable[Item], lines_done: int, dialect: Dialect) -> Iterator[Batch]:
    """The items after line `lines_done`, in batches of `batch_rows` (the first smaller)."""
    pending = (item for item in items if item.line > lines_done)
    for chunk in _chunks(pending, batch_rows(dialect)):
        yield Batch.of_items(chunk, dialect)


def csv_batches(
    entries: Iterable[Entry],
    converter: ColumnConverter,
    lines_done: int,
    dialect: Dialect,
    *,
    small_first: bool = True,
) -> Iterator[Batch]:
    """A CSV file's batches after line `lines_done`, the good rows of each converted
    column-wise; the first of FIRST_BATCH_ROWS unless not `small_first`."""
    pending = iter(entries)
    if lines_done:
        pending = (entry for entry in pending if entry[0] > lines_done)
    for chunk in _chunks(pending, batch_rows(dialect), small_first=small_first):
        lines = [line for line, _ in chunk]
        cells = [row for _, row in chunk if type(row) is list]
        converted: list[Converted]
        if len(cells) == len(chunk):  # the usual batch: no row the reader refused
            converted = converter.convert(cells)
        else:
            good = iter(converter.convert(cells))
            converted = [
                [Problem(None, row)] if isinstance(row, str) else next(good) for _, row in chunk
            ]
        products = [None if isinstance(result, list) else result for result in converted]
        rejected: list[tuple[int, Sequence[Problem]]] = [
            (line, result)
            for line, result in zip(lines, converted, strict=True)
            if isinstance(result, list)
        ]
        yield Batch.of(lines, products, rejected, dialect)


def batch_rows(dialect: Dialect) -> int:
    """The rows of an import's batch on `dialect` (but the first)."""
    return BATCH_ROWS * SQLITE_BATCH_FACTOR if dialect.name == "sqlite" else BATCH_ROWS


def _chunks(
    items: Iterator[Element], size: int, *, small_first: bool = True
) -> Iterator[list[Element]]:
    """Consecutive lists of `items`: FIRST_BATCH_ROWS (at most `size`) if `small_first`, then
    `size`."""
    first = min(FIRST_BATCH_ROWS, size) if small_first else size
    while chunk := list(islice(items, first)):
        yield chunk
        first = size


def add_counts(run: ImportRun, batch: Batch, counts: UpsertCounts) -> None:
    """Add what writing `batch` did to the import's counters."""
    run.rows_read += len(batch.lines)
    run.created += counts.created
    run.updated += counts.updated
    run.unchanged += counts.unchanged
    run.stale += counts.stale
    run.duplicates += batch.duplicates
    run.rejected += len(batch.rejected)
    run.lines_done = batch.lines[-1]


def write_in_batches(
    items: Iterable[Written], write: Callable[[list[Written]], None], size: int
) -> None:
    """Call `write` with consecutive batches of `items` (at most `size` each), in order, from
    one writer thread, reading the next batch meanwhile. An error of `write` is raised here
    (reading stops); an error while reading waits for the batch in flight, then is raised."""
    rows = iter(items)
    write_batches(iter(lambda: list(islice(rows, size)), []), write)


def write_batches(batches: Iterable[Made], write: Callable[[Made], None]) -> None:
    """`write_in_batches` for batches the caller makes: each one is written as it comes."""
    made = iter(batches)
    with (
        fewer_collections(),
        prompt_handoffs(),  # the writer resumes promptly after each database call
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
