"""Starting imports (JSON bodies, CSV/XLSX files and Amazon reports), previews, mappings and
error reports.

An import is stored first (payload in chunks, an ImportRun, a queued job, one transaction) and
processed by the `ingest.import_products` job (pipeline.py), an Amazon report by
`ingest.import_amazon_report` (reports.py): the request returns at once.
"""

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy.orm import Session

from shelfwise.accounts.models import Role
from shelfwise.accounts.principal import Principal
from shelfwise.audit.service import ActsForOrganization, audit
from shelfwise.catalog.models import MarketplaceAccount, Platform
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.ingest.csvfiles import read_csv
from shelfwise.ingest.mapping import ColumnMapping, Target, header_key, suggest_mapping
from shelfwise.ingest.models import ImportFormat, ImportMapping, ImportRun
from shelfwise.ingest.payloads import store_payload
from shelfwise.ingest.records import FileError, Limits, Record, Table
from shelfwise.ingest.repository import ImportMappingRepository, ImportRunRepository
from shelfwise.ingest.xlsx import read_xlsx
from shelfwise.integrations.amazon_spapi.flatfiles import read_report
from shelfwise.jobs import service as jobs
from shelfwise.jobs.models import Job, JobItemError
from shelfwise.jobs.repository import JobRepository
from shelfwise.platform.errors import InvalidInputError, NotFoundError
from shelfwise.platform.ids import new_id

IMPORT_JOB = "ingest.import_products"
REPORT_JOB = "ingest.import_amazon_report"
PREVIEW_ROWS = 5
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FileOptions:
    source_platform: str
    mapping: ColumnMapping | None = None
    dry_run: bool = False
    save_mapping: bool = False


@dataclass(frozen=True)
class FilePreview:
    format: ImportFormat
    headers: tuple[str, ...]
    mapping: ColumnMapping
    saved_mapping_id: uuid.UUID | None
    rows: list[Record]
    missing: list[str]  # required fields the mapping does not fill


def file_format(filename: str | None, head: bytes) -> ImportFormat:
    """XLSX by its ZIP signature, CSV otherwise (the reader refuses what is not text)."""
    if head.startswith(_XLSX_MAGIC) or (filename or "").lower().endswith(".xlsx"):
        return ImportFormat.XLSX
    return ImportFormat.CSV


def headers_key(headers: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(sorted(header_key(h) for h in headers)).encode()).hexdigest()


def missing_targets(mapping: ColumnMapping) -> list[str]:
    """Required fields the mapping leaves unfilled: a title, and a source id (or a SKU)."""
    targets = set(mapping.columns.values())
    missing = [] if Target.TITLE in targets else [Target.TITLE.value]
    if not targets & {Target.SOURCE_ID, Target.SKU}:
        missing.append(Target.SOURCE_ID.value)
    return missing


def preview(
    session: Session, principal: Principal, upload: BinaryIO, filename: str | None
) -> FilePreview:
    """The file's headers, the mapping it would get (saved for these headers, else suggested)
    and its first rows; FileError (422) when it cannot be read."""
    head = upload.read(len(_XLSX_MAGIC))
    upload.seek(0)
    kind = file_format(filename, head)
    with _open_table(upload, kind) as table:
        headers = tuple(table.headers)
        rows = [entry for entry, _ in zip(_records(table), range(PREVIEW_ROWS), strict=False)]
    upload.seek(0)
    saved = ImportMappingRepository(session, principal.organization_id).by_headers_key(
        headers_key(headers)
    )
    mapping = ColumnMapping(columns=saved.mapping) if saved else suggest_mapping(headers)
    return FilePreview(
        kind, headers, mapping, saved.id if saved else None, rows, missing_targets(mapping)
    )


