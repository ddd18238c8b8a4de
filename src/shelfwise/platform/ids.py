"""Time-ordered UUIDs (RFC 9562 version 7): index-friendly and not guessable."""

import os
import time
import uuid


def new_id() -> uuid.UUID:
    """A new UUIDv7: 48-bit millisecond timestamp, then 74 random bits."""
    milliseconds = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big")
    value = (milliseconds & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= ((random_bits >> 68) & 0xFFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # RFC 9562 variant
    value |= random_bits & ((1 << 62) - 1)  # rand_b, 62 bits
    return uuid.UUID(int=value)
