"""The streaming XLSX reader: header detection, row numbers, cell text, damaged files."""

import io
import zipfile
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import Workbook

from shelfwise.ingest.records import FileError, Limits, Record, RowProblem
from shelfwise.ingest.xlsx import cell_text, read_xlsx


def workbook_bytes(*sheets: tuple[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, **options: object) -> tuple[tuple[str, ...], list[Record | RowProblem]]:
    with read_xlsx(io.BytesIO(data), **options) as table:  # type: ignore[arg-type]
        return table.headers, list(table)


def test_header_is_the_first_non_empty_row_and_lines_are_sheet_rows() -> None:
    data = workbook_bytes(
        (
            "Produkte",
            [
                [],
                [None, None],
                ["sku", " title ", "price", None, None],
                ["A1", "Drill", 12.0],
                [],
                ["A2", "Saw", 12.5, None, None],
            ],
        )
    )

    with read_xlsx(io.BytesIO(data)) as table:
        items = list(table)
        assert (table.sheet, table.header_line, table.headers) == (
            "Produkte",
            3,
            ("sku", "title", "price"),
        )

    assert items == [
        Record(4, {"sku": "A1", "title": "Drill", "price": "12"}),
        Record(6, {"sku": "A2", "title": "Saw", "price": "12.5"}),
    ]


def test_cells_become_text_consistently() -> None:
    data = workbook_bytes(
        (
            "Sheet",
            [
                [
                    "sku",
                    "ean",
                    "ean_float",
                    "date",
                    "datetime",
                    "midnight",
                    "flag",
                    "tiny",
                    "empty",
                ],
                [
                    "A1",
                    4006381333931,
                    4006381333931.0,
                    date(2024, 5, 8),
                    datetime(2024, 5, 8, 11, 3, 5),
                    datetime(2024, 5, 8),
                    True,
                    1e-05,
                    None,
                ],
                ["A2"],
            ],
        )
    )

    assert read(data)[1] == [
        Record(
            2,
            {
                "sku": "A1",
                "ean": "4006381333931",
                "ean_float": "4006381333931",
                "date": "2024-05-08",
                "datetime": "2024-05-08T11:03:05",
                "midnight": "2024-05-08",
                "flag": "true",
                "tiny": "0.00001",
                "empty": "",
            },
        ),
        Record(
            3,
            {
                "sku": "A2",
                "ean": "",
                "ean_float": "",
                "date": "",
                "datetime": "",
                "midnight": "",
                "flag": "",
                "tiny": "",
                "empty": "",
            },
        ),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, "", id="none"),
        pytest.param(12, "12", id="int"),
        pytest.param(12.0, "12", id="whole-float"),
        pytest.param(-0.0, "0", id="negative-zero"),
        pytest.param(12.48, "12.48", id="float"),
        pytest.param(0.1 + 0.2, "0.30000000000000004", id="float-shortest-repr"),
        pytest.param(1e16, "10000000000000000", id="large-float"),
        pytest.param(1.5e-7, "0.00000015", id="small-float"),
        pytest.param(float("inf"), "inf", id="infinity"),
        pytest.param(Decimal("12.500"), "12.5", id="decimal"),
        pytest.param(False, "false", id="bool"),
        pytest.param(date(2024, 5, 8), "2024-05-08", id="date"),
        pytest.param(datetime(2024, 5, 8, 0, 0, 1), "2024-05-08T00:00:01", id="datetime"),
        pytest.param(
            datetime(2024, 5, 8, tzinfo=timezone(timedelta(hours=2))),
            "2024-05-08T00:00:00+02:00",
            id="aware-midnight",
        ),
        pytest.param(time(11, 3), "11:03:00", id="time"),
        pytest.param("#N/A", "#N/A", id="error-value"),
    ],
)
def test_cell_text(value: object, expected: str) -> None:
    assert cell_text(value) == expected


def test_named_sheet() -> None:
    data = workbook_bytes(("First", [["a"], ["1"]]), ("Zweites Blatt", [["sku"], ["A1"]]))

    assert read(data, sheet="Zweites Blatt") == (("sku",), [Record(2, {"sku": "A1"})])
    assert read(data) == (("a",), [Record(2, {"a": "1"})])


