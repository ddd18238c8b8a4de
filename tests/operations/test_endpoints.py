"""GET /health, GET /metrics and the OpenAPI document."""

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from shelfwise import __version__


def test_health_reports_version_and_database(client: TestClient, backend: str) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    stamped = datetime.fromisoformat(body.pop("timestamp"))
    assert stamped.utcoffset() == timedelta(0)
    assert body == {
        "status": "ok",
        "version": __version__,
        "checks": {"database": {"status": "ok", "backend": backend}},
    }


def requests_total(client: TestClient, route: str, status: str) -> float:
    """The value of shelfwise_http_requests_total for GET `route` answered `status`."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for family in text_string_to_metric_families(response.text):
        if family.name != "shelfwise_http_requests":
            continue
        for sample in family.samples:
            if sample.name == "shelfwise_http_requests_total" and sample.labels == {
                "method": "GET",
                "route": route,
                "status": status,
            }:
                return sample.value
    return 0.0


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    before = requests_total(client, "/health", "200")
    missing_before = requests_total(client, "/api/listings/{listing_id}", "401")

    client.get("/health")
    client.get("/health")
    client.get("/api/listings/00000000-0000-0000-0000-000000000000")

    assert requests_total(client, "/health", "200") == before + 2
    assert requests_total(client, "/api/listings/{listing_id}", "401") == missing_before + 1
    assert "shelfwise_http_request_duration_seconds_bucket" in client.get("/metrics").text


def test_openapi_document_is_served(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert (document["info"]["title"], document["info"]["version"]) == ("Shelfwise", __version__)
    assert {"/health", "/api/products", "/api/listings/{listing_id}", "/api/credentials"} <= set(
        document["paths"]
    )
    assert "/metrics" not in document["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
