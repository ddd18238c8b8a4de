"""UUIDv7 identifiers."""

import os
import uuid

from shelfwise.platform.ids import new_id, new_ids


def test_ids_are_version_7_with_the_rfc_variant() -> None:
    value = new_id()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def test_ids_from_one_process_strictly_increase_even_within_a_millisecond() -> None:
    values = [new_id() for _ in range(20_000)]
    assert values == sorted(values)
    assert len(set(values)) == len(values)


def test_a_forked_child_draws_random_bits_of_its_own() -> None:
    new_id()  # the parent holds a block of random bytes when it forks
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe and exits
        try:
            os.write(writer, b"".join(new_id().bytes for _ in range(50)))
        finally:
            os._exit(0)
    os.close(writer)
    parent_ids = [new_id() for _ in range(50)]
    data = b""
    while chunk := os.read(reader, 4096):
        data += chunk
    os.close(reader)
    os.waitpid(child, 0)
    child_ids = [uuid.UUID(bytes=data[start : start + 16]) for start in range(0, 800, 16)]
    assert len(child_ids) == 50
    random_bits = (1 << 62) - 1
    assert not {value.int & random_bits for value in parent_ids} & {
        value.int & random_bits for value in child_ids
    }


def test_ids_draw_a_new_block_of_random_bytes_when_one_is_used_up() -> None:
    values = [new_id() for _ in range(3 * 8192 // 10)]  # three blocks' worth
    random_parts = {value.int & ((1 << 62) - 1) for value in values}
    assert len(random_parts) == len(values)


def test_ids_made_in_bulk_interleave_in_order_with_single_ones() -> None:
    """More than a millisecond's counter (4,096) and a random block (8,192 bytes) in one call:
    still increasing, unique, version 7, and before the next single id."""
    before = new_id()
    values = [*new_ids(5000), *new_ids(0), *new_ids(3), new_id()]
    assert [before, *values] == sorted([before, *values])
    assert len(set(values)) == len(values)
    assert all(value.version == 7 and value.variant == uuid.RFC_4122 for value in values)
    assert len({value.int & ((1 << 62) - 1) for value in values}) == len(values)
