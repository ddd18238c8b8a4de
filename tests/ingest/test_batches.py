"""Batches written by a writer thread while the next one is read."""

import threading
from collections.abc import Iterator
from contextvars import ContextVar

import pytest

from shelfwise.ingest.batches import write_in_batches

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
