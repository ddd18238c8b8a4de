"""Garbage-collector pacing during bulk work."""

import gc
import threading

from shelfwise.platform.collection import BULK_THRESHOLD, fewer_collections


def test_fewer_collections_raises_the_first_threshold_and_restores_it() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (max(before[0], BULK_THRESHOLD), *before[1:])
    assert gc.get_threshold() == before


def test_nested_and_concurrent_blocks_restore_the_setting_when_the_last_one_ends() -> None:
    before = gc.get_threshold()
    inner_started, outer_may_end = threading.Event(), threading.Event()
    seen_in_thread: list[tuple[int, int, int]] = []

    def concurrent_block() -> None:
        with fewer_collections():
            inner_started.set()
            outer_may_end.wait(5)
        seen_in_thread.append(gc.get_threshold())

    with fewer_collections():
        with fewer_collections():
            pass
        assert gc.get_threshold()[0] == max(before[0], BULK_THRESHOLD)  # the inner end kept it
        thread = threading.Thread(target=concurrent_block)
        thread.start()
        assert inner_started.wait(5)
    assert gc.get_threshold()[0] == max(before[0], BULK_THRESHOLD)  # the thread still holds it
    outer_may_end.set()
    thread.join(5)
    assert seen_in_thread == [before]
    assert gc.get_threshold() == before


def test_the_setting_is_restored_when_the_block_raises() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
