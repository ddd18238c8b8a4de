"""Every error answered as RFC 9457 problem details (application/problem+json)."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from shelfwise.platform.errors import ShelfwiseError, ThrottledError
from shelfwise.platform.logging import get_logger

PROBLEM_JSON = "application/problem+json"
logger = get_logger(__name__)


def problem(status: int, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def field_path(location: tuple[int | str, ...] | list[int | str]) -> str:
    """('body', 'items', 0, 'price') -> 'body.items[0].price'."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _message(item: dict[str, Any]) -> str:
    message = str(item.get("msg", ""))
    if item.get("type") == "json_invalid":  # say why: "Expecting value", "duplicate key 'x'"
        message += f": {item.get('ctx', {}).get('error', '')}"
    return message


async def _validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {
            "field": field_path(item.get("loc", ())),
            "message": _message(item),
            "type": item.get("type"),
        }
        for item in error.errors()
    ]
    return problem(
        422, "Unprocessable content", "The request is not valid.", request, errors=errors
    )


async def _domain(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ShelfwiseError)
    response = problem(error.status_code, error.title, error.detail, request, **error.extra)
    if isinstance(error, ThrottledError):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    title = {404: "Not found", 405: "Method not allowed", 413: "Content too large"}.get(
        error.status_code, "Error"
    )
    response = problem(error.status_code, title, str(error.detail), request)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def _database_down(request: Request, error: Exception) -> JSONResponse:
    # H3: a database outage is a 503 the client can retry, never a stack trace.
    logger.warning("database.unavailable", error=type(error).__name__)
    response = problem(
        503, "Service unavailable", "The database is not reachable; retry shortly.", request
    )
    response.headers["Retry-After"] = "5"
    return response


async def _integrity(request: Request, error: Exception) -> JSONResponse:
    # A unique or foreign-key constraint lost a race that the service's own check could not see.
    logger.info("database.constraint", error=str(getattr(error, "orig", error))[:200])
    return problem(409, "Conflict", "The change conflicts with existing data.", request)


async def _data(request: Request, error: Exception) -> JSONResponse:
    return problem(422, "Unprocessable content", "A value does not fit its column.", request)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    logger.exception("request.failed", path=request.url.path)
    return problem(500, "Internal server error", "An unexpected error occurred.", request)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ShelfwiseError, _domain)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DataError, _data)
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(InterfaceError, _database_down)
    app.add_exception_handler(Exception, _unexpected)
