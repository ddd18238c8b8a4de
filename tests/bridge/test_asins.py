"""Parsing the ASINs of a request."""

import pytest

from shelfwise.bridge.asins import AsinList, parse_asins
from shelfwise.platform.errors import InvalidInputError


@pytest.mark.parametrize(
    ("text", "asins", "invalid"),
    [
        pytest.param("B0BJQRXJZD,B0CCLPW7LQ", ("B0BJQRXJZD", "B0CCLPW7LQ"), set(), id="comma"),
        pytest.param("B0BJQRXJZD B0CCLPW7LQ", ("B0BJQRXJZD", "B0CCLPW7LQ"), set(), id="space"),
        pytest.param(
            " b0bjqrxjzd,\n B0CCLPW7LQ\t0306406152 ,",
            ("B0BJQRXJZD", "B0CCLPW7LQ", "0306406152"),
            set(),
            id="mixed-and-lower-case",
        ),
        pytest.param(
            "B0CCLPW7LQ b0ccLPW7lq B0BJQRXJZD B0CCLPW7LQ",
            ("B0CCLPW7LQ", "B0BJQRXJZD"),
            set(),
            id="duplicates-keep-first-place",
        ),
        pytest.param(
            "B0BJQRXJZD,B0BJ-RXJZD,SHORT,B0BJQRXJZDX",
            ("B0BJQRXJZD", "B0BJ-RXJZD", "SHORT", "B0BJQRXJZDX"),
            {"B0BJ-RXJZD", "SHORT", "B0BJQRXJZDX"},
            id="invalid-kept-as-invalid",
        ),
    ],
)
def test_parse_asins(text: str, asins: tuple[str, ...], invalid: set[str]) -> None:
    parsed = parse_asins(text)
    assert parsed == AsinList(asins, frozenset(invalid))
    assert parsed.valid == [asin for asin in asins if asin not in invalid]


@pytest.mark.parametrize("text", ["", " ,  , ", None], ids=["empty", "separators", "none"])
def test_no_asin_is_refused(text: str | None) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_asins(text)
    assert refused.value.detail == "Give at least one ASIN."


def test_more_than_100_distinct_asins_are_refused() -> None:
    hundred = [f"B0{number:08d}" for number in range(100)]
    assert len(parse_asins(",".join(hundred + hundred)).asins) == 100
    with pytest.raises(InvalidInputError) as refused:
        parse_asins(",".join([*hundred, "B0ZZZZZZZZ"]))
    assert refused.value.detail == "101 distinct ASINs given; a request takes at most 100."
