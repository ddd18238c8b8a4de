"""Request ids and the body-size cap (E4)."""

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shelfwise.platform.context import AppContext
from tests.apps import client_with
from tests.factories import Tenant

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
LIMIT = 2048


@pytest.mark.parametrize(
    "given",
    ["abc-123", "Z", "a.b_c-D", "x" * 64],
    ids=["dashes", "one-character", "punctuation", "64-characters"],
)
def test_a_valid_request_id_is_echoed(client: TestClient, given: str) -> None:
    assert client.get("/health", headers={"X-Request-Id": given}).headers["x-request-id"] == given
    problem = client.get("/nowhere", headers={"X-Request-Id": given})
    assert problem.headers["x-request-id"] == given
    assert problem.json()["request_id"] == given


@pytest.mark.parametrize(
    "given",
    ["bad id", "x" * 65, "semi;colon", "ünïcode", "<script>", ""],
    ids=["space", "65-characters", "semicolon", "non-ascii", "markup", "empty"],
)
def test_an_invalid_request_id_is_replaced(client: TestClient, given: str) -> None:
    response = client.get("/nowhere", headers={"X-Request-Id": given.encode()})
    echoed = response.headers["x-request-id"]
    assert GENERATED_ID.match(echoed)
    assert response.json()["request_id"] == echoed


def test_without_a_request_id_each_request_gets_a_new_one(client: TestClient) -> None:
    first = client.get("/health").headers["x-request-id"]
    second = client.get("/health").headers["x-request-id"]
    assert GENERATED_ID.match(first) and GENERATED_ID.match(second)
    assert first != second


@pytest.fixture
def capped(context: AppContext) -> Iterator[TestClient]:
    with client_with(context, max_body_bytes=LIMIT) as client:
        yield client


def product_body(source_id: str, size: int) -> bytes:
    """A valid product body padded with white space to exactly `size` bytes."""
    body = json.dumps({"source_platform": "manual", "source_id": source_id, "title": "T"})
    assert len(body) <= size
    return body.encode() + b" " * (size - len(body))


def chunks(body: bytes, size: int = 500) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def product_count(client: TestClient, tenant: Tenant, source_id: str) -> int:
    listed = client.get("/api/products", params={"q": source_id}, headers=tenant.headers)
    return len(listed.json()["items"])


@pytest.mark.parametrize("transfer", ["content-length", "chunked"])
def test_e4_body_over_the_cap_is_413_and_nothing_written(
    capped: TestClient, tenant: Tenant, transfer: str
) -> None:
    body = product_body("TOO-BIG", LIMIT + 1)
    content = body if transfer == "content-length" else chunks(body)
    response = capped.post(
        "/api/products",
        content=content,
        headers=tenant.headers | {"content-type": "application/json"},
    )
    sent = response.request.headers
    assert ("content-length" in sent, sent.get("transfer-encoding")) == (
        (True, None) if transfer == "content-length" else (False, "chunked")
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["title"], problem["detail"]) == (
        413,
        "Content too large",
        f"The request body exceeds {LIMIT} bytes.",
    )
    assert problem["request_id"] == response.headers["x-request-id"]
    assert product_count(capped, tenant, "TOO-BIG") == 0


@pytest.mark.parametrize("transfer", ["content-length", "chunked"])
def test_e4_body_of_exactly_the_cap_is_accepted(
    capped: TestClient, tenant: Tenant, transfer: str
) -> None:
    source_id = f"AT-CAP-{transfer}"
    body = product_body(source_id, LIMIT)
    content = body if transfer == "content-length" else chunks(body)
    response = capped.post(
        "/api/products",
        content=content,
        headers=tenant.headers | {"content-type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert product_count(capped, tenant, source_id) == 1
