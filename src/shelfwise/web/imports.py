"""Imports page: file upload with column mapping and dry run, webhook sources with a
copy-paste example (their actions: sources.py), and import runs with live progress and their
errors.csv.

The same service calls as POST /api/import/file, GET /api/import/jobs,
GET /api/import/job/{id}/errors.csv and the /api/webhook-sources endpoints."""

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.ingest import imports
from shelfwise.ingest.import_endpoints import download_row_errors, parse_mapping, run_out
from shelfwise.ingest.imports import FileOptions
from shelfwise.ingest.mapping import Target
from shelfwise.ingest.repository import ImportRunRepository, WebhookSourceRepository
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    AnalystForm,
    PagePrincipal,
    redirect,
    render,
)
from shelfwise.web.sources import example_headers, recent_events

router = APIRouter(include_in_schema=False)
RUNS_SHOWN = 20
PAGE = "/dashboard/imports"


@router.get(PAGE)
def imports_page(
    request: Request, principal: PagePrincipal, context: Context, session: DbSession
) -> Response:
    organization_id = principal.organization_id
    runs = ImportRunRepository(session, organization_id).page(None, RUNS_SHOWN)
    is_admin = principal.role.at_least(Role.ADMIN)
    sources = WebhookSourceRepository(session, organization_id).all() if is_admin else []
    values = page_values(context, session, principal, "imports", "Imports")
    values |= {
        "runs": [run_out(session, principal, run) for run in runs],
        "targets": [target.value for target in Target],
        "sources": sources,
        "source_names": {source.id: source.name for source in sources},
        "can_import": principal.role.at_least(Role.ANALYST),
        "is_admin": is_admin,
        "base_url": str(request.base_url).rstrip("/"),
        "headers": example_headers(),
        "events": recent_events(session, principal) if is_admin else [],
    }
    return render(request, "imports.html", values)


@router.post(f"{PAGE}/file")
async def upload(
    request: Request,
    principal: AnalystForm,
    context: Context,
    session: DbSession,
    file: Annotated[UploadFile, File()],
    mapping: Annotated[str, Form(max_length=20_000)] = "",
    dry_run: Annotated[bool, Form()] = False,
) -> Response:
    # As POST /api/import/file: the mapping (JSON from the page's script, else the saved or
    # suggested one) is checked, the file read whole before anything is written.
    options = FileOptions("file", parse_mapping(mapping), dry_run, bool(mapping))
    max_bytes = context.settings.max_upload_bytes
    run = await run_in_threadpool(
        imports.start_file_import, session, principal, file.file, file.filename, options, max_bytes
    )
    kind = "Dry run" if dry_run else "Import"
    return redirect(request, f"{PAGE}#run-{run.id}", f"{kind} of {file.filename} started.")


@router.get(f"{PAGE}/{{import_id}}/errors.csv")
def errors_csv(
    import_id: uuid.UUID, principal: PagePrincipal, context: Context, session: DbSession
) -> Response:
    return download_row_errors(import_id, principal, context, session)


@router.post(f"{PAGE}/preview")
async def preview(
    principal: AnalystForm,
    session: DbSession,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Headers, suggested mapping and first rows as JSON for the page's mapping editor (the
    twin of POST /api/import/file/preview)."""
    found = await run_in_threadpool(imports.preview, session, principal, file.file, file.filename)
    return JSONResponse(
        {
            "headers": list(found.headers),
            "mapping": {column: target.value for column, target in found.mapping.columns.items()},
            "missing": found.missing,
            "rows": [record.values for record in found.rows],
        }
    )
