"""The streaming CSV/TSV reader on real Seller Central downloads and every malformed input."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shelfwise.catalog.schemas import Money
from shelfwise.ingest.csvfiles import read_csv, sniff_delimiter
from shelfwise.ingest.decoding import DecodingError
from shelfwise.ingest.mapping import Target, suggest_mapping
from shelfwise.ingest.records import FileError, Limits, Record, RowProblem
from shelfwise.ingest.values import parse_int, parse_money


def read(data: bytes, **options: object) -> tuple[tuple[str, ...], list[Record | RowProblem]]:
    with read_csv(io.BytesIO(data), **options) as table:  # type: ignore[arg-type]
        return table.headers, list(table)


# --- real downloads -------------------------------------------------------------------------

REPORTS = [
    # file, preamble lines, rows, encoding, delimiter, columns
    ("amazon_us_Active+Listings+Report+07-02-2021.txt", 0, 1787, "cp1252", "\t", 47),
    ("amazon_us_All+Listings+Report+07-12-2021.txt", 0, 2164, "utf-8", "\t", 4),
    ("amazon_us_Inventory+Report+07-12-2021.txt", 0, 1804, "utf-8", "\t", 18),
    ("amazon_us_Inventory+Report+09-13-2018.txt", 0, 122, "utf-8", "\t", 4),
    ("amazon_us_fba_myi_inventory_395604018820.txt", 0, 701, "cp1252", "\t", 21),
    ("amazon_br_2026MarMonthlyUnifiedTransaction.csv", 9, 329, "utf-8", ",", 25),
    ("amazon_br_2026Apr1-2026Apr15CustomUnifiedTransaction.csv", 9, 123, "utf-8", ",", 25),
]


@pytest.mark.parametrize(
    ("name", "preamble", "rows", "encoding", "delimiter", "columns"),
    REPORTS,
    ids=[
        "active",
        "all-listings",
        "inventory-2021",
        "inventory-2018",
        "fba-myi",
        "br-monthly",
        "br-custom",
    ],
)
def test_real_report_reads_every_row(
    shared_data: Path,
    name: str,
    preamble: int,
    rows: int,
    encoding: str,
    delimiter: str,
    columns: int,
) -> None:
    with (
        (shared_data / "reports" / name).open("rb") as upload,
        read_csv(upload, skip_lines=preamble) as table,
    ):
        items = list(table)
        assert (table.encoding, table.delimiter, len(table.headers)) == (
            encoding,
            delimiter,
            columns,
        )

    assert [item for item in items if isinstance(item, RowProblem)] == []
    assert len(items) == rows
    assert items[-1].line == preamble + 1 + rows  # one record a line, the header first


def test_manifest_row_counts_miss_only_an_unterminated_last_line(shared_data: Path) -> None:
    # manifest.json counted newlines minus the header, so a last line with no newline after it
    # (the 2018 inventory report, the FBA report) is one row short there; the rows are real.
    manifest = json.loads((shared_data / "reports" / "manifest.json").read_text())
    counted = {name: rows for name, _, rows, *_ in REPORTS}
    for item in manifest["items"]:
        data = (shared_data / "reports" / item["file"]).read_bytes()
        expected = item["rows"] + (0 if data.endswith(b"\n") else 1)
        assert counted[item["file"]] == expected, item["file"]


def test_active_listings_cp1252_characters_decoded(shared_data: Path) -> None:
    path = shared_data / "reports" / "amazon_us_Active+Listings+Report+07-02-2021.txt"
    with path.open("rb") as upload, read_csv(upload) as table:
        by_line = {item.line: item for item in table if isinstance(item, Record)}

    assert by_line[24].values["item-name"] == (
        "Nutricost L-Arginine (500G) (3 Bottles) - Pure L-Arginine Powder (500G Each)"
        " - 5G Per Serving …"
    )
    assert by_line[24].values["seller-sku"] == "3K-CRRU-46IV"
    assert by_line[24].values["open-date"] == "2015-04-22 11:16:02 PDT"
    assert by_line[1533].values["item-name"] == "Nutricost Creapure® Creatine Monohydrate 500 Grams"
    assert "Don\u2019t let low testosterone" in by_line[34].values["item-description"]
    assert "your “oomph”" in by_line[34].values["item-description"]
    assert by_line[1603].values["quantity"] == ""
    assert by_line[1603].values["fulfillment-channel"] == "AMAZON_NA"


def test_brazilian_unified_transactions_after_their_preamble(shared_data: Path) -> None:
    path = shared_data / "reports" / "amazon_br_2026MarMonthlyUnifiedTransaction.csv"
    with path.open("rb") as upload, read_csv(upload, skip_lines=9) as table:
        first = next(iter(table))
        separator = table.decimal_separator

    assert table.header_line == 10
    assert isinstance(first, Record)
    assert first.line == 11
    assert first.values["data/hora"] == "28 de fev. de 2026 21:17:51 GMT-8"
    assert first.values["sku"] == "MFS-0027"
    assert first.values["cidade do pedido"] == "São Paulo"
    assert first.values["vendas do produto"] == "69,97"
    assert separator == "."  # a comma-separated file; its amounts still use a decimal comma
    assert parse_money(
        first.values["total"], default_currency="BRL", decimal_separator=","
    ) == Money(amount=Decimal("56.57"), currency="BRL")


# --- well-formed synthetic files -------------------------------------------------------------


def test_bom_crlf_quoted_delimiters_newlines_and_quotes() -> None:
    data = (
        b'\xef\xbb\xbfsku,title,price\r\nA1,Drill,12.50\r\nA2,"Saw, big\r\n""Pro""",9\r\n'
        b"\r\nA3,Hammer,1\r\n"
    )

    headers, items = read(data)

    assert headers == ("sku", "title", "price")
    assert items == [
        Record(2, {"sku": "A1", "title": "Drill", "price": "12.50"}),
        Record(3, {"sku": "A2", "title": 'Saw, big\r\n"Pro"', "price": "9"}),
        Record(6, {"sku": "A3", "title": "Hammer", "price": "1"}),
    ]


