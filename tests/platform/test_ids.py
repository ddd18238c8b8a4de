"""UUIDv7 identifiers."""

import uuid

from shelfwise.platform.ids import new_id


def test_ids_are_version_7_with_the_rfc_variant() -> None:
    value = new_id()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122


def test_ids_from_one_process_strictly_increase_even_within_a_millisecond() -> None:
    values = [new_id() for _ in range(20_000)]
    assert values == sorted(values)
    assert len(set(values)) == len(values)
