"""Batches written by a writer thread while the next one is read."""

import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import cast

import pytest

from shelfwise.catalog.bulk import PreparedRows, ProductRow, ProductUpserts, UpsertCounts
from shelfwise.ingest.batches import Batch, NewKeysGuess, write_in_batches

REQUEST = ContextVar("request", default="none")


def test_batches_are_written_in_order_by_one_writer_thread() -> None:
    written: list[list[int]] = []
    threads: set[str] = set()

    def write(batch: list[int]) -> None:
        threads.add(threading.current_thread().name)
        written.append(batch)

    write_in_batches(range(7), write, 3)

    assert written == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(threads) == 1 and threads != {threading.current_thread().name}


def test_the_next_batch_is_read_while_one_is_written() -> None:
    writing = threading.Event()
    read_during_write: list[int] = []

    def items() -> Iterator[int]:
        yield from (1, 2)  # the first batch
        assert writing.wait(5)  # the writer has it: reading goes on meanwhile
        read_during_write.append(3)
        yield 3

    def write(batch: list[int]) -> None:
        if batch == [1, 2]:
            writing.set()

    write_in_batches(items(), write, 2)
    assert read_during_write == [3]


def test_no_items_write_nothing() -> None:
    written: list[list[int]] = []
    write_in_batches([], written.append, 10)
    assert written == []


def test_an_error_of_the_writer_is_raised_and_stops_the_writing() -> None:
    written: list[list[int]] = []

    def write(batch: list[int]) -> None:
        if batch == [2, 3]:
            raise ValueError("disk full")
        written.append(batch)

    with pytest.raises(ValueError, match="disk full"):
        write_in_batches(range(10), write, 2)
    assert written == [[0, 1]]


def test_an_error_while_reading_waits_for_the_batch_in_flight() -> None:
    written: list[list[int]] = []
    release = threading.Event()

    def write(batch: list[int]) -> None:
        release.wait(5)
        written.append(batch)

    def items() -> Iterator[int]:
        yield from (1, 2)
        release.set()
        raise LookupError("broken file")

    with pytest.raises(LookupError, match="broken file"):
        write_in_batches(items(), write, 2)
    assert written == [[1, 2]]  # committed before the error reached the caller


def test_the_writer_sees_the_callers_context() -> None:
    seen: list[str] = []
    token = REQUEST.set("job-42")
    try:
        write_in_batches([1], lambda batch: seen.append(REQUEST.get()), 1)
    finally:
        REQUEST.reset(token)
    assert seen == ["job-42"]


class RecordingUpserts:
    """Stands in for ProductUpserts: answers each batch's counts in turn, records the guesses."""

    def __init__(self, created: list[int]) -> None:
        self.created = created
        self.guesses: list[bool] = []

    def upsert(
        self, rows: PreparedRows, *, collect_ids: bool = True, likely_new: bool = False
    ) -> UpsertCounts:
        self.guesses.append(likely_new)
        created = self.created[len(self.guesses) - 1]
        updated = len(rows.rows) - created
        return UpsertCounts(created, updated, unchanged=0, stale=0, changed_ids=[])


def batch_of(size: int) -> Batch:
    rows = [cast(ProductRow, object()) for _ in range(size)]
    return Batch([], [], [], PreparedRows(rows, "postgresql", []), duplicates=0)


@pytest.mark.parametrize(
    ("guesses_left", "created", "expected"),
    [
        # every batch new: guessed throughout
        (None, [3, 3, 3, 3], [True, True, True, True]),
        # the second batch met a stored key: no guessing after it, even for new batches
        (None, [3, 2, 3, 3], [True, True, False, False]),
        # one transaction for the import: at most `guesses_left` guesses
        (2, [3, 3, 3, 3], [True, True, False, False]),
    ],
)
def test_batches_are_guessed_new_while_every_batch_before_was(
    guesses_left: int | None, created: list[int], expected: list[bool]
) -> None:
    guess = NewKeysGuess(guesses_left=guesses_left)
    upserts = RecordingUpserts(created)
    for _ in created:
        guess.upsert(cast(ProductUpserts, upserts), batch_of(3))
    assert upserts.guesses == expected
