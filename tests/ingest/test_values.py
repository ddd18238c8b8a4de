"""Value parsers for imported cells: exact results, user-facing errors, and only ValueError."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shelfwise.catalog.schemas import Money
from shelfwise.ingest.values import (
    parse_asin,
    parse_bool,
    parse_currency,
    parse_datetime,
    parse_decimal,
    parse_gtin,
    parse_image_urls,
    parse_int,
    parse_money,
)


def money(amount: str, currency: str) -> Money:
    return Money(amount=Decimal(amount), currency=currency)


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        pytest.param("1.234,56 €", {}, money("1234.56", "EUR"), id="german-euro"),
        pytest.param("€1,234.56", {}, money("1234.56", "EUR"), id="english-euro"),
        pytest.param("$12.48", {}, money("12.48", "USD"), id="dollar-usd"),
        pytest.param("$12.48", {"default_currency": "MXN"}, money("12.48", "MXN"), id="dollar-mxn"),
        pytest.param("$12.48", {"default_currency": "EUR"}, money("12.48", "USD"), id="dollar-eur"),
        pytest.param("CA$ 5", {}, money("5", "CAD"), id="ca-dollar"),
        pytest.param("R$ 69,97", {}, money("69.97", "BRL"), id="real"),
        pytest.param("12,48 zł", {}, money("12.48", "PLN"), id="zloty"),
        pytest.param("¥1,280", {}, money("1280", "JPY"), id="yen"),
        pytest.param("¥1,280", {"default_currency": "CNY"}, money("1280", "CNY"), id="yuan"),
        pytest.param("£3", {}, money("3", "GBP"), id="pound"),
        pytest.param("12 kr", {}, money("12", "SEK"), id="krona"),
        pytest.param("12 kr", {"default_currency": "NOK"}, money("12", "NOK"), id="krone"),
        pytest.param("CHF 12.50", {}, money("12.50", "CHF"), id="franc"),
        pytest.param("EUR 12", {}, money("12", "EUR"), id="code-first"),
        pytest.param("12 usd", {}, money("12", "USD"), id="code-lowercase"),
        pytest.param("12.48USD", {}, money("12.48", "USD"), id="code-attached"),
        pytest.param("CAD 12 $", {}, money("12", "CAD"), id="code-and-symbol"),
        pytest.param("1 234,56 €", {}, money("1234.56", "EUR"), id="space-groups"),
        pytest.param("12.50", {"default_currency": "GBP"}, money("12.50", "GBP"), id="default"),
        pytest.param("+7", {"default_currency": "GBP"}, money("7", "GBP"), id="plus"),
        pytest.param("0", {"default_currency": "GBP"}, money("0", "GBP"), id="zero"),
        pytest.param(
            "12.500",
            {"default_currency": "EUR", "decimal_separator": "."},
            money("12.5", "EUR"),
            id="trailing-zero-decimal",
        ),
        pytest.param(
            "1.234",
            {"default_currency": "EUR", "decimal_separator": ","},
            money("1234", "EUR"),
            id="german-thousands",
        ),
        # Without the file's decimal mark price-parser reads a 3-digit group as thousands.
        pytest.param("12.499", {"default_currency": "EUR"}, money("12499", "EUR"), id="guess"),
        pytest.param("", {}, None, id="empty"),
        pytest.param("   ", {"default_currency": "EUR"}, None, id="blank"),
    ],
)
def test_parse_money(text: str, options: dict[str, str], expected: Money | None) -> None:
    assert parse_money(text, **options) == expected


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        pytest.param("abc", {}, "'abc' is not a price", id="letters"),
        pytest.param("€", {}, "'€' is not a price", id="symbol-only"),
        pytest.param("5 - 10 EUR", {}, "'5 - 10 EUR' is not a price", id="range"),
        pytest.param("1e308 EUR", {}, "'1e308 EUR' is not a price", id="exponent"),
        pytest.param("12 XYZ", {}, "'12 XYZ' is not a price", id="unknown-code"),
        pytest.param(
            "12", {}, "'12' has no currency; add a symbol or a currency column", id="no-currency"
        ),
        pytest.param(
            "-12.50",
            {"default_currency": "EUR"},
            "'-12.50' is negative; a price cannot be",
            id="negative",
        ),
        pytest.param(
            "12.499",
            {"default_currency": "EUR", "decimal_separator": "."},
            "'12.499' has more than 2 decimal places",
            id="three-decimals",
        ),
        pytest.param(
            "99999999999 EUR", {}, "'99999999999 EUR' is too large for a price", id="too-large"
        ),
        pytest.param(
            "EUR 12 $", {}, "'EUR 12 $' names two currencies, EUR and USD", id="two-currencies"
        ),
        pytest.param(
            "12",
            {"default_currency": "EURO"},
            "'EURO' is not an ISO 4217 currency code",
            id="bad-default",
        ),
    ],
)
def test_parse_money_errors(text: str, options: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_money(text, **options)

    assert str(caught.value) == message


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=40)
    | st.from_regex(r"[-+$€£¥ ]{0,2}[0-9][0-9., ]{0,12}( ?[A-Za-z€$zł]{1,3})?"),
    st.sampled_from([None, "EUR", "USD", "JPY", "PLN"]),
    st.sampled_from([None, ".", ","]),
)
def test_parse_money_raises_only_value_error(
    text: str, default_currency: str | None, decimal_separator: str | None
) -> None:
    try:
        result = parse_money(
            text, default_currency=default_currency, decimal_separator=decimal_separator
        )
    except ValueError as error:
        assert str(error)
    else:
        assert result is None or (result.amount >= 0 and len(result.currency) == 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("eur", "EUR"), ("€", "EUR"), ("zł", "PLN"), (" GBP ", "GBP"), ("R$", "BRL"), ("", None)],
)
def test_parse_currency(text: str, expected: str | None) -> None:
    assert parse_currency(text) == expected


def test_parse_currency_unknown() -> None:
    with pytest.raises(ValueError) as caught:
        parse_currency("doubloons")

    assert str(caught.value) == "'doubloons' is not a currency Shelfwise knows"


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("12.5", ".", Decimal("12.5")),
        ("1,234.5", ".", Decimal("1234.5")),
        ("1.234,5", ",", Decimal("1234.5")),
        ("1 234,5", ",", Decimal("1234.5")),
        ("1\u202f234,5", ",", Decimal("1234.5")),
        ("1'234.50", ".", Decimal("1234.50")),
        ("-3", ".", Decimal("-3")),
        ("\u22123,5", ",", Decimal("-3.5")),
        ("+0", ".", Decimal("0")),
        ("", ".", None),
    ],
)
def test_parse_decimal(text: str, separator: str, expected: Decimal | None) -> None:
    assert parse_decimal(text, decimal_separator=separator) == expected


@pytest.mark.parametrize(
    ("text", "separator", "message"),
    [
        ("1,23", ".", "'1,23' is not a number (this file uses a decimal point)"),
        ("12.5", ",", "'12.5' is not a number (this file uses a decimal comma)"),
        ("1e5", ".", "'1e5' is not a number (this file uses a decimal point)"),
        ("12 Stück", ",", "'12 Stück' is not a number (this file uses a decimal comma)"),
        ("9" * 41, ".", f"'{'9' * 41}' is not a number (this file uses a decimal point)"),
        ("1", ";", "';' is not a decimal mark; use '.' or ','"),
    ],
)
def test_parse_decimal_errors(text: str, separator: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_decimal(text, decimal_separator=separator)

    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        pytest.param("1.234", ",", 1234, id="german-thousands"),
        pytest.param("1,234", ".", 1234, id="english-thousands"),
        pytest.param("12.0", ".", 12, id="whole-decimal"),
        pytest.param(" 148 ", ".", 148, id="spaces"),
        pytest.param("", ",", None, id="empty"),
    ],
)
def test_parse_int(text: str, separator: str, expected: int | None) -> None:
    assert parse_int(text, decimal_separator=separator) == expected


def test_parse_int_refuses_a_fraction() -> None:
    # "1.234" in a file with a decimal point is 1.234, not a quantity.
    with pytest.raises(ValueError) as caught:
        parse_int("1.234")

    assert str(caught.value) == "'1.234' is not a whole number"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.sampled_from([".", ","]))
def test_number_parsers_raise_only_value_error(text: str, separator: str) -> None:
    for parse in (parse_decimal, parse_int):
        try:
            parse(text, decimal_separator=separator)
        except ValueError as error:
            assert str(error)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(word, True) for word in ("true", "Yes", "Y", "1", "ja", "TAK", "sí", "si", "oui")],
        *[(word, False) for word in ("false", "No", "n", "0", "nein", "nie", "non", "falsch")],
        ("", None),
    ],
)
def test_parse_bool(text: str, expected: bool | None) -> None:
    assert parse_bool(text) == expected


def test_parse_bool_error() -> None:
    with pytest.raises(ValueError) as caught:
        parse_bool("maybe")

    assert str(caught.value) == "'maybe' is not yes or no (e.g. true/false, yes/no, 1/0)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "https://a.example/1.jpg|https://a.example/2.jpg",
            ["https://a.example/1.jpg", "https://a.example/2.jpg"],
            id="pipe",
        ),
        pytest.param(
            "https://a.example/1.jpg, http://b.example/2.jpg,",
            ["https://a.example/1.jpg", "http://b.example/2.jpg"],
            id="comma",
        ),
        pytest.param(
            "https://a.example/1.jpg https://a.example/2.jpg\nhttps://a.example/1.jpg",
            ["https://a.example/1.jpg", "https://a.example/2.jpg"],
            id="space-and-duplicate",
        ),
        pytest.param(
            "https://cdn.example/w_100,h_100/1.jpg,https://cdn.example/2.jpg",
            ["https://cdn.example/w_100,h_100/1.jpg", "https://cdn.example/2.jpg"],
            id="comma-inside-url",
        ),
        pytest.param("", [], id="empty"),
    ],
)
def test_parse_image_urls(text: str, expected: list[str]) -> None:
    assert parse_image_urls(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ftp://a.example/1.jpg", "'ftp://a.example/1.jpg' is not an http(s) image URL"),
        ("images/1.jpg", "'images/1.jpg' is not an http(s) image URL"),
        ("https:///1.jpg", "'https:///1.jpg' is not an http(s) image URL"),
        (
            " ".join(f"https://a.example/{number}.jpg" for number in range(51)),
            "51 images; at most 50 are allowed",
        ),
    ],
)
def test_parse_image_urls_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_image_urls(text)

    assert str(caught.value) == message


PDT = timezone(timedelta(hours=-7))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-05-08 11:03:05 PDT", datetime(2015, 5, 8, 11, 3, 5, tzinfo=PDT)),
        ("2017-02-21 13:04:41 PST", datetime(2017, 2, 21, 21, 4, 41, tzinfo=UTC)),
        ("2026-02-28 21:17:51 GMT-8", datetime(2026, 3, 1, 5, 17, 51, tzinfo=UTC)),
        ("2024-01-05 10:00:00 UTC+05:30", datetime(2024, 1, 5, 4, 30, tzinfo=UTC)),
        ("2024-01-05 10:00:00 +0200", datetime(2024, 1, 5, 8, 0, tzinfo=UTC)),
        ("2024-01-05T10:00:00Z", datetime(2024, 1, 5, 10, 0, tzinfo=UTC)),
        ("2024-01-05T10:00:00+01:00", datetime(2024, 1, 5, 9, 0, tzinfo=UTC)),
        ("2024-01-05 10:00", datetime(2024, 1, 5, 10, 0, tzinfo=UTC)),
        ("2024-01-05", datetime(2024, 1, 5, tzinfo=UTC)),
        ("08.05.2015 11:03", datetime(2015, 5, 8, 11, 3, tzinfo=UTC)),
        ("8.5.2015", datetime(2015, 5, 8, tzinfo=UTC)),
        ("", None),
    ],
)
def test_parse_datetime(text: str, expected: datetime | None) -> None:
    parsed = parse_datetime(text)

    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


def test_parse_datetime_default_timezone() -> None:
    assert parse_datetime("2024-01-05 10:00", default_timezone=PDT) == datetime(
        2024, 1, 5, 17, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("05/01/2024", "unknown format"),
        ("2024-01-05 10:00 XYZ", "unknown time zone XYZ"),
        ("31.02.2024", "day is out of range for month"),
        ("2024-13-01", "unknown format"),
        ("yesterday", "unknown format"),
    ],
)
def test_parse_datetime_errors(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_datetime(text)

    assert str(caught.value) == (
        f"{text!r} is not a date and time ({reason}; write e.g. 2024-05-08 11:03:05"
        " or 2024-05-08T11:03:05Z)"
    )


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=40)
    | st.from_regex(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})? ?[A-Z+\-0-9:]{0,6}")
)
def test_parse_datetime_raises_only_value_error(text: str) -> None:
    try:
        parsed = parse_datetime(text)
    except ValueError as error:
        assert str(error)
    else:
        assert parsed is None or parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4006381333931", "4006381333931"), (" 0-12345-67890-5 ", "012345678905"), ("", None)],
)
def test_parse_gtin(text: str, expected: str | None) -> None:
    assert parse_gtin(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4006381333932", "'4006381333932' is not a valid GTIN: its check digit should be 1"),
        ("400638133393", "'400638133393' is not a valid GTIN: its check digit should be 0"),
        ("4006381", "'4006381' has 7 digits; a GTIN has 8, 12, 13 or 14"),
        ("40063813339X", "'40063813339X' is not a GTIN: it may contain digits only"),
        (
            "4.00638E+12",
            "'4.00638E+12' is a number in scientific notation, not a GTIN:"
            " format the column as text",
        ),
    ],
)
def test_parse_gtin_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_gtin(text)

    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B00XD03VF0", "B00XD03VF0"),
        (" b00xd03vf0 ", "B00XD03VF0"),
        ("0306406152", "0306406152"),
        ("", None),
    ],
)
def test_parse_asin(text: str, expected: str | None) -> None:
    assert parse_asin(text) == expected


@pytest.mark.parametrize("text", ["B00XD03VF", "0306406153", "A00XD03VF0"])
def test_parse_asin_errors(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_asin(text)

    assert str(caught.value) == (
        f"{text!r} is not a valid ASIN (B0 + 8 letters or digits, or an ISBN-10)"
    )
