"""An import run from its stored payload to the catalog: read, validate, de-duplicate, upsert.

Two passes over files. The first only reads (decoding, CSV or XLSX structure, limits) and counts
the rows: a file that is broken anywhere is refused before anything is written, and the progress
bar knows its total. The second validates and writes in batches, each batch in one transaction
with its counters, its per-row errors and the job's progress, so a killed worker resumes after
the last committed batch and the counts stay exact. A dry run does the same writes in a savepoint
that it rolls back: the counts are what a real import would do.
"""

import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

from sqlalchemy.orm import Session

from shelfwise.audit.service import audit
from shelfwise.catalog.bulk import ProductRow, ProductUpserts
from shelfwise.catalog.repository import ProductRepository
from shelfwise.ingest.batches import (
    BATCH_ROWS,
    Batch,
    Item,
    NewKeysGuess,
    add_counts,
    csv_batches,
    item_batches,
    write_batches,
)
from shelfwise.ingest.columns import ColumnConverter
from shelfwise.ingest.csvfiles import CsvTable, read_csv
from shelfwise.ingest.kept import KeptRows, keep_rows
from shelfwise.ingest.mapping import ColumnMapping
from shelfwise.ingest.models import ImportFormat, ImportRun
from shelfwise.ingest.payloads import open_payload
from shelfwise.ingest.preview import MAX_CHANGES, sample_changes
from shelfwise.ingest.records import FileError, Limits, Record, RowProblem, Table
from shelfwise.ingest.repository import ImportRunRepository
from shelfwise.ingest.rows import (
    FileDefaults,
    Problem,
    RecordConverter,
    RowRejected,
    product_from_item,
)
from shelfwise.ingest.streaming import is_streamed, run_streamed
from shelfwise.ingest.xlsx import read_xlsx
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import JobGone, PermanentJobError
from shelfwise.operations.json_body import DuplicateKeyError, _unique_keys
from shelfwise.platform.actor import Actor
from shelfwise.platform.collection import fewer_collections
from shelfwise.platform.types import utcnow


@dataclass(frozen=True)
class Automation:
    organization_id: uuid.UUID
    actor: Actor


@dataclass(frozen=True)
class RunPlan:
    import_id: uuid.UUID
    organization_id: uuid.UUID
    format: ImportFormat
    source_platform: str
    mapping: ColumnMapping | None
    dry_run: bool
    lines_done: int


def run_import(context: JobContext, import_id: uuid.UUID) -> dict[str, Any]:
    plan = _plan(context, import_id)
    try:
        if is_streamed(plan, context.database.engine.dialect):
            run_streamed(context, plan)
        else:
            _run_in_two_passes(context, plan)
    except FileError as error:
        _fail(context, plan, error.detail)
        raise PermanentJobError(error.detail) from None
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, plan.organization_id).get(plan.import_id)
        if run is None:
            raise JobGone(f"import {plan.import_id} was deleted")
        run.finished_at = utcnow()
        outcome = summary(run)
        if not plan.dry_run:  # one entry per import: the rows' changes are in its counts
            who = Automation(plan.organization_id, context.actor)
            audit(session, who, "import.finished", "import", run.id, after=outcome)
        return outcome


def _run_in_two_passes(context: JobContext, plan: RunPlan) -> None:
    with tempfile.TemporaryFile() as kept:  # a CSV file's checked rows, for the second pass
        total = _count(context, plan, kept)
        context.set_total(total)
        with context.unit_of_work() as session:
            run = ImportRunRepository(session, plan.organization_id).get(plan.import_id)
            if run is not None:
                run.rows_total = total
        with _batches(context, plan, kept) as batches:
            write_batches(batches, partial(_write_batch, context, plan, NewKeysGuess()))


def summary(run: ImportRun) -> dict[str, Any]:
    fields = ("rows_read", "created", "updated", "unchanged", "stale", "duplicates", "rejected")
    return {"dry_run": run.dry_run} | {name: getattr(run, name) for name in fields}


def _plan(context: JobContext, import_id: uuid.UUID) -> RunPlan:
    if context.organization_id is None:
        raise PermanentJobError("An import belongs to an organization.")
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, context.organization_id).get(import_id)
        if run is None:
            raise JobGone(f"import {import_id} was deleted")
        return RunPlan(
            import_id=run.id,
            organization_id=run.organization_id,
            format=run.format,
            source_platform=run.source_platform,
            mapping=ColumnMapping(columns=run.mapping) if run.mapping is not None else None,
            dry_run=run.dry_run,
            lines_done=run.lines_done,
        )


def _count(context: JobContext, plan: RunPlan, kept: IO[bytes]) -> int:
    """Read the whole file once without validating: its rows, or the FileError that refuses it.
    A CSV file's rows are kept in `kept` as read (kept.py). JSON was parsed when it arrived
    and is counted while it is read."""
    if plan.format is ImportFormat.JSON:
        return len(_json_items(context, plan))
    with _table(context, plan) as table:
        if isinstance(table, CsvTable):
            with fewer_collections():  # a chunk of rows is alive at a time, as in batches
                return keep_rows(table, kept, BATCH_ROWS)
        return sum(1 for _ in table)


