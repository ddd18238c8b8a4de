"""Errors are RFC 9457 problem details, whatever raised them."""

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.factories import Tenant

PROBLEM_JSON = "application/problem+json"


def test_unknown_path_is_404_problem(client: TestClient) -> None:
    response = client.get("/api/no-such-thing", headers={"X-Request-Id": "req-404"})

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "Not Found",
        "instance": "/api/no-such-thing",
        "request_id": "req-404",
    }


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/health", "GET"),
        ("DELETE", "/api/audit", "GET"),
        ("POST", "/api/products/stats/summary", "GET"),
    ],
    ids=["put-health", "delete-audit", "post-summary"],
)
def test_wrong_method_is_405_problem(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path, headers={"X-Request-Id": "req-405"})

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["allow"] == allowed
    assert response.json() == {
        "type": "about:blank",
        "title": "Method not allowed",
        "status": 405,
        "detail": "Method Not Allowed",
        "instance": path,
        "request_id": "req-405",
    }


def test_unknown_object_is_404_problem(client: TestClient, tenant: Tenant) -> None:
    path = f"/api/listings/{uuid.uuid4()}"
    response = client.get(path, headers=tenant.headers | {"X-Request-Id": "req-missing"})

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "No such listing.",
        "instance": path,
        "request_id": "req-missing",
    }


def test_malformed_path_id_is_422_naming_the_parameter(client: TestClient, tenant: Tenant) -> None:
    response = client.get("/api/listings/not-a-uuid", headers=tenant.headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    assert [error["field"] for error in response.json()["errors"]] == ["path.listing_id"]


def test_missing_credentials_are_401_problem(client: TestClient) -> None:
    response = client.get("/api/products")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"] == "Send Authorization: Bearer <access token or API key>."