def test_lone_cr_line_ends() -> None:
    assert read(b"a,b\r1,2\r3,4\r")[1] == [
        Record(2, {"a": "1", "b": "2"}),
        Record(3, {"a": "3", "b": "4"}),
    ]


def test_blank_rows_and_blank_lines_before_the_header_are_skipped() -> None:
    headers, items = read(b"\n\n sku ;title\n\n;\n  ; \nA1;Drill\n")

    assert headers == ("sku", "title")
    assert items == [Record(7, {"sku": "A1", "title": "Drill"})]


def test_preamble_lines_are_skipped() -> None:
    headers, items = read(
        b'"Report for May"\n"All amounts in EUR"\nsku,price\nA1,"1,50"\n', skip_lines=2
    )

    assert headers == ("sku", "price")
    assert items == [Record(4, {"sku": "A1", "price": "1,50"})]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(["sku,title,price\n"], ",", id="comma"),
        pytest.param(["sku;title;price\n"], ";", id="semicolon"),
        pytest.param(["sku\ttitle\tprice\n"], "\t", id="tab"),
        pytest.param(["sku|title|price\n"], "|", id="pipe"),
        pytest.param(['"a;b",c,d\n'], ",", id="quoted-semicolon"),
        pytest.param(["title;subtitle,price\n", "Drill,12.50\n"], ",", id="tie-line-2-decides"),
        pytest.param(["Preis (EUR, brutto);Titel\n", "12,50;Bohrer\n"], ";", id="tie-order"),
        pytest.param(["sku\n"], ",", id="one-column"),
        pytest.param([], ",", id="nothing"),
    ],
)
def test_sniff_delimiter(lines: list[str], expected: str) -> None:
    assert sniff_delimiter(lines) == expected


def test_given_delimiter_wins_over_sniffing() -> None:
    assert read(b"a;b,c\n1;2,3\n", delimiter=",")[1] == [Record(2, {"a;b": "1;2", "c": "3"})]


@pytest.mark.parametrize("delimiter", ["", ":", '"', "\n", ",,"])
def test_only_known_delimiters_are_accepted(delimiter: str) -> None:
    with pytest.raises(ValueError) as caught:
        read(b"a,b\n", delimiter=delimiter)

    assert str(caught.value) == (
        f"delimiter must be one of ('\\t', ';', ',', '|'), not {delimiter!r}"
    )


def test_quoting_none_keeps_quotes_as_text() -> None:
    data = b'sku\ttitle\nA1\t"Best" whey 5" tall\nA2\t"x\n'

    assert read(data, delimiter="\t", quoting="none")[1] == [
        Record(2, {"sku": "A1", "title": '"Best" whey 5" tall'}),
        Record(3, {"sku": "A2", "title": '"x'}),
    ]


