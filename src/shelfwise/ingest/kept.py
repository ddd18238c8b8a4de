"""A CSV file's rows as the import's first pass read and checked them, kept for the second pass.

The first pass has to read the whole file anyway (a file broken anywhere is refused before
anything is written, and the progress bar needs the total), and decoding and CSV parsing were
a third of an import's reading. So it keeps what it read in a temporary file, in chunks that
`marshal` writes and reads several times faster than the CSV is parsed, and the second pass
converts from there instead of reading the file again. Memory stays flat: one chunk at a time.

A chunk is a list of (line, cells) for the rows the table yields as cells, and (line, message)
for the rows it refuses (`RowProblem`); the file starts with the table's headers and decimal
separator.
"""

import marshal
from collections.abc import Iterator
from itertools import islice
from typing import IO, Any

from shelfwise.ingest.csvfiles import CsvTable
from shelfwise.ingest.records import RowProblem

Entry = tuple[int, list[str] | str]  # a row's line, and its cells or why it was refused
_MARSHAL_VERSION = 4


def keep_rows(table: CsvTable, file: IO[bytes], chunk_rows: int) -> int:
    """Read `table`'s rows into `file` (from its current position); returns how many."""
    _dump((list(table.headers), table.decimal_separator), file)
    entries = table.cells()
    count = 0
    while chunk := list(islice(entries, chunk_rows)):
        _dump([csv_entry(entry) for entry in chunk], file)
        count += len(chunk)
    return count


def csv_entry(cells: tuple[int, list[str]] | RowProblem) -> Entry:
    """A row of `CsvTable.cells()` as an entry: its cells, or the reader's reason to refuse it."""
    return (cells.line, cells.message) if isinstance(cells, RowProblem) else cells


class KeptRows:
    """The rows `keep_rows` wrote to `file`, read back from its start."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        file.seek(0)
        headers, self.decimal_separator = _load(file)
        self.headers: tuple[str, ...] = tuple(headers)

    def chunks(self) -> Iterator[list[Entry]]:
        """The chunks in file order (each as `keep_rows` wrote it)."""
        while True:
            try:
                chunk: list[Entry] = _load(self._file)
            except EOFError:
                return
            yield chunk


# Each value is written as its length and its bytes, and read back whole: marshal.load of a
# file object reads piece by piece, a Python call per string.
def _dump(value: Any, file: IO[bytes]) -> None:
    data = marshal.dumps(value, _MARSHAL_VERSION)
    file.write(len(data).to_bytes(8, "big"))
    file.write(data)


def _load(file: IO[bytes]) -> Any:
    size = file.read(8)
    if not size:
        raise EOFError
    data = file.read(int.from_bytes(size, "big"))
    # Only ever a private temporary file this process has just written, never outside bytes.
    return marshal.loads(data)  # noqa: S302
