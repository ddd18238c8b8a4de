"""What the file readers yield: records, per-row problems, limits and the file-level error."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from shelfwise.jobs.errors import PermanentJobError
from shelfwise.platform.errors import ShelfwiseError


class FileError(ShelfwiseError, PermanentJobError):
    """The whole file is refused (bad encoding, header, format or size); the message says where."""

    status_code = 422
    title = "Unprocessable file"

    def __init__(self, detail: str, *, line: int | None = None, offset: int | None = None) -> None:
        where = (("line", line), ("offset", offset))
        extra = {key: value for key, value in where if value is not None}
        super().__init__(detail, **extra)
        self.line = line
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Record:
    """One data row: `line` is where it starts (a CSV line, or an XLSX row number), 1-based."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that could not be read; the rest of the file goes on."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep one upload from exhausting memory or time; beyond them, errors."""

    max_columns: int = 500
    max_field_chars: int = 131_072  # the csv module's own default limit
    max_rows: int = 1_000_000
    max_line_chars: int = 4_194_304  # a physical line, so memory stays flat on a newline-less file
    max_unpacked_bytes: int = 1 << 30  # an XLSX archive's content: zip bombs are refused unread


class Table(Protocol):
    """A header and a single pass over its rows, as records or problems in file order."""

    @property
    def headers(self) -> tuple[str, ...]: ...

    def __iter__(self) -> Iterator[Record | RowProblem]: ...


def check_headers(names: Sequence[str], *, line: int, limits: Limits) -> tuple[str, ...]:
    """Header names stripped; empty or repeated names and too many columns are file errors."""
    if len(names) > limits.max_columns:
        raise FileError(
            f"the header (line {line}) has {len(names)} columns; at most {limits.max_columns}"
            " are allowed",
            line=line,
        )
    headers = tuple(name.strip() for name in names)
    seen: dict[str, int] = {}
    for column, name in enumerate(headers, start=1):
        if not name:
            raise FileError(f"column {column} of the header (line {line}) has no name", line=line)
        if name in seen:
            raise FileError(
                f'column {column} of the header (line {line}) repeats the name "{name}"'
                f" of column {seen[name]}",
                line=line,
            )
        seen[name] = column
    return headers
