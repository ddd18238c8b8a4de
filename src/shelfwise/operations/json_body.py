"""Strict JSON request bodies: duplicate keys and runaway nesting are malformed (422), not guessed.

Python's parser keeps the last of duplicate keys while other parsers (proxies, audit tools) may
keep the first, so `{"price": 1, "price": 9}` could mean different things to each; we refuse it.
Routers opt in with `APIRouter(route_class=JsonRoute)`.
"""

import functools
import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from shelfwise.operations.request_transaction import finish_in_endpoint_thread


class DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


def _reason(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deep"
    if isinstance(error, UnicodeDecodeError):
        return "not valid Unicode text"
    return str(error)


class JsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_strict_json"):
            body = await self.body()
            try:
                self._strict_json = json.loads(body, object_pairs_hook=_unique_keys)
            except (DuplicateKeyError, RecursionError, UnicodeDecodeError) as error:
                # FastAPI answers JSONDecodeError with 422 json_invalid; anything else with 400.
                raise json.JSONDecodeError(
                    _reason(error), body.decode(errors="replace"), 0
                ) from error
        return self._strict_json


class JsonRoute(APIRoute):
    """An API route whose request bodies are parsed by `JsonRequest`, and whose sync endpoint
    commits the request's transaction in its own worker thread (one thread hop, not two)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(JsonRequest(request.scope, request.receive))

        return strict_handler


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    # FastAPI reads the parameters through functools.wraps (inspect.signature follows
    # __wrapped__), so the wrapper declares exactly what the endpoint declares.
    @functools.wraps(endpoint)
    def run_then_commit(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        finish_in_endpoint_thread()
        return result

    return run_then_commit
