"""Column-wise conversion gives, row by row, exactly what the per-row converter gives."""

import io
import tempfile
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shelfwise.catalog.bulk import ProductRow
from shelfwise.ingest.columns import REFUSED, ColumnConverter
from shelfwise.ingest.csvfiles import read_csv
from shelfwise.ingest.kept import KeptRows, keep_rows
from shelfwise.ingest.mapping import ColumnMapping, Target, suggest_mapping
from shelfwise.ingest.records import RowProblem
from shelfwise.ingest.rows import FileDefaults, RecordConverter, RowRejected

HEADERS = (
    "Artikel-ID",
    "Produktname",
    "Marke",
    "EAN",
    "Preis",
    "Bilder",
    "Kategorie",
    "Beschreibung",
    "Zuletzt geändert",
    "Farbe",  # not mapped: kept as an attribute
)
URL = "https://cdn.example/bilder/a-1.jpg"

SOURCE_IDS = st.sampled_from(["LF-1", " LF-2 ", "", "  ", "x" * 200, "y" * 201, "Ä-1", "\u00a0"])
TITLES = st.sampled_from(["Akkuschrauber", " Säge ", "", "\t", "t" * 1000, "t" * 1001])
BRANDS = st.sampled_from(["Bosch", "", "  ", "b" * 200, "b" * 201, " Kärcher"])
GTINS = st.sampled_from(
    [
        "4006381333931",
        "4006381333932",
        "400-6381-333931",
        " 40063813 ",
        "4.00638E+12",
        "",
        " ",
        "12345670",
        "036000291452",
        "1234",
        "abc",
        "-",
        "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11\uff12",
    ]
)
PRICES = st.sampled_from(
    [
        "1.234,56 €",
        "12,5",
        "€12,48",
        "EUR 7",
        "7 usd",
        "12,48 €",
        "0012,50 €",
        "$3",
        "1 234,56",
        "",
        " ",
        "12.345.678.901,00 €",
        "9.999.999.999,99 €",
        "-3 €",
        "12,345 €",
        "€ 3 EUR",
        "3 zł",
        "kr 12",
        "abc",
        "1.23",
        "12,3 € ",
        " 0,05 £",
        "1,2,3",
        "3 xyz",
        "¥5",
    ]
)
IMAGES = st.sampled_from(
    [
        URL,
        f"{URL}|https://cdn.example/b.png",
        f"{URL}|{URL}",
        f"{URL} {URL}",
        f"{URL},{URL}",
        "",
        " ",
        "|",
        "ftp://x/y.jpg",
        "bild.jpg",
        f"{URL}||",
        "https://Host_Name/x.jpg",
        "|".join(f"https://c.example/{n}.jpg" for n in range(51)),
        f"{URL};https://d.example/x",
        "https://" + "h" * 2050 + ".example/x",
        f"{URL}\x00",
        "HTTPS://CDN.EXAMPLE/X",
    ]
)
DESCRIPTIONS = st.sampled_from(["Ein Satz.", "", " \n", "d" * 20_000, "d" * 20_001, ' "a;b" '])
MOMENTS = st.sampled_from(
    [
        "2024-05-08 11:03:05",
        "2024-05-08T11:03:05+02:00",
        "08.05.2024 11:03",
        "2024-05-08",
        "2024-05-08 11:03:05 PDT",
        "2024-05-08 11:03 GMT-8",
        "2024-05-08T11:03:05Z",
        "",
        "31.02.2024 10:00",
        "gestern",
        "2024-13-01",
        " 2024-05-08 11:03:05 ",
        "  ",
    ]
)
EXTRAS = st.sampled_from(["rot", "", " ", " blau ", "g" * 2100])
ROW = st.tuples(
    SOURCE_IDS, TITLES, BRANDS, GTINS, PRICES, IMAGES, st.just(""), DESCRIPTIONS, MOMENTS, EXTRAS
).map(list)
CATEGORY = st.sampled_from(["Werkzeug > Sägen", "", "c" * 201])
DEFAULTS = st.sampled_from(
    [
        FileDefaults("file", decimal_separator=","),
        FileDefaults("file", decimal_separator="."),
        FileDefaults("file", currency="PLN", decimal_separator=","),
        FileDefaults("file", currency="xyz", decimal_separator="."),
    ]
)


