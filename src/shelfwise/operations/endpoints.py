"""GET /health and GET /metrics."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shelfwise import __version__
from shelfwise.accounts.auth import Context

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Liveness and dependency checks")
def health(context: Context) -> JSONResponse:
    checks: dict[str, Any] = {}
    try:
        with context.database.read_engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = {"status": "ok", "backend": context.database.engine.dialect.name}
    except SQLAlchemyError as error:
        checks["database"] = {"status": "error", "error": type(error).__name__}
    is_ok = all(check["status"] == "ok" for check in checks.values())
    body = {
        "status": "ok" if is_ok else "degraded",
        "version": __version__,
        "timestamp": datetime.now(UTC).isoformat(),
        "checks": checks,
    }
    return JSONResponse(body, status_code=200 if is_ok else 503)


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
