"""Streaming XLSX reader (openpyxl read-only): the first non-empty row is the header.

Yields the same `Record`/`RowProblem` items as the CSV reader, `line` being the sheet's row number,
with every cell as text: whole numbers without ".0", dates as ISO 8601 (a date-formatted cell at
midnight as a date alone), booleans as "true"/"false", empty cells as "".
"""

import math
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from shelfwise.ingest.records import FileError, Limits, Record, RowProblem, check_headers

_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    InvalidFileException,
    ParseError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    OSError,
)


class XlsxTable:
    """A sheet's header and one pass over its rows (`for item in table`); close it after."""

    def __init__(
        self, binary: BinaryIO, *, sheet: str | None = None, limits: Limits | None = None
    ) -> None:
        self.limits = limits or Limits()
        _check_archive(binary, self.limits.max_unpacked_bytes)
        try:
            self._workbook = load_workbook(binary, read_only=True, data_only=True, keep_links=False)
        except _BROKEN as error:
            raise FileError(f"not a readable XLSX workbook ({_reason(error)})") from None
        try:
            names = self._workbook.sheetnames
            if sheet is not None and sheet not in names:
                raise FileError(f'the workbook has no sheet "{sheet}" (it has {", ".join(names)})')
            if not names:
                raise FileError("the workbook has no sheet")
            worksheet = self._workbook[sheet or names[0]]
            if not isinstance(worksheet, ReadOnlyWorksheet):
                raise FileError(f'"{worksheet.title}" is a chart, not a sheet of rows')
            self.sheet = worksheet.title
            worksheet.reset_dimensions()  # the stored size may be wrong; read what is there
            self._rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
            self.header_line, self.headers = self._read_header()
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[Record | RowProblem]:
        count = 0
        try:
            for line, cells in self._rows:
                values = [cell_text(cell) for cell in cells]
                if not any(value.strip() for value in values):
                    continue
                count += 1
                if count > self.limits.max_rows:
                    raise FileError(
                        f"the sheet has more than {self.limits.max_rows} rows; split it", line=line
                    )
                yield self._record(line, values)
        except _BROKEN as error:
            raise FileError(f"the workbook is damaged ({_reason(error)})") from None

    def close(self) -> None:
        """Release the workbook's archive (never closes the binary file given)."""
        self._workbook.close()

    def __enter__(self) -> "XlsxTable":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _read_header(self) -> tuple[int, tuple[str, ...]]:
        try:
            for line, cells in self._rows:
                names = [cell_text(cell) for cell in cells]
                while names and not names[-1].strip():
                    names.pop()  # formatted but empty cells after the last name
                if names:
                    return line, check_headers(names, line=line, limits=self.limits)
        except _BROKEN as error:
            raise FileError(f"the workbook is damaged ({_reason(error)})") from None
        raise FileError(f'the sheet "{self.sheet}" is empty')

    def _record(self, line: int, values: list[str]) -> Record | RowProblem:
        width = len(self.headers)
        beyond = [value for value in values[width:] if value.strip()]
        if beyond:
            count = "a value" if len(beyond) == 1 else f"{len(beyond)} values"
            return RowProblem(line, f"{count} right of the last named column")
        values += [""] * (width - len(values))
        for header, value in zip(self.headers, values, strict=False):
            if len(value) > self.limits.max_field_chars:
                return RowProblem(
                    line, f'"{header}" is longer than {self.limits.max_field_chars} characters'
                )
        return Record(line, dict(zip(self.headers, values, strict=False)))


def read_xlsx(
    binary: BinaryIO, *, sheet: str | None = None, limits: Limits | None = None
) -> XlsxTable:
    """Open an uploaded XLSX (a seekable file) at `sheet`, else the first sheet."""
    return XlsxTable(binary, sheet=sheet, limits=limits)


def cell_text(value: object) -> str:
    """A cell value as text, the same way every time (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _number_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _number_text(value: float | Decimal) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = format(Decimal(repr(value)) if isinstance(value, float) else value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _check_archive(binary: BinaryIO, max_unpacked_bytes: int) -> None:
    position = binary.tell()
    try:
        with zipfile.ZipFile(binary) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except _BROKEN as error:
        raise FileError(f"not an XLSX workbook ({_reason(error)})") from None
    if unpacked > max_unpacked_bytes:
        raise FileError(f"the workbook unpacks to {unpacked} bytes; at most {max_unpacked_bytes}")
    binary.seek(position)


def _reason(error: BaseException) -> str:
    return str(error) or type(error).__name__