def test_german_semicolon_file_in_cp1252_with_decimal_commas() -> None:
    data = (
        "Artikelnummer;Bezeichnung;Preis;Währung;Menge\r\n"
        "B-100;Akku-Bohrschrauber für Holz;1.234,56 €;EUR;1.234\r\n"
        "B-101;Säge;12,48;EUR;7\r\n"
    ).encode("cp1252")

    with read_csv(io.BytesIO(data)) as table:
        items = list(table)
        assert (table.encoding, table.delimiter, table.decimal_separator) == ("cp1252", ";", ",")
        separator = table.decimal_separator
        mapping = suggest_mapping(table.headers)

    assert mapping.columns == {
        "Artikelnummer": Target.SKU,
        "Bezeichnung": Target.TITLE,
        "Preis": Target.PRICE,
        "Währung": Target.CURRENCY,
        "Menge": Target.QUANTITY,
    }
    rows = [mapping.apply(item.values) for item in items if isinstance(item, Record)]
    assert rows[0][Target.TITLE] == "Akku-Bohrschrauber für Holz"
    assert [
        parse_money(row[Target.PRICE], default_currency="EUR", decimal_separator=separator)
        for row in rows
    ] == [
        Money(amount=Decimal("1234.56"), currency="EUR"),
        Money(amount=Decimal("12.48"), currency="EUR"),
    ]
    assert [parse_int(row[Target.QUANTITY], decimal_separator=separator) for row in rows] == [
        1234,
        7,
    ]


# --- malformed rows: reported per row, reading goes on ---------------------------------------


def test_wrong_field_counts_are_row_problems() -> None:
    data = b"sku,title,price\nA1,Drill\nA2,Saw,9,extra\nA3,Hammer,1\n"

    assert read(data)[1] == [
        RowProblem(2, "expected 3 fields, found 2"),
        RowProblem(3, "expected 3 fields, found 4"),
        Record(4, {"sku": "A3", "title": "Hammer", "price": "1"}),
    ]


def test_nul_byte_is_a_row_problem() -> None:
    data = b"sku,title\nA1,Dr\x00ill\nA2,Saw\n"

    assert read(data)[1] == [
        RowProblem(2, '"title" contains a NUL byte'),
        Record(3, {"sku": "A2", "title": "Saw"}),
    ]


def test_unterminated_quote_at_the_end_of_the_file() -> None:
    data = b'sku,title\nA1,Drill\nA2,"Saw\nA3,Hammer\n'

    assert read(data)[1] == [
        Record(2, {"sku": "A1", "title": "Drill"}),
        RowProblem(3, "a quoted field is not closed before the end of the file"),
    ]


def test_text_after_a_closing_quote() -> None:
    data = b'sku,title\nA1,"Drill" 18V\nA2,Saw\n'

    assert read(data)[1] == [
        RowProblem(2, "text follows the closing quote of a field; double a quote inside a field"),
        Record(3, {"sku": "A2", "title": "Saw"}),
    ]


def test_oversize_field_is_a_row_problem() -> None:
    data = b'sku,title\nA1,"' + b"x" * 11 + b'"\nA2,' + b"y" * 10 + b"\n"

    assert read(data, limits=Limits(max_field_chars=10))[1] == [
        RowProblem(2, '"title" is longer than 10 characters'),
        Record(3, {"sku": "A2", "title": "y" * 10}),
    ]


def test_overlong_line_is_skipped_without_holding_it() -> None:
    data = b"sku,title\nA1," + b"x" * 500 + b"\nA2,Saw\n"

    assert read(data, limits=Limits(max_line_chars=50))[1] == [
        RowProblem(2, "line 2 is longer than 50 characters"),
        Record(3, {"sku": "A2", "title": "Saw"}),
    ]


def test_overlong_line_whose_crlf_is_cut_counts_as_one_line() -> None:
    # 51 characters then CRLF: the read stops between CR and LF; the LF must not become a line.
    data = b"sku,title\r\nA1," + b"x" * 48 + b"\r\nA2,Saw\r\n"

    assert read(data, limits=Limits(max_line_chars=50))[1] == [
        RowProblem(2, "line 2 is longer than 50 characters"),
        Record(3, {"sku": "A2", "title": "Saw"}),
    ]


