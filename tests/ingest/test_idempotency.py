"""Idempotency-Key on mutating POSTs (B6): replays, mismatches, in-flight conflicts, what is
stored (2xx/4xx, sealed) and what is not (5xx, crashes), scoping and expiry."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from shelfwise.accounts.models import Role
from shelfwise.ingest.idempotency import IdempotencyMiddleware
from shelfwise.ingest.models import IdempotencyKey, IdempotencyState
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.jobs.service import enqueue
from shelfwise.operations.middleware import RequestMiddleware
from shelfwise.operations.problems import install_problem_handlers
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.apps import client_with
from tests.factories import PASSWORD, Tenant, add_member, create_user, login, unique
from tests.jobs.conftest import wait_for


def product_body(**overrides: Any) -> dict[str, Any]:
    return {"source_platform": "manual", "source_id": unique("IDEM"), "title": "Drill"} | overrides


def post_product(client: TestClient, tenant: Tenant, key: str, body: dict[str, Any]) -> Any:
    headers = tenant.headers | {"Idempotency-Key": key}
    return client.post("/api/products", json=body, headers=headers)


def products(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    response = client.get("/api/products?limit=200", headers=tenant.headers)
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def audit_count(client: TestClient, tenant: Tenant) -> int:
    return len(client.get("/api/audit?limit=200", headers=tenant.headers).json()["items"])


def stored_key(context: AppContext, tenant: Tenant, key: str) -> IdempotencyKey | None:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        return session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.organization_id == tenant.organization_id,
                IdempotencyKey.key == key,
            )
        )


def test_b6_same_key_and_body_replays_the_stored_response_without_running_again(
    client: TestClient, tenant: Tenant
) -> None:
    body = product_body()
    first = post_product(client, tenant, "create-drill-1", body)
    audited = audit_count(client, tenant)

    again = post_product(client, tenant, "create-drill-1", body)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert [product["id"] for product in products(client, tenant)] == [first.json()["id"]]
    assert audit_count(client, tenant) == audited


def test_b6_a_4xx_answer_is_replayed_too(client: TestClient, tenant: Tenant) -> None:
    invalid = {"source_platform": "manual", "source_id": "X", "title": "T", "gtin": "123"}
    first = post_product(client, tenant, "bad-gtin", invalid)
    again = post_product(client, tenant, "bad-gtin", invalid)
    assert (first.status_code, again.status_code) == (422, 422)
    assert again.headers["content-type"] == "application/problem+json"
    assert again.headers["idempotent-replayed"] == "true"
    # The stored problem is replayed as it was, request id included.
    assert again.json() == first.json()


def test_b6_same_key_with_a_different_body_is_422_and_changes_nothing(
    client: TestClient, tenant: Tenant
) -> None:
    first = post_product(client, tenant, "create-drill-2", product_body(source_id="D-2"))
    audited = audit_count(client, tenant)

    other = post_product(client, tenant, "create-drill-2", product_body(source_id="D-3"))

    assert first.status_code == 201
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    problem = other.json()
    assert {key: problem[key] for key in ("title", "status", "detail", "instance")} == {
        "title": "Unprocessable content",
        "status": 422,
        "detail": "This Idempotency-Key was used for a different request (caller, path or body).",
        "instance": "/api/products",
    }
    assert [product["source_id"] for product in products(client, tenant)] == ["D-2"]
    assert audit_count(client, tenant) == audited


def test_b6_same_key_on_another_route_is_422(client: TestClient, tenant: Tenant) -> None:
    assert post_product(client, tenant, "shared-key", product_body()).status_code == 201
    account = client.post(
        "/api/marketplace-accounts",
        json={"name": "Main", "platform": "amazon", "marketplace": "amazon.de"},
        headers=tenant.headers | {"Idempotency-Key": "shared-key"},
    )
    assert account.status_code == 422
    assert client.get("/api/marketplace-accounts", headers=tenant.headers).json() == []


def test_b6_a_key_still_in_flight_is_409(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    """The first request holds the key (a row in flight, as while its route runs)."""
    body = product_body()
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        session.add(
            IdempotencyKey(
                organization_id=tenant.organization_id,
                key="still-running",
                method="POST",
                path="/api/products",
                request_hash="0" * 64,
                state=IdempotencyState.IN_FLIGHT,
            )
        )

    response = post_product(client, tenant, "still-running", body)

    assert response.status_code == 409
    assert response.headers["retry-after"] == "1"
    assert response.json()["detail"] == (
        "A request with this Idempotency-Key is still being processed; retry shortly."
    )
    assert products(client, tenant) == []


def test_b6_concurrent_requests_with_one_key_run_once(client: TestClient, tenant: Tenant) -> None:
    body = product_body()

    def send(_: int) -> Any:
        return post_product(client, tenant, "burst", body)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(send, range(10)))

    statuses = {answer.status_code for answer in answers}
    assert statuses <= {201, 409}
    created = [answer.content for answer in answers if answer.status_code == 201]
    assert len(created) >= 1 and len(set(created)) == 1
    assert [product["source_id"] for product in products(client, tenant)] == [body["source_id"]]


def test_b6_keys_belong_to_one_organization(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    body = product_body()
    ours = post_product(client, tenant, "per-org", body)
    theirs = post_product(client, other_tenant, "per-org", body)
    assert (ours.status_code, theirs.status_code) == (201, 201)
    assert "idempotent-replayed" not in theirs.headers
    assert ours.json()["id"] != theirs.json()["id"]


def test_b6_another_caller_in_the_organization_never_gets_the_stored_answer(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    """An API key's plaintext is in its creation answer: a colleague reusing the key and body
    gets a 422, not the replay."""
    email = f"{unique('admin')}@example.com"
    create_user(context, email)
    add_member(context, tenant.organization_id, email, Role.ADMIN)
    colleague = {"Authorization": f"Bearer {login(client, email, PASSWORD)['access_token']}"}
    body = {"name": "exporter", "role": "viewer"}
    key = {"Idempotency-Key": "new-api-key"}

    mine = client.post("/api/api-keys", json=body, headers=tenant.headers | key)
    theirs = client.post("/api/api-keys", json=body, headers=colleague | key)

    assert (mine.status_code, theirs.status_code) == (201, 422)
    assert mine.json()["key"] not in theirs.text


def test_b6_stored_answers_are_sealed(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    created = client.post(
        "/api/api-keys",
        json={"name": "exporter", "role": "viewer"},
        headers=tenant.headers | {"Idempotency-Key": "sealed-answer"},
    )
    assert created.status_code == 201
    stored = stored_key(context, tenant, "sealed-answer")
    assert stored is not None and stored.response_body is not None
    assert (stored.state, stored.response_status) == (IdempotencyState.DONE, 201)
    assert created.json()["key"].encode() not in stored.response_body
    assert b"exporter" not in stored.response_body


@pytest.mark.parametrize(
    "key", ["", "two words", "x" * 256], ids=["empty", "with-spaces", "too-long"]
)
def test_b6_a_malformed_key_is_422(client: TestClient, tenant: Tenant, key: str) -> None:
    headers = tenant.headers | {"Idempotency-Key": key}
    response = client.post("/api/products", json=product_body(), headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == "Idempotency-Key must be 1 to 255 visible ASCII characters."
    assert products(client, tenant) == []


def test_b6_an_oversized_body_is_413_and_claims_no_key(context: AppContext, tenant: Tenant) -> None:
    with client_with(context, max_body_bytes=200) as small:
        body = product_body(description="x" * 500)
        response = small.post(
            "/api/products", json=body, headers=tenant.headers | {"Idempotency-Key": "too-big"}
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert products(small, tenant) == []
    assert stored_key(context, tenant, "too-big") is None


def test_b6_unauthenticated_posts_are_not_keyed(client: TestClient, tenant: Tenant) -> None:
    """Login has no organization to key by: each login runs (and issues its own tokens)."""
    body = {"email": tenant.email, "password": tenant.password}
    first = client.post("/api/auth/login", json=body, headers={"Idempotency-Key": "login"})
    second = client.post("/api/auth/login", json=body, headers={"Idempotency-Key": "login"})
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["access_token"] != second.json()["access_token"]
    anonymous = client.post("/api/products", json=product_body(), headers={"Idempotency-Key": "k"})
    assert anonymous.status_code == 401


def test_b6_an_expired_key_runs_as_new(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    first = post_product(client, tenant, "day-old", product_body(source_id="E-1"))
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == "day-old")
            .values(created_at=utcnow() - timedelta(hours=24, seconds=1))
        )

    later = post_product(client, tenant, "day-old", product_body(source_id="E-2"))

    assert (first.status_code, later.status_code) == (201, 201)
    assert "idempotent-replayed" not in later.headers
    assert sorted(product["source_id"] for product in products(client, tenant)) == ["E-1", "E-2"]


def test_b6_the_purge_job_deletes_keys_older_than_24_hours(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    for key in ("old-key", "fresh-key"):
        assert post_product(client, tenant, key, product_body()).status_code == 201
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == "old-key")
            .values(created_at=utcnow() - timedelta(hours=25))
        )
        job_id = enqueue(session, "ingest.purge_idempotency_keys", organization_id=None)
    assert job_id is not None

    JobRunner(context.database, context.settings).execute(str(job_id))

    with context.database.unit_of_work(write=False) as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.status, job.result) == (JobStatus.SUCCEEDED, {"keys_deleted": 1})
    assert stored_key(context, tenant, "old-key") is None
    assert stored_key(context, tenant, "fresh-key") is not None


# The middleware around routes that fail or take their time
class Routes:
    """Test routes behind the real middleware: their own calls are counted."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = threading.Event()

    def app(self, context: AppContext) -> FastAPI:
        app = FastAPI()
        app.state.context = context
        install_problem_handlers(app)
        app.add_middleware(IdempotencyMiddleware, context=context)
        app.add_middleware(RequestMiddleware, max_body_bytes=1024, max_upload_bytes=1024)

        @app.post("/flaky", status_code=201)
        def flaky(response: Response) -> dict[str, int]:
            self.calls += 1
            if self.calls == 1:
                response.status_code = 503
            return {"call": self.calls}

        @app.post("/crashes", status_code=201)
        def crashes() -> dict[str, int]:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("boom")
            return {"call": self.calls}

        @app.post("/slow", status_code=201)
        def slow() -> dict[str, int]:
            self.calls += 1
            assert self.release.wait(30)
            return {"call": self.calls}

        return app


