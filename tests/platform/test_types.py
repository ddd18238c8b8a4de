"""load_json: PostgreSQL's JSONB read by orjson, yet exactly as the standard library reads it."""

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shelfwise.platform.types import load_json

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


def read_alike(document: bytes) -> None:
    expected: Any = json.loads(document)
    assert repr(load_json(document)) == repr(expected)


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(b'{"voltage": "18 V", "battery_count": 2}', id="jsonb-text"),
        pytest.param(b"[0.1, 1e16, 1e-07, -0.0, 1.0, 9007199254740993]", id="numbers"),
        pytest.param(b'{"serial": 1180591620717411303424}', id="integer-beyond-64-bits"),
        pytest.param(b"[-36893488147419103232, 18446744073709551615]", id="64-bit-edges"),
        pytest.param(b"0.10000000000000000555111512312578270211815834045", id="long-decimal"),
        pytest.param(b'["\\ud800"]', id="lone-surrogate-escape"),
        pytest.param('{"zähne": "✓ 🙂", "\\u0001": null}'.encode(), id="unicode"),
    ],
)
def test_reads_documents_like_the_standard_library(document: bytes) -> None:
    read_alike(document)


@given(JSON_VALUES)
def test_reads_any_json_value_like_the_standard_library(value: Any) -> None:
    read_alike(json.dumps(value).encode())
    read_alike(json.dumps(value, ensure_ascii=False).encode())


def test_keeps_integers_beyond_64_bits_exact() -> None:
    assert load_json(b'{"serial": 1180591620717411303424}') == {"serial": 2**70}