def row_with_category(row: list[str], category: str) -> list[str]:
    return [*row[:6], category, *row[7:]]


ROWS = st.lists(st.tuples(ROW, CATEGORY).map(lambda pair: row_with_category(*pair)), max_size=12)


def per_row(converter: RecordConverter, row: list[str]) -> ProductRow | list[Any]:
    try:
        return converter.convert(dict(zip(HEADERS, row, strict=True)))
    except RowRejected as rejected:
        return rejected.problems


def assert_same(mapping: ColumnMapping, defaults: FileDefaults, rows: list[list[str]]) -> None:
    converter = RecordConverter(mapping, defaults)
    column_wise = ColumnConverter(converter, HEADERS).convert(rows)
    expected = [per_row(converter, row) for row in rows]
    assert column_wise == expected
    # Equal and written alike: attribute order, time zones and amounts as the database gets them.
    assert [repr(result) for result in column_wise] == [repr(result) for result in expected]


@settings(max_examples=400, deadline=None)
@given(ROWS, DEFAULTS)
@example(
    [
        [
            "LF-1",
            "Säge",
            "Bosch",
            "4006381333931",
            "1.234,56 €",
            URL,
            "W",
            "D",
            "08.05.2024 11:03",
            "",
        ]
    ],
    FileDefaults("file", decimal_separator=","),
)
def test_the_column_wise_conversion_is_the_per_row_one(
    rows: list[list[str]], defaults: FileDefaults
) -> None:
    assert_same(suggest_mapping(HEADERS), defaults, rows)


@settings(max_examples=100, deadline=None)
@given(ROWS)
def test_a_mapping_the_columns_do_not_cover_converts_row_by_row(rows: list[list[str]]) -> None:
    columns = dict(suggest_mapping(HEADERS).columns) | {"Farbe": Target.SKU}
    mapping = ColumnMapping(columns=columns)
    assert not ColumnConverter(
        RecordConverter(mapping, FileDefaults("file")), HEADERS
    ).is_column_wise
    assert_same(mapping, FileDefaults("file", decimal_separator=","), rows)


def test_the_usual_rows_take_the_column_wise_path() -> None:
    converter = RecordConverter(suggest_mapping(HEADERS), FileDefaults("f", decimal_separator=","))
    columns = ColumnConverter(converter, HEADERS)
    assert columns.is_column_wise
    assert columns._price(" 1.234,5 € ") == {"amount": "1234.50", "currency": "EUR"}
    assert columns._price("12 345 €") is REFUSED  # grouped by spaces: the full parser's
    row = ["LF-1", "Säge", "Bosch", "4006381333931", "1.234,56 €", URL, "W", "D", "2024-05-08", ""]
    assert columns.convert([row]) == [per_row(converter, row)]


CSV = (
    "\ufeffArtikel-ID;Produktname;Preis\r\n"
    'LF-1;"Säge; groß";"1.234,56 €"\r\n'
    "\r\n;;\r\n"
    'LF-2;"zwei\r\nZeilen";3 €\r\n'
    "LF-3;zu wenig\r\n"
    "LF-4;NUL\x00;1 €\r\n"
    'LF-5;"a"b;1 €\r\n'
    "LF-6;letzte;2 €"
)


@pytest.mark.parametrize("chunk_rows", [1, 2, 100])
def test_kept_rows_are_the_tables_rows(chunk_rows: int) -> None:
    def table() -> Any:
        return read_csv(io.BytesIO(CSV.encode()))

    with table() as first, table() as second, tempfile.TemporaryFile() as file:
        assert keep_rows(first, file, chunk_rows) == second.count_rows() == 6
        kept = KeptRows(file)
        with table() as third:
            expected = [
                (entry.line, entry.message) if isinstance(entry, RowProblem) else entry
                for entry in third.cells()
            ]
            assert (kept.headers, kept.decimal_separator) == (third.headers, ",")
        assert [entry for chunk in kept.chunks() for entry in chunk] == expected
    assert [line for line, _ in expected] == [2, 5, 7, 8, 9, 10]
    assert expected[1] == (5, ["LF-2", "zwei\r\nZeilen", "3 €"])
    assert expected[2] == (7, "expected 3 fields, found 2")
