"""Import API: JSON products and batches, CSV/XLSX files with a column mapping and a dry run,
Amazon listings and inventory reports into a marketplace account, the import runs with their
progress and counts, per-row errors (JSON and a CSV download), and the saved column mappings."""

import uuid
from typing import Annotated

import orjson
from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from shelfwise.accounts.auth import Analyst, Context, DbSession, Viewer
from shelfwise.accounts.principal import Principal
from shelfwise.catalog.export import export_csv
from shelfwise.ingest import imports
from shelfwise.ingest.imports import FileOptions
from shelfwise.ingest.mapping import ColumnMapping
from shelfwise.ingest.models import ImportRun
from shelfwise.ingest.repository import ImportRunRepository
from shelfwise.ingest.schemas import (
    FilePreviewOut,
    ImportBatch,
    ImportChange,
    ImportCounts,
    ImportMappingOut,
    ImportRunOut,
    ImportRunPage,
    RowErrorOut,
    RowErrorPage,
    SourcePlatform,
    WebhookProduct,
)
from shelfwise.jobs.schemas import progress_of
from shelfwise.operations.json_body import JsonRoute
from shelfwise.operations.problems import field_path
from shelfwise.platform.errors import InvalidInputError
from shelfwise.platform.pagination import (
    clamp_limit,
    decode_cursor,
    decode_time_cursor,
    encode_cursor,
)

router = APIRouter(prefix="/api/import", tags=["ingestion"], route_class=JsonRoute)

Limit = Annotated[int | None, Query(ge=1)]
DryRun = Annotated[bool, Query(description="Count what would change; write nothing.")]


def run_out(session: Session, principal: Principal, run: ImportRun) -> ImportRunOut:
    job = imports.job_of(session, principal, run)
    return ImportRunOut(
        id=run.id,
        format=run.format,
        filename=run.filename,
        size_bytes=run.size_bytes,
        sha256=run.sha256,
        source_platform=run.source_platform,
        mapping=run.mapping,
        marketplace_account_id=run.marketplace_account_id,
        dry_run=run.dry_run,
        status=job.status if job else None,
        progress=progress_of(job) if job else None,
        counts=ImportCounts(
            rows_total=run.rows_total,
            rows_read=run.rows_read,
            created=run.created,
            updated=run.updated,
            unchanged=run.unchanged,
            stale=run.stale,
            duplicates=run.duplicates,
            rejected=run.rejected,
        ),
        error=run.error,
        changes=[ImportChange.model_validate(change) for change in run.changes]
        if run.changes is not None
        else None,
        job_id=run.job_id,
        created_by=run.created_by,
        created_at=run.created_at,
        finished_at=run.finished_at,
    )


@router.post("/product", response_model=ImportRunOut, status_code=202, summary="Import one product")
def import_product(
    body: WebhookProduct, principal: Analyst, session: DbSession, dry_run: DryRun = False
) -> ImportRunOut:
    payload = body.model_dump_json(exclude_unset=True).encode()
    run = imports.start_json_import(session, principal, payload, body.source_platform, dry_run)
    return run_out(session, principal, run)


@router.post(
    "/batch",
    response_model=ImportRunOut,
    status_code=202,
    summary="Import products in one job (each checked on its own)",
)
def import_batch(body: ImportBatch, principal: Analyst, session: DbSession) -> ImportRunOut:
    payload = orjson.dumps(body.products)
    run = imports.start_json_import(session, principal, payload, body.source_platform, body.dry_run)
    return run_out(session, principal, run)


@router.post(
    "/file",
    response_model=ImportRunOut,
    status_code=202,
    summary="Import a CSV or XLSX file",
    description=(
        "Multipart form: `file`; optional `mapping` (JSON object `{column header: field}`; "
        "default: the mapping saved for these headers, else the suggested one), `dry_run`, "
        "`save_mapping`, `source_platform`. The file is read before anything is written: a file "
        "broken anywhere is refused whole. Larger than SHELFWISE_MAX_UPLOAD_BYTES: 413."
    ),
)
async def import_file(
    principal: Analyst,
    context: Context,
    session: DbSession,
    file: Annotated[UploadFile, File(description="CSV (any delimiter/encoding) or XLSX")],
    mapping: Annotated[str | None, Form(description="JSON {column: field}")] = None,
    dry_run: Annotated[bool, Form()] = False,
    save_mapping: Annotated[bool, Form()] = False,
    source_platform: Annotated[SourcePlatform, Form()] = "file",
) -> ImportRunOut:
    options = FileOptions(source_platform, parse_mapping(mapping), dry_run, save_mapping)
    max_bytes = context.settings.max_upload_bytes

    def start() -> ImportRunOut:
        run = imports.start_file_import(
            session, principal, file.file, file.filename, options, max_bytes
        )
        return run_out(session, principal, run)

    return await run_in_threadpool(start)


