"""The FastAPI application: API, operations endpoints and the dashboard."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from shelfwise import __version__
from shelfwise.accounts.auth import document_security
from shelfwise.accounts.endpoints import router as accounts_router
from shelfwise.analytics.endpoints import router as analytics_router
from shelfwise.audit.endpoints import router as audit_router
from shelfwise.bridge.endpoints import router as bridge_router
from shelfwise.catalog.endpoints import router as catalog_router
from shelfwise.events.endpoints import router as events_router
from shelfwise.ingest.endpoints import router as ingest_router
from shelfwise.ingest.idempotency import IdempotencyMiddleware
from shelfwise.ingest.import_endpoints import router as import_router
from shelfwise.integrations.endpoints import router as integrations_router
from shelfwise.intelligence.endpoints import router as intelligence_router
from shelfwise.intelligence.keyword_endpoints import router as keywords_router
from shelfwise.intelligence.score_endpoints import router as score_router
from shelfwise.jobs.endpoints import router as jobs_router
from shelfwise.jobs.system import JobSystem
from shelfwise.market.endpoints import router as market_router
from shelfwise.operations.endpoints import router as operations_router
from shelfwise.operations.middleware import RequestMiddleware
from shelfwise.operations.problems import install_problem_handlers
from shelfwise.platform.context import AppContext
from shelfwise.platform.logging import configure_logging
from shelfwise.platform.settings import Settings, get_settings
from shelfwise.vault.endpoints import router as vault_router
from shelfwise.web.pages import install_dashboard

ROUTERS = (
    operations_router,
    accounts_router,
    catalog_router,
    vault_router,
    audit_router,
    integrations_router,
    jobs_router,
    events_router,
    ingest_router,
    import_router,
    analytics_router,
    market_router,
    bridge_router,
    keywords_router,
    intelligence_router,
    score_router,
)

LANDING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Shelfwise</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Shelfwise</h1><p>The API is running. Log in with <code>POST /api/auth/login</code>,
or <a href="/dashboard">open the dashboard</a>.</p>
<ul><li><a href="/docs">Interactive API documentation</a></li>
<li><a href="/openapi.json">OpenAPI document</a></li><li><a href="/health">Health</a></li></ul>
</body></html>"""


def job_system_for(settings: Settings, context: AppContext) -> JobSystem | None:
    """Embedded: workers, relay and scheduler in this process. With a broker: the relay only
    (workers are `shelfwise worker` processes, the scheduler `shelfwise scheduler`)."""
    if settings.broker_url is None:
        if not settings.embedded_worker:
            return None
        return JobSystem(context.database, settings, run_workers=True, run_scheduler=True)
    return JobSystem(context.database, settings, run_workers=False, run_scheduler=False)


def create_app(settings: Settings | None = None, context: AppContext | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    app_context = context or AppContext.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        job_system = job_system_for(settings, app_context)
        if job_system is not None:
            job_system.start()
        try:
            yield
        finally:
            if job_system is not None:
                job_system.stop()
            if context is None:  # we built it, we close it
                app_context.database.dispose()

    app = FastAPI(
        title="Shelfwise",
        version=__version__,
        summary="Operations platform for marketplace sellers and affiliate publishers",
        lifespan=lifespan,
    )
    app.state.context = app_context
    install_problem_handlers(app)
    # Inside RequestMiddleware: idempotent requests get request ids and the body cap too.
    app.add_middleware(IdempotencyMiddleware, context=app_context)
    app.add_middleware(
        RequestMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    for router in ROUTERS:
        app.include_router(router)
    document_security(app, ROUTERS)
    install_dashboard(app)  # after the problem handlers: it wraps the domain-error one

    @app.get("/", include_in_schema=False)
    def landing() -> HTMLResponse:
        return HTMLResponse(LANDING_PAGE)

    return app
