"""Catalog exports: formula injection neutralised in text only, streaming, and round trips."""

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from shelfwise.catalog.export import export_csv, neutralize, write_xlsx
from shelfwise.ingest.csvfiles import read_csv
from shelfwise.ingest.records import Record
from shelfwise.ingest.xlsx import read_xlsx


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1:A2)",
        "\tx",
        "\rx",
        '=HYPERLINK("http://evil.example","click")',
        "=cmd|' /C calc'!A0",
        "  =1+1",
        "\u00a0@SUM(1)",
        "\n=1",
        " \tabc",
        "\uff1d1+1",
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(1)",
        "  \uff1d1",
        "\ufe661",
        "-12.50",
    ],
)
def test_formula_triggers_get_a_leading_quote(text: str) -> None:
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["", "Drill", "12.50", "1-2", "a=b", "  Drill", "'=1+1", "e-mail", "Ω", "\u3000x"]
)
def test_other_text_is_unchanged(text: str) -> None:
    assert neutralize(text) == text


def csv_text(rows: list[dict[str, object]], columns: list[str]) -> str:
    return b"".join(export_csv(rows, columns)).decode("utf-8")  # type: ignore[arg-type]


def test_csv_export_neutralises_text_and_keeps_numbers_numeric() -> None:
    rows = [
        {
            "sku": "A1",
            "title": '=HYPERLINK("http://evil.example")',
            "price": Decimal("-12.50"),
            "note": "-12.50",
            "quantity": 3,
            "active": True,
            "updated": datetime(2024, 5, 8, 11, 3, 5, tzinfo=UTC),
            "day": date(2024, 5, 8),
            "brand": None,
            "unused": "not a column",
        },
        {"sku": "A2", "title": 'Saw, 18"\nPro', "note": "@x\x00y\ud800"},
    ]
    columns = ["sku", "title", "price", "note", "quantity", "active", "updated", "day", "brand"]

    assert csv_text(rows, columns) == (
        "\ufeffsku,title,price,note,quantity,active,updated,day,brand\r\n"
        'A1,"\'=HYPERLINK(""http://evil.example"")",-12.50,\'-12.50,3,true,'
        "2024-05-08T11:03:05+00:00,2024-05-08,\r\n"
        'A2,"Saw, 18""\nPro",,\'@xy,,,,,\r\n'
    )


def test_csv_header_is_neutralised_too() -> None:
    assert csv_text([], ["=evil", "sku"]) == "\ufeff'=evil,sku\r\n"


def test_csv_export_streams_in_chunks() -> None:
    rows = ({"sku": f"A{number}", "title": "x" * 100} for number in range(3000))

    chunks = list(export_csv(rows, ["sku", "title"]))

    assert len(chunks) > 4
    assert all(len(chunk) < 70_000 for chunk in chunks)
    assert chunks[0].startswith(b"\xef\xbb\xbfsku,title\r\nA0,")
    assert b"".join(chunks).count(b"\r\n") == 3001


def test_export_refuses_floats() -> None:
    with pytest.raises(TypeError) as caught:
        csv_text([{"price": 12.5}], ["price"])

    assert str(caught.value) == "cannot export float values"


def test_xlsx_export_keeps_types_and_neutralises_text() -> None:
    rows = [
        {
            "title": "=1+1",
            "price": Decimal("-12.50"),
            "quantity": 3,
            "active": True,
            "updated": datetime(2024, 5, 8, 13, 3, 5, tzinfo=timezone(timedelta(hours=2))),
            "day": date(2024, 5, 8),
            "note": "bell\x07, nul\x00 and \ufffe dropped",
        }
    ]
    buffer = io.BytesIO()

    count = write_xlsx(rows, list(rows[0]), buffer, sheet_title="Katalog")

    buffer.seek(0)
    sheet = load_workbook(buffer)["Katalog"]
    assert count == 1
    assert [cell.value for cell in sheet[1]] == list(rows[0])
    assert [(cell.value, cell.data_type) for cell in sheet[2]] == [
        ("'=1+1", "s"),
        (-12.5, "n"),
        (3, "n"),
        (True, "b"),
        (datetime(2024, 5, 8, 11, 3, 5), "d"),
        (datetime(2024, 5, 8), "d"),
        ("bell, nul and  dropped", "s"),
    ]


# Text round trips: what comes back is what went out, except that formulas carry their quote.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
ROWS = st.lists(st.fixed_dictionaries({"a": TEXT, "b": TEXT, "c": TEXT}), max_size=8)


def non_blank(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    expected = [{key: neutralize(value) for key, value in row.items()} for row in rows]
    return [row for row in expected if any(value.strip() for value in row.values())]


@settings(max_examples=200, deadline=None)
@given(ROWS)
def test_csv_export_then_import_round_trips(rows: list[dict[str, str]]) -> None:
    data = b"".join(export_csv(rows, ["a", "b", "c"]))  # type: ignore[arg-type]

    with read_csv(io.BytesIO(data)) as table:
        items = list(table)
        assert (table.headers, table.encoding, table.delimiter) == (("a", "b", "c"), "utf-8", ",")

    assert all(isinstance(item, Record) for item in items)
    assert [item.values for item in items if isinstance(item, Record)] == non_blank(rows)


XLSX_TEXT = st.text(
    # XML cannot hold most control characters, and it reads a CR as a line feed.
    st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters="\ufffe\uffff",
        whitelist_characters="\t\n",
    ),
    max_size=30,
)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.fixed_dictionaries({"a": XLSX_TEXT, "b": XLSX_TEXT}), max_size=5))
def test_xlsx_export_then_import_round_trips(rows: list[dict[str, str]]) -> None:
    buffer = io.BytesIO()
    write_xlsx(rows, ["a", "b"], buffer)  # type: ignore[arg-type]
    buffer.seek(0)

    with read_xlsx(buffer) as table:
        items = list(table)

    assert [item.values for item in items if isinstance(item, Record)] == non_blank(rows)
