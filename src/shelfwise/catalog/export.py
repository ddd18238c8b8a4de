"""Streaming catalog exports to CSV and XLSX that cannot smuggle formulas into a spreadsheet.

Text that a spreadsheet would run as a formula (OWASP "CSV injection": a cell starting with =, +, -,
@, a tab or a carriage return, also after leading spaces, or with their full-width forms) gets a
leading single quote. Only text is touched: a Decimal such as -12.50 stays a number.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook

Cell = str | int | Decimal | bool | date | datetime | None

_TRIGGERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")  # and full-width
_CHUNK_CHARS = 65_536
_NOT_CSV = re.compile("[\x00\ud800-\udfff]")  # NUL breaks readers; lone surrogates are not text
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # XML 1.0 Char


def neutralize(text: str) -> str:
    """`text` with a leading "'" when a spreadsheet could read it as a formula."""
    rest = text.lstrip()
    leading = text[: len(text) - len(rest)]
    if "\t" in leading or "\r" in leading or rest[:1] in _TRIGGERS:
        return "'" + text
    return text


def export_csv(
    rows: Iterable[Mapping[str, Cell]], columns: Sequence[str], *, delimiter: str = ","
) -> Iterator[bytes]:
    """UTF-8 CSV (with a BOM, so Excel reads it as UTF-8) in chunks of about 64 KiB.

    A row's keys outside `columns` are not written; missing ones are empty cells. NUL characters
    and lone surrogates are dropped from text.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_csv_text(column) for column in columns])
    for row in rows:
        writer.writerow([_csv_text(row.get(column)) for column in columns])
        if buffer.tell() >= _CHUNK_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_xlsx(
    rows: Iterable[Mapping[str, Cell]],
    columns: Sequence[str],
    file: BinaryIO,
    *,
    sheet_title: str = "Export",
) -> int:
    """An XLSX workbook (openpyxl write-only, so rows stream) written to `file`; returns rows.

    Numbers, booleans and dates stay typed cells; aware datetimes are written in UTC (Excel has
    no time zones); characters XML cannot hold are dropped from text.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append([_xlsx_value(column) for column in columns])
    count = 0
    for row in rows:
        sheet.append([_xlsx_value(row.get(column)) for column in columns])
        count += 1
    workbook.save(file)
    return count


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(_NOT_CSV.sub("", value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    raise TypeError(f"cannot export {type(value).__name__} values")


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, str):
        return neutralize(_NOT_XML.sub("", value))
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if value is None or isinstance(value, int | Decimal | date):
        return value
    raise TypeError(f"cannot export {type(value).__name__} values")
