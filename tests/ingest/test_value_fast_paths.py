"""The import's fast paths give what the general parsers give, wherever they answer at all."""

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shelfwise.catalog.schemas import Money
from shelfwise.ingest import values

MONEY_PIECES = st.sampled_from(
    [
        *"0123456789",
        *(".", ",", " ", "\u00a0", "€", "$", "£", "¥", "+", "-", "EUR", "usd", "CHF"),
        *("abc", "kr", "zł", "US$", "1.234", "234", ",5", ".50", "  "),
    ]
)
OPTIONS = st.fixed_dictionaries(
    {
        "default_currency": st.sampled_from([None, "EUR", "USD", "MXN", "GBP", "JPY", "xyz"]),
        "decimal_separator": st.sampled_from([None, ".", ","]),
    }
)


def outcome(parse: Any, *args: Any, **options: Any) -> Any:
    try:
        return parse(*args, **options)
    except ValueError as error:
        return ("refused", str(error))


def in_full(text: str, **options: Any) -> Any:
    value = text.strip()
    return values._parse_money_in_full(value, **options) if value else None


@settings(max_examples=3000, deadline=None)
@given(st.lists(MONEY_PIECES, max_size=6).map("".join), OPTIONS)
@example("1.234,56 €", {"default_currency": None, "decimal_separator": ","})
@example("$12.48", {"default_currency": "MXN", "decimal_separator": "."})
@example("EUR 12,50", {"default_currency": None, "decimal_separator": ","})
@example("12,48 usd", {"default_currency": "EUR", "decimal_separator": ","})
@example("0012.5", {"default_currency": "GBP", "decimal_separator": "."})
@example("99999999999", {"default_currency": "GBP", "decimal_separator": "."})
@example("12.50", {"default_currency": "xyz", "decimal_separator": "."})
def test_parse_money_matches_the_general_parser(text: str, options: dict[str, Any]) -> None:
    money = outcome(values.parse_money, text, **options)
    assert money == outcome(in_full, text, **options)
    as_pair = (money.amount, money.currency) if isinstance(money, Money) else money
    assert outcome(values.parse_amount, text, **options) == as_pair


@pytest.mark.parametrize(
    ("text", "separator"),
    [("1.234,56 €", ","), ("12,48 €", ","), ("€12,48", ","), ("EUR 7", ","), ("$12.48", ".")],
)
def test_the_usual_prices_take_the_fast_path(text: str, separator: str) -> None:
    assert values._quick_money(text, None, separator) is not None


URL_PIECES = st.sampled_from(
    [
        *("http", "https", "HTTPS", ":", "//", "/", "a", "b.c", "-", "@", "[", "]", "?", "#"),
        *("80", "\u017f", "\u212a", " ", "x:y", "%", "."),
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(URL_PIECES, max_size=8).map("".join))
def test_a_url_the_fast_check_accepts_is_an_http_url(url: str) -> None:
    if values._PLAIN_URL.match(url):
        assert values._is_http_url(url)


def test_gtin_fast_path_keeps_the_checks() -> None:
    assert values.parse_gtin("4006381333931") == "4006381333931"
    with pytest.raises(ValueError, match="check digit should be 1"):
        values.parse_gtin("4006381333932")