def start_file_import(
    session: Session,
    principal: Principal,
    upload: BinaryIO,
    filename: str | None,
    options: FileOptions,
    max_bytes: int,
) -> ImportRun:
    principal.require(Role.ANALYST)
    found = preview(session, principal, upload, filename)
    mapping = options.mapping or found.mapping
    absent = mapping.missing_columns(found.headers)
    if absent:
        raise InvalidInputError(
            "The mapping names columns the file does not have.",
            [{"field": "mapping", "message": f'no column "{column}"'} for column in absent],
        )
    missing = missing_targets(mapping)
    if missing:
        raise InvalidInputError(
            "The mapping must fill a title and a source id (or a SKU).",
            [{"field": "mapping", "message": f"no column is mapped to {t}"} for t in missing],
        )
    if options.save_mapping:
        _save_mapping(session, principal, found.headers, mapping)
    run = _new_run(
        principal,
        found.format,
        filename,
        options.source_platform,
        {column: target.value for column, target in mapping.columns.items()},
        options.dry_run,
    )
    return _store_and_queue(session, principal, run, upload, max_bytes)


def start_json_import(
    session: Session, principal: Principal, body: bytes, source_platform: str, dry_run: bool
) -> ImportRun:
    principal.require(Role.ANALYST)
    run = _new_run(principal, ImportFormat.JSON, None, source_platform, None, dry_run)
    return _store_and_queue(session, principal, run, io.BytesIO(body), len(body))


def start_items_import(
    session: Session,
    principal: Principal,
    body: bytes,
    source_platform: str,
    job_name: str,
    marketplace_account_id: uuid.UUID | None,
) -> ImportRun:
    """A JSON import processed by another domain's import job (the ASIN bridge's asin-sync):
    stored, audited and queued as every import is, listings going to `marketplace_account_id`."""
    principal.require(Role.ANALYST)
    run = _new_run(principal, ImportFormat.JSON, None, source_platform, None, False)
    run.marketplace_account_id = marketplace_account_id
    return _store_and_queue(session, principal, run, io.BytesIO(body), len(body), job_name)


def start_report_import(
    session: Session,
    principal: Principal,
    upload: BinaryIO,
    filename: str | None,
    account_id: uuid.UUID,
    dry_run: bool,
    max_bytes: int,
) -> ImportRun:
    """Queue an Amazon listings or inventory report for one of the organization's Amazon
    accounts; 404 for an account it does not have, FileError (422) for a file that is no report
    (the message names the headers expected)."""
    principal.require(Role.ANALYST)
    account = MarketplaceAccountRepository(session, principal.organization_id).get(account_id)
    if account is None:
        raise NotFoundError("No such marketplace account.")
    if account.platform is not Platform.AMAZON:
        raise InvalidInputError(
            "Amazon reports go to Amazon accounts.",
            [{"field": "marketplace_account_id", "message": "not an Amazon account"}],
        )
    with read_report(upload, limits=Limits()):
        pass  # the header names the report type; the job reads the rest
    upload.seek(0)
    run = _new_run(principal, ImportFormat.AMAZON_REPORT, filename, "amazon", None, dry_run)
    run.marketplace_account_id = account.id
    return _store_and_queue(session, principal, run, upload, max_bytes, REPORT_JOB)


def store_fetched_report(
    session: Session,
    who: ActsForOrganization,
    account: MarketplaceAccount,
    content: bytes,
    report_id: str,
    max_bytes: int,
) -> ImportRun:
    """An Amazon report a sync fetched, stored as an import run (and audited) but not queued:
    the sync's own job runs it (`run_report_import`), so its rows' errors land on that job."""
    run = ImportRun(
        id=new_id(),
        format=ImportFormat.AMAZON_REPORT,
        filename=f"amazon-report-{report_id}.txt"[:255],
        source_platform="amazon",
        mapping=None,
        dry_run=False,
        changes=None,
        sha256="",
        created_by=who.actor.label,
        marketplace_account_id=account.id,
    )
    ImportRunRepository(session, who.organization_id).add(run)
    run.size_bytes, run.sha256 = store_payload(
        session, who.organization_id, run.id, io.BytesIO(content), max_bytes
    )
    audit(session, who, "import.started", "import", run.id, after=_started(run))
    session.flush()
    return run


def get_run(session: Session, principal: Principal, import_id: uuid.UUID) -> ImportRun:
    run = ImportRunRepository(session, principal.organization_id).get(import_id)
    if run is None:
        raise NotFoundError("No such import.")
    return run


