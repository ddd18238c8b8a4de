"""One pure-ASGI middleware for request ids, body size caps (E4), metrics and the access log.

Pure ASGI rather than BaseHTTPMiddleware: it adds no task per request and streams bodies.
"""

import re
import time
import uuid
from typing import Any

import orjson
import structlog
from prometheus_client import Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shelfwise.platform.logging import get_logger

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")

HTTP_REQUESTS = Counter(
    "shelfwise_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "shelfwise_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
logger = get_logger("shelfwise.http")


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the cap. An HTTPException because FastAPI re-raises those
    from body parsing (answered 413 by the problem handlers) but turns any other error into 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"The request body exceeds {limit} bytes.")


def _problem_413(limit: int, request_id: str) -> bytes:
    return orjson.dumps(
        {
            "type": "about:blank",
            "title": "Content too large",
            "status": 413,
            "detail": f"The request body exceeds {limit} bytes.",
            "request_id": request_id,
        }
    )


# File uploads stream to storage in chunks, so they may be larger than any other body.
UPLOAD_PATHS = frozenset(
    {"/api/import/file", "/api/import/file/preview", "/api/import/amazon-report"}
)


class RequestMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(REQUEST_ID_HEADER, b"")
        request_id = given.decode() if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        limit = self.max_upload_bytes if scope["path"] in UPLOAD_PATHS else self.max_body_bytes
        try:
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await self._reject(send_with_id, request_id, limit)
            else:
                await self.app(scope, self._capped(receive, limit), send_with_id)
        except BodyTooLarge:
            if not status_holder["started"]:
                await self._reject(send_with_id, request_id, limit)
        finally:
            self._observe(scope, status_holder["status"], time.perf_counter() - started)
            structlog.contextvars.unbind_contextvars("request_id")

    def _capped(self, receive: Receive, limit: int) -> Receive:
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return capped_receive

    async def _reject(self, send: Send, request_id: str, limit: int) -> None:
        body = _problem_413(limit, request_id)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _observe(scope: Scope, status: int, elapsed: float) -> None:
        route: Any = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope.get("method", "")
        HTTP_REQUESTS.labels(method, template, str(status)).inc()
        HTTP_LATENCY.labels(method, template).observe(elapsed)
        logger.info(
            "http.request",
            method=method,
            path=scope.get("path"),
            route=template,
            status=status,
            duration_ms=round(elapsed * 1000, 2),
        )
