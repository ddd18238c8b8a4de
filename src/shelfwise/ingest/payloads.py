"""An import's raw payload, stored in the database in 1 MiB chunks and read back as a stream.

The database rather than the data directory: in scale-out mode the worker that runs the import is
often on another machine than the web instance that received the file. Chunks keep memory flat
in both directions, and the payload stays for replays.
"""

import hashlib
import io
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, BinaryIO

from shelfwise.ingest.repository import ImportRunRepository
from shelfwise.platform.db import Database
from shelfwise.platform.errors import PayloadTooLargeError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from sqlalchemy.orm import Session

CHUNK_BYTES = 1 << 20


def store_payload(
    session: "Session",
    organization_id: uuid.UUID,
    import_id: uuid.UUID,
    source: BinaryIO,
    max_bytes: int,
) -> tuple[int, str]:
    """Copy `source` into the import's chunks; returns (size in bytes, SHA-256 hex)."""
    repository = ImportRunRepository(session, organization_id)
    digest = hashlib.sha256()
    size = sequence = 0
    while chunk := source.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLargeError(max_bytes)
        digest.update(chunk)
        repository.add_chunk(import_id, sequence, chunk)
        sequence += 1
    return size, digest.hexdigest()


class StoredPayload(io.RawIOBase):
    """The chunks of one import in order, each read in a short transaction of its own (a long
    import must not hold a connection between batches). The next chunk is fetched in a thread
    while this one is read: the database's time to find and decompress it overlaps the parsing
    instead of adding to it."""

    def __init__(self, database: Database, organization_id: uuid.UUID, import_id: uuid.UUID):
        super().__init__()
        self._database = database
        self._organization_id = organization_id
        self._import_id = import_id
        self._sequence = 0
        self._pending = memoryview(b"")
        self._is_done = False
        self._fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="payload-reader")
        self._ahead: Future[bytes | None] | None = None
        self.bytes_read = 0  # handed to the reader so far: an import's progress in bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "WriteableBuffer") -> int:
        while not self._pending and not self._is_done:
            self._pending = memoryview(self._next_chunk() or b"")
        view = memoryview(buffer).cast("B")
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self.bytes_read += count
        return count

    def close(self) -> None:
        if not self.closed:
            self._fetcher.shutdown(wait=True, cancel_futures=True)
        super().close()

    def _next_chunk(self) -> bytes | None:
        ahead = self._ahead or self._fetcher.submit(self._fetch, self._sequence)
        data = ahead.result()
        self._sequence += 1
        self._is_done = data is None
        self._ahead = None if data is None else self._fetcher.submit(self._fetch, self._sequence)
        return data

    def _fetch(self, sequence: int) -> bytes | None:
        with self._database.unit_of_work(organization_id=self._organization_id, write=False) as s:
            return ImportRunRepository(s, self._organization_id).chunk(self._import_id, sequence)


def open_payload(database: Database, organization_id: uuid.UUID, import_id: uuid.UUID) -> BinaryIO:
    """A buffered binary stream over the stored payload."""
    raw = StoredPayload(database, organization_id, import_id)
    return io.BufferedReader(raw, buffer_size=CHUNK_BYTES)