def row_errors(
    session: Session, principal: Principal, run: ImportRun, after: uuid.UUID | None, limit: int
) -> list[JobItemError]:
    if run.job_id is None:
        return []
    repository = JobRepository(session, principal.organization_id)
    return repository.item_errors(run.job_id, after, limit)


def job_of(session: Session, principal: Principal, run: ImportRun) -> Job | None:
    if run.job_id is None:
        return None
    return JobRepository(session, principal.organization_id).get(run.job_id)


def all_row_errors(
    session: Session, principal: Principal, run: ImportRun
) -> Iterator[JobItemError]:
    """Every row error in order, a page at a time (an import can have many)."""
    after: uuid.UUID | None = None
    while page := row_errors(session, principal, run, after, 1000):
        yield from page
        after = page[-1].id


def mappings(session: Session, principal: Principal) -> list[ImportMapping]:
    return ImportMappingRepository(session, principal.organization_id).all()


def delete_mapping(session: Session, principal: Principal, mapping_id: uuid.UUID) -> None:
    principal.require(Role.ANALYST)
    repository = ImportMappingRepository(session, principal.organization_id)
    found = repository.get(mapping_id)
    if found is None:
        raise NotFoundError("No such mapping.")
    repository.delete(found)


def _save_mapping(
    session: Session, principal: Principal, headers: tuple[str, ...], mapping: ColumnMapping
) -> None:
    repository = ImportMappingRepository(session, principal.organization_id)
    key = headers_key(headers)
    columns = {column: target.value for column, target in mapping.columns.items()}
    saved = repository.by_headers_key(key)
    if saved is None:
        repository.add(ImportMapping(headers_key=key, headers=list(headers), mapping=columns))
    else:
        saved.headers, saved.mapping = list(headers), columns


def _new_run(
    principal: Principal,
    kind: ImportFormat,
    filename: str | None,
    source_platform: str,
    mapping: dict[str, str] | None,
    dry_run: bool,
) -> ImportRun:
    return ImportRun(
        id=new_id(),
        format=kind,
        filename=(filename or "")[:255] or None,
        source_platform=source_platform,
        mapping=mapping,
        dry_run=dry_run,
        changes=[] if dry_run else None,
        sha256="",
        created_by=principal.actor.label,
    )


def _store_and_queue(
    session: Session,
    principal: Principal,
    run: ImportRun,
    payload: BinaryIO,
    max_bytes: int,
    job_name: str = IMPORT_JOB,
) -> ImportRun:
    repository = ImportRunRepository(session, principal.organization_id)
    repository.add(run)
    run.size_bytes, run.sha256 = store_payload(
        session, principal.organization_id, run.id, payload, max_bytes
    )
    audit(session, principal, "import.started", "import", run.id, after=_started(run))
    run.job_id = jobs.enqueue(
        session,
        job_name,
        {"import_id": str(run.id)},
        organization_id=principal.organization_id,
        created_by=principal.actor.label,
    )
    session.flush()
    return run


def _started(run: ImportRun) -> dict[str, object]:
    started: dict[str, object] = {
        "format": run.format.value,
        "filename": run.filename,
        "size_bytes": run.size_bytes,
        "sha256": run.sha256,
        "dry_run": run.dry_run,
    }
    if run.marketplace_account_id is not None:
        started["marketplace_account_id"] = str(run.marketplace_account_id)
    return started


class _TableOpener:
    def __init__(self, upload: BinaryIO, kind: ImportFormat) -> None:
        self.upload, self.kind = upload, kind
        self.table: Table | None = None

    def __enter__(self) -> Table:
        if self.kind is ImportFormat.XLSX:
            self.table = read_xlsx(self.upload, limits=Limits())
        else:
            self.table = read_csv(self.upload, limits=Limits())
        return self.table

    def __exit__(self, *exc_info: object) -> None:
        close = getattr(self.table, "close", None)
        if close is not None:
            close()


def _open_table(upload: BinaryIO, kind: ImportFormat) -> _TableOpener:
    return _TableOpener(upload, kind)


def _records(table: Table) -> Iterator[Record]:
    for entry in table:
        if isinstance(entry, Record):
            yield entry


__all__ = ["FileError", "FileOptions", "FilePreview"]
