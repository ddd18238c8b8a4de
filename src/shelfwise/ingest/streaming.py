"""A CSV import on PostgreSQL in one pass and one transaction: each batch is written as soon as
it is read, and a file found broken further on rolls every batch back.

The two-pass import (pipeline.py) reads the whole file before it writes anything, so that a
file broken anywhere writes nothing. One transaction keeps that promise in one pass, and then
the database's share of the import (staging COPY, merge) overlaps all of the reading
(decoding, CSV parsing, conversion) instead of the second pass's alone: on two cores a large
import takes about the longer of the two instead of the first pass plus the longer.

What it costs, and why that is acceptable:
- a killed worker starts the file over: nothing was committed, and the upsert is idempotent;
- progress counts the file's bytes, committed apart from the import (the import itself
  commits only at its end), so the progress bar moves while the rows are not yet visible;
- two imports of overlapping files can deadlock between their batches (each batch still takes
  its row locks in key order); PostgreSQL aborts one, and its job is retried.
SQLite keeps two passes: one transaction would hold its single write lock, and so stop every
other writer, for the whole import. Dry runs (which sample their changes batch by batch), XLSX
and JSON keep them too.
"""

import io
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import Dialect
from sqlalchemy.orm import Session

from shelfwise.catalog.bulk import ProductUpserts
from shelfwise.ingest.batches import (
    GUESSES_PER_TRANSACTION,
    Batch,
    NewKeysGuess,
    add_counts,
    csv_batches,
    write_batches,
)
from shelfwise.ingest.columns import ColumnConverter
from shelfwise.ingest.csvfiles import read_csv
from shelfwise.ingest.kept import csv_entry
from shelfwise.ingest.models import ImportFormat, ImportRun
from shelfwise.ingest.payloads import CHUNK_BYTES, StoredPayload
from shelfwise.ingest.records import Limits
from shelfwise.ingest.repository import ImportRunRepository
from shelfwise.ingest.rows import FileDefaults, RecordConverter
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import JobGone

if TYPE_CHECKING:  # the pipeline imports this module
    from shelfwise.ingest.pipeline import RunPlan


# A smaller first batch lets the server start merging sooner (0.65 -> 0.30 s before the first
# write at 100,000 rows), but the import's row locks are held to its end: a file of one batch
# split in two would lock in two rounds, and two imports of overlapping files could deadlock
# where one batch each cannot (H2, whose test imports two 10,000-row files at once). Only files
# this large get one: they hold many batches anyway (10,000 rows of 3.3 KB each), so their
# imports could deadlock already, and the one PostgreSQL aborts is retried.
SMALL_FIRST_BATCH_BYTES = 32 << 20


def is_streamed(plan: "RunPlan", dialect: Dialect) -> bool:
    """Whether the import of `plan` runs in one pass (see the module's docstring)."""
    return dialect.name == "postgresql" and plan.format is ImportFormat.CSV and not plan.dry_run


@dataclass
class _Stream:
    """What the writer thread carries from batch to batch."""

    session: Session
    run: ImportRun
    payload: StoredPayload
    bytes_reported: int = 0
    item_errors: int = 0
    new_keys: NewKeysGuess = field(
        default_factory=lambda: NewKeysGuess(guesses_left=GUESSES_PER_TRANSACTION)
    )


def run_streamed(context: JobContext, plan: "RunPlan") -> None:
    """Read, check and write the CSV file of `plan` in one transaction, its counts included;
    a `FileError` met anywhere in the file leaves nothing written."""
    assert plan.mapping is not None
    dialect = context.database.engine.dialect
    payload = StoredPayload(context.database, plan.organization_id, plan.import_id)
    with (
        context.unit_of_work() as session,
        io.BufferedReader(payload, buffer_size=CHUNK_BYTES) as reader,
    ):
        run = ImportRunRepository(session, plan.organization_id).locked(plan.import_id)
        if run is None:
            raise JobGone(f"import {plan.import_id} was deleted")
        # An earlier attempt's progress was committed, its rows were not: start over.
        context.restart_progress(run.size_bytes)
        stream = _Stream(session, run, payload)
        with read_csv(reader, limits=Limits()) as table:
            defaults = FileDefaults(plan.source_platform, decimal_separator=table.decimal_separator)
            converter = ColumnConverter(RecordConverter(plan.mapping, defaults), table.headers)
            entries = (csv_entry(cells) for cells in table.cells())
            small_first = run.size_bytes > SMALL_FIRST_BATCH_BYTES
            batches = csv_batches(
                entries, converter, plan.lines_done, dialect, small_first=small_first
            )
            write_batches(batches, partial(_write_batch, context, plan, stream))
        run.rows_total = run.rows_read
        size = run.size_bytes
        # Last: it locks the job's row, which the progress updates apart must not wait for.
        context.count_item_errors(session, stream.item_errors)
    context.advance_apart(size - stream.bytes_reported)


def _write_batch(context: JobContext, plan: "RunPlan", stream: _Stream, batch: Batch) -> None:
    """Write one batch into the import's transaction (in the writer thread)."""
    counts = stream.new_keys.upsert(ProductUpserts(stream.session, plan.organization_id), batch)
    for line, problems in batch.rejected:
        for problem in problems:
            # Uncounted: the count would lock the job's row, which progress updates apart.
            context.item_error(
                stream.session, f"line {line}", problem.message, problem.field, counted=False
            )
            stream.item_errors += 1
    add_counts(stream.run, batch, counts)
    read = min(stream.payload.bytes_read, stream.run.size_bytes)
    context.advance_apart(read - stream.bytes_reported)
    stream.bytes_reported = read