def test_missing_sheet() -> None:
    data = workbook_bytes(("First", [["a"]]), ("Second", [["b"]]))

    with pytest.raises(FileError) as caught:
        read(data, sheet="Third")

    assert str(caught.value) == 'the workbook has no sheet "Third" (it has First, Second)'


def test_values_right_of_the_header_are_a_row_problem() -> None:
    data = workbook_bytes(("S", [["sku", "title"], ["A1", "Drill", None, "x", "y"], ["A2", "Saw"]]))

    assert read(data)[1] == [
        RowProblem(2, "2 values right of the last named column"),
        Record(3, {"sku": "A2", "title": "Saw"}),
    ]


def test_oversize_cell_is_a_row_problem() -> None:
    data = workbook_bytes(("S", [["sku", "title"], ["A1", "x" * 11], ["A2", "y" * 10]]))

    assert read(data, limits=Limits(max_field_chars=10))[1] == [
        RowProblem(2, '"title" is longer than 10 characters'),
        Record(3, {"sku": "A2", "title": "y" * 10}),
    ]


def test_too_many_rows() -> None:
    data = workbook_bytes(("S", [["sku"], ["A1"], ["A2"], ["A3"]]))

    with read_xlsx(io.BytesIO(data), limits=Limits(max_rows=2)) as table:
        iterator = iter(table)
        assert [next(iterator), next(iterator)] == [
            Record(2, {"sku": "A1"}),
            Record(3, {"sku": "A2"}),
        ]
        with pytest.raises(FileError) as caught:
            next(iterator)

    assert (str(caught.value), caught.value.line) == ("the sheet has more than 2 rows; split it", 4)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param(
            [["sku", "title", "sku"]],
            'column 3 of the header (line 1) repeats the name "sku" of column 1',
            id="duplicate",
        ),
        pytest.param(
            [[], ["sku", None, "title"]],
            "column 2 of the header (line 2) has no name",
            id="empty-name",
        ),
        pytest.param([], 'the sheet "S" is empty', id="empty"),
        pytest.param([[None, "  "]], 'the sheet "S" is empty', id="blank"),
    ],
)
def test_bad_header(rows: list[list[object]], message: str) -> None:
    with pytest.raises(FileError) as caught:
        read(workbook_bytes(("S", rows)))

    assert str(caught.value) == message


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


GOOD = workbook_bytes(("S", [["sku"], ["A1"]]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            b"sku,title\nA1,Drill\n", "not an XLSX workbook (File is not a zip file)", id="csv"
        ),
        pytest.param(b"", "not an XLSX workbook (File is not a zip file)", id="empty"),
        pytest.param(
            GOOD[: len(GOOD) // 2], "not an XLSX workbook (File is not a zip file)", id="truncated"
        ),
        pytest.param(
            zip_bytes({"word/document.xml": b"<w/>"}),
            "not a readable XLSX workbook (\"There is no item named '[Content_Types].xml' in the"
            ' archive")',
            id="other-zip",
        ),
    ],
)
def test_not_an_xlsx(data: bytes, message: str) -> None:
    with pytest.raises(FileError) as caught:
        read(data)

    assert str(caught.value) == message
    assert caught.value.status_code == 422


def test_damaged_sheet_xml() -> None:
    with zipfile.ZipFile(io.BytesIO(GOOD)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"][:-40]

    with pytest.raises(FileError) as caught:
        read(zip_bytes(members))

    assert str(caught.value).startswith("the workbook is damaged (")


def test_zip_bomb_is_refused_before_unpacking() -> None:
    with pytest.raises(FileError) as caught:
        read(
            zip_bytes({"xl/sharedStrings.xml": b" " * 5000}), limits=Limits(max_unpacked_bytes=1000)
        )

    assert str(caught.value) == "the workbook unpacks to 5000 bytes; at most 1000"


def test_upload_stays_open_after_close() -> None:
    upload = io.BytesIO(GOOD)

    read_xlsx(upload).close()

    assert not upload.closed