def test_invalid_utf8_stops_the_file_with_its_offset_after_the_rows_before() -> None:
    rows = b"".join(b"A%05d,Drill\n" % number for number in range(10_000))  # 13 bytes a row
    data = b"sku,title\n" + rows + b"B,S\xc3(w\n"

    records = []
    with (
        read_csv(io.BytesIO(data), encoding="utf-8") as table,
        pytest.raises(DecodingError) as caught,
    ):
        records.extend(table)

    assert (caught.value.offset, caught.value.line) == (10 + 130_000 + 3, 10_002)
    assert str(caught.value).startswith("byte 130013 (line 10002) is not valid UTF-8: 0xC3;")
    assert len(records) > 1000
    assert records == [
        Record(line, {"sku": f"A{line - 2:05d}", "title": "Drill"})
        for line in range(2, 2 + len(records))
    ]


def test_invalid_utf8_in_the_first_chunk_fails_at_open() -> None:
    with pytest.raises(DecodingError) as caught:
        read(b"sku,title\nA1,Drill\nA2,S\xc3(w\n", encoding="utf-8")

    assert (caught.value.offset, caught.value.line) == (23, 3)


# --- file-level errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            b"sku,title,sku\n1,2,3\n",
            'column 3 of the header (line 1) repeats the name "sku" of column 1',
            id="duplicate",
        ),
        pytest.param(
            b"\xef\xbb\xbfsku, Title ,Title\n",
            'column 3 of the header (line 1) repeats the name "Title" of column 2',
            id="duplicate-after-stripping",
        ),
        pytest.param(
            b"sku,,title\n", "column 2 of the header (line 1) has no name", id="empty-name"
        ),
        pytest.param(b"\nsku;title; \n", "column 3 of the header (line 2) has no name", id="blank"),
        pytest.param(b"", "the file has no header row", id="empty-file"),
        pytest.param(b"\r\n\r\n", "the file has no header row", id="blank-lines"),
        pytest.param(
            b'sku,"title\n',
            "header (line 1): a quoted field is not closed before the end of the file",
            id="unterminated-header",
        ),
    ],
)
def test_bad_header_is_a_file_error(data: bytes, message: str) -> None:
    with pytest.raises(FileError) as caught:
        read(data)

    assert str(caught.value) == message


def test_too_many_columns() -> None:
    with pytest.raises(FileError) as caught:
        read(b"a,b,c,d\n", limits=Limits(max_columns=3))

    assert str(caught.value) == "the header (line 1) has 4 columns; at most 3 are allowed"


def test_overlong_header_line() -> None:
    with pytest.raises(FileError) as caught:
        read(b"a," * 100 + b"\n", limits=Limits(max_line_chars=50))

    assert str(caught.value) == "line 1 is longer than 50 characters"


def test_preamble_longer_than_the_file() -> None:
    with pytest.raises(FileError) as caught:
        read(b"one line\n", skip_lines=3)

    assert str(caught.value) == "the file ends before its header row"


def test_too_many_rows_after_yielding_the_allowed_ones() -> None:
    with read_csv(io.BytesIO(b"sku\nA1\nA2\n\nA3\n"), limits=Limits(max_rows=2)) as table:
        iterator = iter(table)
        assert [next(iterator), next(iterator)] == [
            Record(2, {"sku": "A1"}),
            Record(3, {"sku": "A2"}),
        ]
        with pytest.raises(FileError) as caught:
            next(iterator)

    assert (str(caught.value), caught.value.line) == ("the file has more than 2 rows; split it", 5)


# --- properties ------------------------------------------------------------------------------

CSV_ALPHABET = st.sampled_from(list(',;\t|"\r\n\x00 aé€\x85\ufeff=\xff'))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_raise_only_file_errors(data: bytes) -> None:
    try:
        with read_csv(
            io.BytesIO(data), limits=Limits(max_line_chars=64, max_field_chars=16)
        ) as table:
            for item in table:
                assert isinstance(item, Record | RowProblem)
                assert item.line >= 1
    except FileError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(CSV_ALPHABET, max_size=300), st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_any_csv_like_text_raises_only_file_errors(text: str, encoding: str) -> None:
    data = text.encode(encoding, errors="replace")
    try:
        with read_csv(io.BytesIO(data), limits=Limits(max_columns=8, max_rows=20)) as table:
            lines = [item.line for item in table]
        assert lines == sorted(lines)
    except FileError:
        pass
