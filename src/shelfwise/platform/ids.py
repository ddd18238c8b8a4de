"""Time-ordered UUIDs (RFC 9562 version 7): index-friendly and not guessable.

Ids made by one process are strictly increasing, also within one millisecond (RFC 9562 section
6.2, method 1: the 12-bit rand_a field is a counter seeded randomly each millisecond), so rows
such as a job's item errors come back in the order they were written.
"""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_milliseconds = 0
_counter = 0
_COUNTER_MAX = 0xFFF


def new_id() -> uuid.UUID:
    """A new UUIDv7: 48-bit millisecond timestamp, 12-bit counter, 62 random bits."""
    global _last_milliseconds, _counter
    with _lock:
        milliseconds = time.time_ns() // 1_000_000
        if milliseconds > _last_milliseconds:
            _last_milliseconds = milliseconds
            _counter = int.from_bytes(os.urandom(2), "big") & 0x7FF  # leave room to count up
        else:
            _counter += 1
            if _counter > _COUNTER_MAX:  # 2048+ ids in one millisecond: borrow the next one
                _last_milliseconds += 1
                _counter = 0
        milliseconds, counter = _last_milliseconds, _counter
    value = (milliseconds & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= counter << 64  # rand_a as a counter
    value |= 0b10 << 62  # RFC 9562 variant
    value |= int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)  # rand_b
    return uuid.UUID(int=value)