@pytest.fixture
def routes(context: AppContext) -> Iterator[tuple[Routes, TestClient]]:
    routes = Routes()
    with TestClient(routes.app(context), raise_server_exceptions=False) as client:
        yield routes, client


@pytest.mark.parametrize("path", ["/flaky", "/crashes"])
def test_b6_a_5xx_or_a_crash_is_not_stored_so_a_retry_runs_again(
    routes: tuple[Routes, TestClient], context: AppContext, tenant: Tenant, path: str
) -> None:
    counter, client = routes
    headers = tenant.headers | {"Idempotency-Key": f"retry{path}"}

    failed = client.post(path, json={}, headers=headers)
    assert stored_key(context, tenant, f"retry{path}") is None
    retried = client.post(path, json={}, headers=headers)
    replayed = client.post(path, json={}, headers=headers)

    assert (failed.status_code, retried.status_code, replayed.status_code) == (
        503 if path == "/flaky" else 500,
        201,
        201,
    )
    assert retried.json() == replayed.json() == {"call": 2}
    assert counter.calls == 2


def test_b6_a_request_held_open_makes_the_same_key_409_until_it_answers(
    routes: tuple[Routes, TestClient], context: AppContext, tenant: Tenant
) -> None:
    counter, client = routes
    headers = tenant.headers | {"Idempotency-Key": "held-open"}
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, "/slow", json={}, headers=headers)
        wait_for(lambda: counter.calls == 1)
        stored = stored_key(context, tenant, "held-open")
        assert stored is not None and stored.state == IdempotencyState.IN_FLIGHT

        while_running = client.post("/slow", json={}, headers=headers)

        counter.release.set()
        answered = first.result(timeout=30)
    after = client.post("/slow", json={}, headers=headers)

    assert while_running.status_code == 409
    assert (answered.status_code, after.status_code) == (201, 201)
    assert answered.json() == after.json() == {"call": 1}
    assert counter.calls == 1
