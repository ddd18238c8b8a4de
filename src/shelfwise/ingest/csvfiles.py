"""Streaming CSV/TSV reader: sniffed delimiter, records with their line, per-row problems.

Memory stays flat in the file size: one physical line (at most `Limits.max_line_chars`) and one
record are held at a time. Rows that cannot be read become `RowProblem`s and reading goes on;
only what spoils the whole file (encoding, header, too many rows) raises `FileError`.
"""

import csv
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, Literal, TextIO, cast

from shelfwise.ingest.decoding import DecodedText, open_text
from shelfwise.ingest.records import FileError, Limits, Record, RowProblem, check_headers

DELIMITERS = ("\t", ";", ",", "|")  # preferred in this order when a header fits several equally
Quoting = Literal["minimal", "none"]

_MESSAGES = {
    "unexpected end of data": "a quoted field is not closed before the end of the file",
    "expected after": "text follows the closing quote of a field; double a quote inside a field",
    "field larger than field limit": "a field is longer than {limit} characters",
}


class CsvTable:
    """A CSV file's header and one pass over its rows (`for item in table`)."""

    def __init__(
        self,
        text: TextIO,
        *,
        delimiter: str | None = None,
        quoting: Quoting = "minimal",
        skip_lines: int = 0,
        limits: Limits | None = None,
    ) -> None:
        if delimiter is not None and delimiter not in DELIMITERS:
            raise ValueError(f"delimiter must be one of {DELIMITERS!r}, not {delimiter!r}")
        self.limits = limits or Limits()
        self._field_chars = self.limits.max_field_chars
        self._text = text
        self._lines = _Lines(text, self.limits.max_line_chars)
        for _ in range(skip_lines):
            self._next_line_or_error()
        self.delimiter = delimiter or sniff_delimiter(self._lines.peek(5)[:2])
        if csv.field_size_limit() < self.limits.max_field_chars:
            # Process-wide; only ever raised, so a reader with a larger limit is never cut short.
            csv.field_size_limit(self.limits.max_field_chars)
        self._reader = csv.reader(
            self._lines,
            delimiter=self.delimiter,
            quoting=csv.QUOTE_NONE if quoting == "none" else csv.QUOTE_MINIMAL,
            strict=True,
        )
        self.header_line, names = self._read_header()
        self.headers = check_headers(names, line=self.header_line, limits=self.limits)

    @property
    def encoding(self) -> str | None:
        """The file's encoding when this table decoded it (see `decoding.open_text`)."""
        return self._text.source_encoding if isinstance(self._text, DecodedText) else None

    @property
    def decimal_separator(self) -> str:
        """The likely decimal mark: spreadsheets save ";"-separated CSV where "," is the mark."""
        return "," if self.delimiter == ";" else "."

    def __iter__(self) -> Iterator[Record | RowProblem]:
        return cast(Iterator[Record | RowProblem], self._rows(self._record))

    def cells(self) -> Iterator[tuple[int, list[str]] | RowProblem]:
        """The rows as `for item in table` checks them, a good one as its line and its cells
        (one per header) instead of a record: for a reader that converts them batch-wise."""
        return cast(Iterator[tuple[int, list[str]] | RowProblem], self._rows(self._cells))

    def count_rows(self) -> int:
        """The rows left, read and checked as `for item in table` would (encoding, limits) but
        not made into records: a first pass over the file at a fraction of the cost."""
        return sum(1 for _ in self._rows(None))

    def _rows(self, make: "Callable[[int, list[str], str], Any] | None") -> Iterator[Any]:
        """Each row as `make` makes it from its line, cells and their joined text, or a problem;
        None for a good row without `make`. Runs once per row of every import: what the loop
        needs is looked up before it."""
        lines, reader, max_rows = self._lines, self._reader, self.limits.max_rows
        count = 0
        while True:
            line = lines.number + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                item: Any = RowProblem(line, self._message(error))
            except _LineTooLong as error:
                item = RowProblem(line, str(self._too_long(error)))
            else:
                joined = "".join(fields)  # one string to check instead of each field
                if not joined.strip():
                    continue
                item = make(line, fields, joined) if make is not None else None
            count += 1
            if count > max_rows:
                raise FileError(f"the file has more than {max_rows} rows; split it", line=line)
            yield item

    def close(self) -> None:
        """Close the text stream (never the binary file under it)."""
        self._text.close()

    def __enter__(self) -> "CsvTable":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _record(self, line: int, fields: list[str], joined: str) -> Record | RowProblem:
        if len(fields) != len(self.headers):
            return RowProblem(line, f"expected {len(self.headers)} fields, found {len(fields)}")
        if "\0" in joined or max(map(len, fields)) > self.limits.max_field_chars:
            return self._field_problem(line, fields)
        return Record(line, dict(zip(self.headers, fields, strict=True)))

    def _cells(
        self, line: int, fields: list[str], joined: str
    ) -> tuple[int, list[str]] | RowProblem:
        if len(fields) != len(self.headers) or "\0" in joined or len(joined) > self._field_chars:
            checked = self._record(line, fields, joined)
            if isinstance(checked, RowProblem):
                return checked
        return (line, fields)

    def _field_problem(self, line: int, fields: list[str]) -> RowProblem:
        """The first field that is too long or holds a NUL byte."""
        for header, field in zip(self.headers, fields, strict=True):
            if len(field) > self.limits.max_field_chars:
                return RowProblem(
                    line, f'"{header}" is longer than {self.limits.max_field_chars} characters'
                )
            if "\0" in field:
                return RowProblem(line, f'"{header}" contains a NUL byte')
        raise AssertionError("no field is too long or holds a NUL byte")

    def _read_header(self) -> tuple[int, list[str]]:
        while True:
            line = self._lines.number + 1
            try:
                fields = next(self._reader)
            except StopIteration:
                raise FileError("the file has no header row", line=line) from None
            except csv.Error as error:
                message = f"header (line {line}): {self._message(error)}"
                raise FileError(message, line=line) from None
            except _LineTooLong as error:
                raise self._too_long(error) from None
            if any(field.strip() for field in fields):
                if fields[0].startswith("\ufeff"):  # a second BOM, e.g. two files concatenated
                    fields[0] = fields[0][1:]
                return line, fields

    def _next_line_or_error(self) -> None:
        try:
            next(self._lines)
        except StopIteration:
            raise FileError("the file ends before its header row") from None
        except _LineTooLong as error:
            raise self._too_long(error) from None

    def _too_long(self, error: "_LineTooLong") -> FileError:
        return FileError(
            f"line {error.line} is longer than {self.limits.max_line_chars} characters",
            line=error.line,
        )

    def _message(self, error: csv.Error) -> str:
        text = str(error)
        for fragment, message in _MESSAGES.items():
            if fragment in text:
                return message.format(limit=self.limits.max_field_chars)
        return f"malformed row: {text}"


