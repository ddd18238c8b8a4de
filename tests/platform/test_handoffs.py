"""GIL hand-off pacing during bulk work."""

import sys
import threading

import pytest

from shelfwise.platform.handoffs import BULK_SWITCH_INTERVAL, prompt_handoffs


def test_prompt_handoffs_shortens_the_switch_interval_and_restores_it() -> None:
    before = sys.getswitchinterval()
    with prompt_handoffs():
        assert sys.getswitchinterval() == pytest.approx(min(before, BULK_SWITCH_INTERVAL))
    assert sys.getswitchinterval() == before


def test_nested_concurrent_and_failing_blocks_restore_it_when_the_last_one_ends() -> None:
    before = sys.getswitchinterval()
    started, may_end = threading.Event(), threading.Event()

    def concurrent_block() -> None:
        with prompt_handoffs():
            started.set()
            may_end.wait(5)

    with pytest.raises(RuntimeError), prompt_handoffs():
        with prompt_handoffs():
            pass
        thread = threading.Thread(target=concurrent_block)
        thread.start()
        assert started.wait(5)
        raise RuntimeError("boom")
    assert sys.getswitchinterval() < before  # the thread still holds it
    may_end.set()
    thread.join(5)
    assert sys.getswitchinterval() == before
