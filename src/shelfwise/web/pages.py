"""The dashboard's routers, its error pages and static files; `install_dashboard` wires them."""

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.principal import Principal
from shelfwise.catalog.models import ConnectionStatus, Listing
from shelfwise.catalog.repository import (
    ListingFilter,
    ListingRepository,
    MarketplaceAccountRepository,
    ProductRepository,
)
from shelfwise.events.models import Event
from shelfwise.events.repository import EventRepository
from shelfwise.intelligence.score_service import SCORE_CHANGED
from shelfwise.jobs.models import JobStatus
from shelfwise.jobs.repository import JobRepository
from shelfwise.jobs.schemas import job_out
from shelfwise.market.repository import SyncRunRepository
from shelfwise.operations.problems import field_path
from shelfwise.platform.context import AppContext
from shelfwise.platform.errors import ShelfwiseError
from shelfwise.web import (
    account_pages,
    asins,
    auth_pages,
    catalog,
    credentials,
    imports,
    jobs,
    listing,
    marketplaces,
    members,
    profile,
    settings,
    sources,
)
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    LoginRequired,
    PageForbidden,
    PagePrincipal,
    login_redirect,
    render,
    safe_next,
)

router = APIRouter(include_in_schema=False)
ATTENTION_SCORE = 60  # listings scoring below this are shown as needing attention
SCORE_ALERTS = 5  # the newest score.changed events shown as alerts


def _listing_id(event: Event) -> uuid.UUID:
    return uuid.UUID(str(event.payload["listing_id"]))


STATIC = Path(__file__).parent / "static"


@router.get("/dashboard")
def overview(
    request: Request, principal: PagePrincipal, context: Context, session: DbSession
) -> Response:
    organization_id = principal.organization_id
    listings = ListingRepository(session, organization_id)
    attention, _ = listings.page(ListingFilter(score_max=ATTENTION_SCORE - 1), "score", None, 5)
    job_repository = JobRepository(session, organization_id)
    active = job_repository.page(
        statuses=(JobStatus.QUEUED, JobStatus.RUNNING), kind=None, before=None, limit=10
    )
    failed = job_repository.page(
        statuses=(JobStatus.FAILED, JobStatus.DEAD), kind=None, before=None, limit=5
    )
    accounts = MarketplaceAccountRepository(session, organization_id).all()
    drops = EventRepository(session, organization_id).latest((SCORE_CHANGED,), SCORE_ALERTS)
    sync_runs = SyncRunRepository(session, organization_id)
    values = page_values(context, session, principal, "overview", "Overview")
    values |= {
        "products": ProductRepository(session, organization_id).count(),
        "listing_count": listings.count(),
        "by_status": listings.count_by(Listing.status),
        "average_score": listings.average_score(),
        "attention": attention,
        "attention_score": ATTENTION_SCORE,
        "active_jobs": [job_out(job) for job in active],
        "alerts": [job_out(job) for job in failed],
        "score_drops": [(event, listings.get(_listing_id(event))) for event in drops],
        "disconnected": [
            a for a in accounts if a.connection_status is ConnectionStatus.DISCONNECTED
        ],
        "accounts": [(a, sync_runs.latest_per_dataset(a.id)) for a in accounts],
    }
    return render(request, "overview.html", values)


def _error_page(
    request: Request, status: int, title: str, detail: str, errors: list[Any] | None = None
) -> Response:
    values: dict[str, Any] = {"title": title, "detail": detail, "code": status}
    values["errors"] = errors or []
    # Back to the page whose form failed: a local path from the Referer, else the overview.
    values["back"] = safe_next(urlsplit(request.headers.get("referer", "")).path)
    principal = getattr(request.state, "principal", None)
    if isinstance(principal, Principal):
        # Signed in: the page keeps its navigation (read in a short transaction of its own; the
        # request's has ended with the error).
        context: AppContext = request.app.state.context
        with context.database.unit_of_work(
            organization_id=principal.organization_id, write=False
        ) as session:
            values = page_values(context, session, principal, "", title) | values
    return render(request, "error.html", values, status_code=status)


def install_dashboard(app: FastAPI) -> None:
    """Mount the dashboard beside the API; its routes stay out of the OpenAPI document."""
    for each in (
        auth_pages.router,
        router,
        catalog.router,
        listing.router,
        asins.router,
        account_pages.router,
        imports.router,
        jobs.router,
        settings.router,
        members.router,
        marketplaces.router,
        credentials.router,
        sources.router,
        profile.router,
    ):
        app.include_router(each)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def login_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequired)
        return login_redirect(error.next_path)

    async def forbidden(request: Request, error: Exception) -> Response:
        return _error_page(request, 403, "Not allowed", str(error))

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(PageForbidden, forbidden)
    api_errors = app.exception_handlers[ShelfwiseError]

    async def domain_error(request: Request, error: Exception) -> Response:
        # Dashboard pages answer in HTML; the API keeps its problem+json.
        if request.url.path.startswith("/dashboard") and isinstance(error, ShelfwiseError):
            errors = error.extra.get("errors")
            return _error_page(request, error.status_code, error.title, error.detail, errors)
        result: Response = await api_errors(request, error)  # type: ignore[misc]
        return result

    app.add_exception_handler(ShelfwiseError, domain_error)
    api_validation = app.exception_handlers[RequestValidationError]

    async def form_error(request: Request, error: Exception) -> Response:
        # A form field missing or malformed: the same HTML page, naming each field.
        if request.url.path.startswith("/dashboard") and isinstance(error, RequestValidationError):
            errors = [
                {"field": field_path(item.get("loc", ())[1:]), "message": item.get("msg", "")}
                for item in error.errors()
            ]
            named = ", ".join(each["field"] for each in errors)
            detail = f"Check these fields: {named}."
            return _error_page(request, 422, "Unprocessable content", detail, errors)
        result: Response = await api_validation(request, error)  # type: ignore[misc]
        return result

    app.add_exception_handler(RequestValidationError, form_error)
