"""Dependencies marked `in_endpoint_thread`, made in a sync endpoint's own worker thread.

A small app of its own: what matters is where and in which order FastAPI's calls happen.
"""

from collections.abc import Iterator
from contextvars import ContextVar
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient

from shelfwise.operations.endpoint_thread import in_endpoint_thread
from shelfwise.operations.json_body import JsonRoute

Events = list[str]
# Set by the `caller` dependency. A worker thread call runs in a copy of the caller's context, so
# the endpoint sees the value only when both ran in the same call (anyio reuses idle threads, so
# thread ids alone do not tell).
CALLER: ContextVar[str | None] = ContextVar("caller", default=None)


def make_app() -> tuple[FastAPI, Events]:
    """An app whose dependencies and endpoints log what they do into the returned list."""
    events: Events = []

    def log(what: str) -> None:
        events.append(what)

    def caller(x_caller: Annotated[str | None, Query()] = None) -> str:
        log("caller")
        if x_caller == "refused":
            raise HTTPException(status_code=401, detail="refused")
        CALLER.set(x_caller)
        return x_caller or "anonymous"

    def log_endpoint() -> None:
        log(f"endpoint saw {CALLER.get()}")

    Caller = Annotated[str, Depends(in_endpoint_thread(caller))]

    def unit() -> Iterator[str]:
        log("unit opened")
        try:
            yield "unit"
        except (ValueError, RequestValidationError) as error:
            log(f"unit closed with {type(error).__name__}")
            raise
        log("unit closed")

    async def unit_on_loop() -> str:  # what FastAPI makes where nothing is rewritten
        return "unit on the loop"

    Unit = Annotated[str, Depends(in_endpoint_thread(unit_on_loop, run=unit))]

    def counted(who: Caller) -> str:
        log("counted")
        return who

    Counted = Annotated[str, Depends(in_endpoint_thread(counted))]

    def unmarked() -> str:  # sync and unmarked: FastAPI makes it in a thread of its own
        log("unmarked")
        return "unmarked"

    router = APIRouter(route_class=JsonRoute)

    @router.get("/together")
    def together(who: Caller, unit: Unit, limit: Annotated[int, Query(ge=1)] = 1) -> dict[str, str]:
        log_endpoint()
        return {"who": who, "unit": unit}

    @router.get("/failing")
    def failing(unit: Unit) -> None:
        log_endpoint()
        raise ValueError("boom")

    @router.get("/shared")
    def shared(who: Caller, again: Counted, once_more: Counted) -> dict[str, str]:
        log_endpoint()
        return {"who": who, "again": again}

    @router.get("/apart")
    def apart(first: Annotated[str, Depends(unmarked)], who: Caller) -> dict[str, str]:
        log_endpoint()
        return {"who": who}

    @router.get("/async")
    async def on_loop(who: Caller) -> dict[str, str]:
        log_endpoint()
        return {"who": who}

    app = FastAPI()
    app.include_router(router)
    return app, events


@pytest.fixture
def app_and_events() -> Iterator[tuple[TestClient, Events]]:
    app, events = make_app()
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, events


def test_marked_dependencies_run_first_in_the_endpoint_thread(
    app_and_events: tuple[TestClient, Events],
) -> None:
    client, events = app_and_events

    response = client.get("/together", params={"x_caller": "ada"})

    assert response.status_code == 200
    assert response.json() == {"who": "ada", "unit": "unit"}
    assert events == ["caller", "unit opened", "endpoint saw ada", "unit closed"]


def test_an_entered_dependency_is_closed_with_the_endpoints_error(
    app_and_events: tuple[TestClient, Events],
) -> None:
    client, events = app_and_events

    assert client.get("/failing").status_code == 500
    assert events == ["unit opened", "endpoint saw None", "unit closed with ValueError"]


def test_a_dependency_refusing_the_caller_stops_the_endpoint(
    app_and_events: tuple[TestClient, Events],
) -> None:
    client, events = app_and_events

    response = client.get("/together", params={"x_caller": "refused"})

    assert response.status_code == 401
    assert events == ["caller"]


def test_a_dependency_needed_twice_is_made_once(
    app_and_events: tuple[TestClient, Events],
) -> None:
    client, events = app_and_events

    response = client.get("/shared", params={"x_caller": "ada"})

    assert response.json() == {"who": "ada", "again": "ada"}
    assert events == ["caller", "counted", "endpoint saw ada"]


@pytest.mark.parametrize(
    ("caller", "status", "made"),
    [
        pytest.param("refused", 401, ["caller"], id="refused-caller-gets-401"),
        pytest.param(
            "ada",
            422,
            ["caller", "unit opened", "unit closed with RequestValidationError"],
            id="admitted-caller-gets-422",
        ),
    ],
)
def test_marked_dependencies_answer_before_parameters_are_validated(
    app_and_events: tuple[TestClient, Events], caller: str, status: int, made: list[str]
) -> None:
    client, events = app_and_events

    response = client.get("/together", params={"x_caller": caller, "limit": 0})

    assert response.status_code == status
    assert events == made  # never the endpoint


def test_a_route_with_an_unmarked_sync_dependency_keeps_fastapis_order(
    app_and_events: tuple[TestClient, Events],
) -> None:
    client, events = app_and_events

    assert client.get("/apart", params={"x_caller": "ada"}).json() == {"who": "ada"}
    # FastAPI made the marked dependency itself, in a worker thread call of its own.
    assert events == ["unmarked", "caller", "endpoint saw None"]


def test_an_async_endpoint_gets_the_dependency_from_fastapi(
    app_and_events: tuple[TestClient, Events],
) -> None:
    client, events = app_and_events

    assert client.get("/async", params={"x_caller": "ada"}).json() == {"who": "ada"}
    assert events == ["caller", "endpoint saw None"]