@contextmanager
def _table(context: JobContext, plan: RunPlan) -> Iterator[Table]:
    payload = open_payload(context.database, plan.organization_id, plan.import_id)
    with payload:
        if plan.format is ImportFormat.CSV:
            with read_csv(payload, limits=Limits()) as table:
                yield table
            return
        # openpyxl needs a seekable file: copy to disk (memory stays flat).
        with tempfile.TemporaryFile() as copy:
            shutil.copyfileobj(payload, copy, 1 << 20)
            copy.seek(0)
            with read_xlsx(copy, limits=Limits()) as workbook:
                yield workbook


@contextmanager
def _batches(context: JobContext, plan: RunPlan, kept: IO[bytes]) -> Iterator[Iterator[Batch]]:
    """The rows after the last committed batch, in batches (`batches.batch_rows`)."""
    dialect = context.database.engine.dialect
    if plan.format is ImportFormat.JSON:
        documents = _json_items(context, plan)
        items = (_json_item(index, document, plan) for index, document in enumerate(documents))
        yield item_batches(items, plan.lines_done, dialect)
        return
    assert plan.mapping is not None
    if plan.format is ImportFormat.CSV:
        rows = KeptRows(kept)
        defaults = FileDefaults(plan.source_platform, decimal_separator=rows.decimal_separator)
        columns = ColumnConverter(RecordConverter(plan.mapping, defaults), rows.headers)
        entries = (entry for chunk in rows.chunks() for entry in chunk)
        yield csv_batches(entries, columns, plan.lines_done, dialect)
        return
    with _table(context, plan) as table:
        decimal = getattr(table, "decimal_separator", None)
        defaults = FileDefaults(plan.source_platform, decimal_separator=decimal)
        converter = RecordConverter(plan.mapping, defaults)
        items = (_file_item(entry, converter) for entry in table)
        yield item_batches(items, plan.lines_done, dialect)


def _json_items(context: JobContext, plan: RunPlan) -> list[Any]:
    with open_payload(context.database, plan.organization_id, plan.import_id) as payload:
        body = payload.read()
    try:
        document = json.loads(body, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError, DuplicateKeyError) as error:
        raise FileError(f"the body is not valid JSON: {error}") from None
    if isinstance(document, dict) and isinstance(document.get("products"), list):
        return list(document["products"])
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list):
        return document
    raise FileError("the body must be a product object or an array of them")


def _json_item(index: int, document: Any, plan: RunPlan) -> Item:
    try:
        return Item(index + 1, product_from_item(document, plan.source_platform), ())
    except RowRejected as rejected:
        return Item(index + 1, None, rejected.problems)


def _file_item(entry: Record | RowProblem, converter: RecordConverter) -> Item:
    if isinstance(entry, RowProblem):
        return Item(entry.line, None, [Problem(None, entry.message)])
    try:
        return Item(entry.line, converter.convert(entry.values), ())
    except RowRejected as rejected:
        return Item(entry.line, None, rejected.problems)


def _write_batch(context: JobContext, plan: RunPlan, new_keys: NewKeysGuess, batch: Batch) -> None:
    kept = batch.kept
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, plan.organization_id).locked(plan.import_id)
        if run is None:
            raise JobGone(f"import {plan.import_id} was deleted")
        upserts = ProductUpserts(session, plan.organization_id)
        if plan.dry_run:
            _sample_changes(session, plan, run, batch, list(kept.rows))
            savepoint = session.begin_nested()
            counts = new_keys.upsert(upserts, batch)
            savepoint.rollback()
        else:
            counts = new_keys.upsert(upserts, batch)
        for line, problems in batch.rejected:
            for problem in problems:
                context.item_error(session, f"line {line}", problem.message, problem.field)
        add_counts(run, batch, counts)
        context.advance(session, len(batch.lines))


def _sample_changes(
    session: Session, plan: RunPlan, run: ImportRun, batch: Batch, kept: list[ProductRow]
) -> None:
    """A dry run's readable sample of what it would change (before the rolled-back upsert)."""
    room = MAX_CHANGES - len(run.changes or [])
    if room <= 0:
        return
    line_of = {
        id(product): line
        for line, product in zip(batch.lines, batch.products, strict=True)
        if product is not None
    }
    rows = [(line_of[id(product)], product) for product in kept]
    repository = ProductRepository(session, plan.organization_id)
    run.changes = [*(run.changes or []), *sample_changes(repository, rows, room)]


def _fail(context: JobContext, plan: RunPlan, message: str) -> None:
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, plan.organization_id).get(plan.import_id)
        if run is not None:
            run.error = message[:2000]
            run.finished_at = utcnow()