def read_csv(
    binary: BinaryIO,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    quoting: Quoting = "minimal",
    skip_lines: int = 0,
    limits: Limits | None = None,
) -> CsvTable:
    """Open an uploaded CSV/TSV: detect its encoding and delimiter and read its header.

    `skip_lines` physical lines (a report's preamble) come before the header; blank lines before
    it are skipped too. `quoting="none"` reads quotes as ordinary characters (Amazon's reports).
    """
    text = open_text(binary, encoding)
    try:
        return CsvTable(
            text, delimiter=delimiter, quoting=quoting, skip_lines=skip_lines, limits=limits
        )
    except BaseException:
        text.close()
        raise


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header (`lines[0]`) most; ties go to one line 2 agrees with."""
    if not lines:
        return ","
    counts = {delimiter: _field_count(lines[0], delimiter) for delimiter in DELIMITERS}
    most = max(counts.values())
    if most == 1:
        return ","
    tied = [delimiter for delimiter in DELIMITERS if counts[delimiter] == most]
    for delimiter in tied:
        if len(lines) > 1 and _field_count(lines[1], delimiter) == most:
            return delimiter
    return tied[0]


def _field_count(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return 1


class _LineTooLong(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(f"line {line} is too long")
        self.line = line


class _LineEnd:
    """Marks an over-long line in the look-ahead buffer."""


class _Lines:
    """Physical lines of a text stream, counted; a line over `limit` characters raises (and is
    skipped) without ever being held whole. A class, not a generator, so it survives raising."""

    def __init__(self, text: TextIO, limit: int) -> None:
        self.number = 0
        self._text = text
        self._limit = limit
        self._ahead: deque[str | _LineEnd] = deque()
        self._is_after_cut_cr = False

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = self._ahead.popleft() if self._ahead else self._next_line()
        if line is None:
            raise StopIteration
        self.number += 1
        if isinstance(line, _LineEnd):
            raise _LineTooLong(self.number)
        return line

    def peek(self, count: int) -> list[str]:
        """Up to `count` next lines that are not blank, without consuming them."""
        while len(self._ahead) < count and (line := self._next_line()) is not None:
            self._ahead.append(line)
        return [line for line in self._ahead if isinstance(line, str) and line.strip()][:count]

    def _next_line(self) -> "str | _LineEnd | None":
        """The next line from the stream; _LineEnd for one over the limit, None at the end."""
        line = self._text.readline(self._limit + 2)  # room for a CRLF after `limit` characters
        if self._is_after_cut_cr and line == "\n":  # the LF of a CRLF cut from an over-long line
            line = self._text.readline(self._limit + 2)
        self._is_after_cut_cr = False
        if len(line.rstrip("\r\n")) <= self._limit:
            return line or None
        while line and not line.endswith(("\n", "\r")):
            line = self._text.readline(self._limit)
        self._is_after_cut_cr = line.endswith("\r")
        return _LineEnd()
