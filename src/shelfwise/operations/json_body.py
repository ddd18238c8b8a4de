"""Strict JSON request bodies: duplicate keys and runaway nesting are malformed (422), not guessed.

Python's parser keeps the last of duplicate keys while other parsers (proxies, audit tools) may
keep the first, so `{"price": 1, "price": 9}` could mean different things to each; we refuse it.
Routers opt in with `APIRouter(route_class=JsonRoute)`.
"""

import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from shelfwise.operations.endpoint_thread import EndpointInThread, collecting, make_refused


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
    runs in one worker thread together with the dependencies marked `in_endpoint_thread` (the
    principal, the request's transaction) and its commit: one thread hop per request, not one
    per sync dependency plus one for the endpoint (see endpoint_thread.py)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not _is_async_or_generator(endpoint):
            endpoint = EndpointInThread(endpoint, kwargs.get("dependencies") or ())
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            with collecting() as collected:
                try:
                    return await handler(JsonRequest(request.scope, request.receive))
                except RequestValidationError as refusal:
                    # FastAPI validates parameters and bodies after making the dependencies;
                    # a caller who may not call the route learns that (401, 403) instead.
                    await make_refused(collected, refusal)
                    raise

        return strict_handler


def _is_async_or_generator(endpoint: Callable[..., Any]) -> bool:
    # Streaming endpoints run on the loop or iterate later: not a sync call to wrap.
    return (
        inspect.iscoroutinefunction(endpoint)
        or inspect.isasyncgenfunction(endpoint)
        or inspect.isgeneratorfunction(endpoint)
    )