@router.post(
    "/amazon-report",
    response_model=ImportRunOut,
    status_code=202,
    summary="Import an Amazon listings or inventory report into a marketplace account",
    description=(
        "Multipart form: `file` (a Seller Central flat file: All/Active Listings, Inventory "
        "(open listings) or FBA Manage Inventory), `marketplace_account_id` (an Amazon account "
        "of the organization, else 404), optional `dry_run`. Each SKU becomes a product "
        "(source `amazon`) and a listing of the account; a report sets what it carries and keeps "
        "the rest. Not a recognised report: 422 naming the headers expected."
    ),
)
async def import_amazon_report(
    principal: Analyst,
    context: Context,
    session: DbSession,
    file: Annotated[UploadFile, File(description="Tab-separated report as downloaded")],
    marketplace_account_id: Annotated[uuid.UUID, Form()],
    dry_run: Annotated[bool, Form()] = False,
) -> ImportRunOut:
    max_bytes = context.settings.max_upload_bytes

    def start() -> ImportRunOut:
        run = imports.start_report_import(
            session, principal, file.file, file.filename, marketplace_account_id, dry_run, max_bytes
        )
        return run_out(session, principal, run)

    return await run_in_threadpool(start)


@router.post(
    "/file/preview",
    response_model=FilePreviewOut,
    summary="Headers, mapping and first rows of a file (nothing stored)",
)
async def preview_file(
    principal: Analyst,
    session: DbSession,
    file: Annotated[UploadFile, File(description="CSV or XLSX")],
) -> FilePreviewOut:
    found = await run_in_threadpool(imports.preview, session, principal, file.file, file.filename)
    return FilePreviewOut(
        format=found.format,
        headers=list(found.headers),
        mapping={column: target.value for column, target in found.mapping.columns.items()},
        saved_mapping_id=found.saved_mapping_id,
        missing=found.missing,
        rows=[record.values for record in found.rows],
    )


@router.get("/jobs", response_model=ImportRunPage, summary="Imports, newest first")
def list_imports(
    principal: Viewer,
    context: Context,
    session: DbSession,
    cursor: str | None = None,
    limit: Limit = None,
) -> ImportRunPage:
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    found = ImportRunRepository(session, principal.organization_id).page(
        decode_time_cursor(cursor), size + 1
    )
    next_cursor = None
    if len(found) > size:
        found = found[:size]
        next_cursor = encode_cursor([found[-1].created_at.isoformat(), str(found[-1].id)])
    items = [run_out(session, principal, run) for run in found]
    return ImportRunPage(items=items, next_cursor=next_cursor)


@router.get("/job/{import_id}", response_model=ImportRunOut, summary="An import and its counts")
def read_import(import_id: uuid.UUID, principal: Viewer, session: DbSession) -> ImportRunOut:
    return run_out(session, principal, imports.get_run(session, principal, import_id))


@router.get(
    "/job/{import_id}/errors", response_model=RowErrorPage, summary="An import's row errors"
)
def list_row_errors(
    import_id: uuid.UUID,
    principal: Viewer,
    context: Context,
    session: DbSession,
    cursor: str | None = None,
    limit: Limit = None,
) -> RowErrorPage:
    run = imports.get_run(session, principal, import_id)
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    after = _after(cursor)
    found = imports.row_errors(session, principal, run, after, size + 1)
    next_cursor = encode_cursor([str(found[size - 1].id)]) if len(found) > size else None
    return RowErrorPage(
        items=[
            RowErrorOut(id=error.id, row=error.item, field=error.field, message=error.message)
            for error in found[:size]
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/job/{import_id}/errors.csv",
    summary="An import's row errors as a CSV download",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "row, field, message"}},
)
def download_row_errors(
    import_id: uuid.UUID, principal: Viewer, context: Context, session: DbSession
) -> StreamingResponse:
    imports.get_run(session, principal, import_id)  # 404 before the download starts

    def rows() -> object:
        with context.database.unit_of_work(
            organization_id=principal.organization_id, write=False
        ) as reading:
            run = imports.get_run(reading, principal, import_id)
            for error in imports.all_row_errors(reading, principal, run):
                yield {"row": error.item, "field": error.field, "message": error.message}

    chunks = export_csv(rows(), ["row", "field", "message"])  # type: ignore[arg-type]
    filename = f"import-{import_id}-errors.csv"
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/mappings", response_model=list[ImportMappingOut], summary="Saved column mappings")
def list_mappings(principal: Viewer, session: DbSession) -> list[ImportMappingOut]:
    return [
        ImportMappingOut(
            id=found.id, headers=found.headers, mapping=found.mapping, updated_at=found.updated_at
        )
        for found in imports.mappings(session, principal)
    ]


@router.delete("/mappings/{mapping_id}", status_code=204, summary="Forget a saved mapping")
def delete_mapping(mapping_id: uuid.UUID, principal: Analyst, session: DbSession) -> None:
    imports.delete_mapping(session, principal, mapping_id)


def parse_mapping(text: str | None) -> ColumnMapping | None:
    """A form's mapping field as a ColumnMapping (None when empty); 422 with the reason."""
    if text is None or not text.strip():
        return None
    try:
        return ColumnMapping(columns=orjson.loads(text))
    except orjson.JSONDecodeError as error:
        raise InvalidInputError(
            "The mapping is not JSON.", [{"field": "mapping", "message": str(error)}]
        ) from None
    except ValidationError as error:
        raise InvalidInputError(
            "The mapping is not valid.",
            [
                {"field": "mapping." + field_path(problem["loc"][1:]), "message": problem["msg"]}
                for problem in error.errors()
            ],
        ) from None


def _after(cursor: str | None) -> uuid.UUID | None:
    if cursor is None:
        return None
    try:
        return uuid.UUID(str(decode_cursor(cursor)[0]))
    except (ValueError, IndexError, TypeError) as error:
        raise InvalidInputError(
            "Invalid cursor.", [{"field": "query.cursor", "message": "not a cursor of this list"}]
        ) from error
