"""Malformed bodies on every write route, generated from the OpenAPI document.

Each route gets non-JSON bytes, JSON that is not an object, a wrong type in each field, an
unknown field, 10,000 levels of nesting and duplicate keys. Every answer is a 4xx problem, never
a 500, and nothing is written. A new write route whose path ids this file cannot build fails here.
"""

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from shelfwise.accounts.models import Role
from shelfwise.app import ROUTERS
from shelfwise.jobs.service import enqueue
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.factories import (
    Tenant,
    add_member,
    create_account,
    create_credential,
    create_listing,
    create_product,
    create_user,
    create_webhook_source,
    post_webhook,
    unique,
)

WRITE_METHODS = ("post", "put", "patch")
JSON = {"content-type": "application/json"}
DEPTH = 10_000


def openapi_document() -> dict[str, Any]:
    app = FastAPI()
    for router in ROUTERS:
        app.include_router(router)
    return app.openapi()


DOCUMENT = openapi_document()
SCHEMAS: dict[str, Any] = DOCUMENT.get("components", {}).get("schemas", {})


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body: dict[str, Any] | None  # the request body's schema, resolved

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def writes_by_design(self) -> bool:
        """Login records failures and logout ends a session: their 'nothing written' is moot."""
        return self.path.startswith("/api/auth/")


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def write_operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, methods in sorted(document["paths"].items()):
        for method in WRITE_METHODS:
            operation = methods.get(method)
            if operation is None:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            found.append(Operation(method, path, resolve(schema) if schema else None))
    return found


OPERATIONS = write_operations(DOCUMENT)


def _json_types(schema: dict[str, Any]) -> set[str]:
    schema = resolve(schema)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return set().union(*(_json_types(part) for part in schema[combinator]))
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return {"number" if kind == "integer" else kind for kind in types}
    if "enum" in schema:
        return {"string"}
    return {"any"}


WRONG_VALUES: list[tuple[str, Any]] = [
    ("object", {"unexpected": True}),
    ("array", ["unexpected"]),
    ("number", 12345.5),
    ("string", "unexpected text"),
]


def wrong_value(schema: dict[str, Any]) -> Any:
    """A JSON value of a type the schema does not accept (None: it accepts anything)."""
    accepted = _json_types(schema)
    if "any" in accepted:
        return None
    return next(value for kind, value in WRONG_VALUES if kind not in accepted)


def top_level_fields(response: Response) -> set[str]:
    """body.price.amount -> body.price, body.bullets[2] -> body.bullets."""
    fields = set()
    for error in response.json()["errors"]:
        match = re.match(r"^body(\.[^.\[]+)?", error["field"])
        assert match is not None, error
        fields.add(match.group(0))
    return fields


# How to find, in the tenant's organization, a real object for each kind of path id.
def _member(client: TestClient, context: AppContext, tenant: Tenant) -> str:
    email = f"{unique('member')}@example.com"
    user_id = create_user(context, email)
    add_member(context, tenant.organization_id, email, Role.VIEWER)
    return str(user_id)


def _job(client: TestClient, context: AppContext, tenant: Tenant) -> str:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session,
            "jobs.purge_finished",
            organization_id=tenant.organization_id,
            run_after=utcnow() + timedelta(days=1),  # stays queued during the test
        )
    return str(job_id)


def _webhook_source(client: TestClient, context: AppContext, tenant: Tenant) -> str:
    return str(create_webhook_source(client, tenant)["id"])


def _webhook_event(client: TestClient, context: AppContext, tenant: Tenant) -> str:
    delivery = post_webhook(client, create_webhook_source(client, tenant), b'{"source_id": "M-1"}')
    assert delivery.status_code == 202, delivery.text
    return str(delivery.json()["id"])


def _proposal(client: TestClient, context: AppContext, tenant: Tenant) -> str:
    listing = create_listing(client, tenant)
    proposed = client.post(f"/api/ai/optimize/{listing['id']}", headers=tenant.headers)
    assert proposed.status_code == 201, proposed.text
    return str(proposed.json()["id"])


ID_BUILDERS: dict[str, Callable[[TestClient, AppContext, Tenant], str]] = {
    "product_id": lambda client, context, tenant: create_product(client, tenant)["id"],
    "account_id": lambda client, context, tenant: create_account(client, tenant)["id"],
    "listing_id": lambda client, context, tenant: create_listing(client, tenant)["id"],
    "credential_id": lambda client, context, tenant: create_credential(client, tenant)["id"],
    "user_id": _member,
    "job_id": _job,
    "webhook_source_id": _webhook_source,
    "webhook_event_id": _webhook_event,
    "proposal_id": _proposal,
}

# Reads that show whatever a write to the tenant's organization could have changed.
SNAPSHOT_READS = (
    "/api/products",
    "/api/listings",
    "/api/marketplace-accounts",
    "/api/credentials",
    "/api/api-keys",
    "/api/organization/members",
    "/api/auth/me",
    "/api/audit",
    "/api/jobs",
    "/api/events",
    "/api/webhook-sources",
    "/api/webhook-events",
    "/api/ai/proposals",
)


def snapshot(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    state = {}
    for path in SNAPSHOT_READS:
        if path not in DOCUMENT["paths"]:
            continue
        parameters = DOCUMENT["paths"][path]["get"].get("parameters", [])
        query = {"limit": 200} if any(p["name"] == "limit" for p in parameters) else {}
        response = client.get(path, params=query, headers=tenant.headers)
        assert response.status_code == 200, (path, response.text)
        state[path] = response.json()
    return state


@dataclass(frozen=True)
class Case:
    """A body to send and the 422 it must get (fields=None: any 4xx problem will do)."""

    name: str
    content: bytes
    fields: set[str] | None = None  # the top-level fields the errors name
    error_type: str | None = None  # the type of every error
    message: str | None = None  # a text every error message contains


def raw_cases() -> list[Case]:
    """Bytes that are not a JSON object, whatever the route."""
    syntax = [
        Case("not-json", b"this is not json"),
        Case("truncated", b'{"title": '),
        Case("trailing-garbage", b"{} and more"),
        Case("not-utf-8", b'{"title": "\xff\xfe"}'),
        Case("nested-arrays", b"[" * DEPTH + b"]" * DEPTH, message="nested too deep"),
        Case("nested-objects", b'{"a":' * DEPTH + b"1" + b"}" * DEPTH, message="nested too deep"),
        Case(
            "nested-in-a-field",
            b'{"title": ' + b"[" * DEPTH + b"]" * DEPTH + b"}",
            message="nested too deep",
        ),
    ]
    not_objects = [b"[]", b'[{"title": "x"}]', b'"text"', b"42", b"true", b"null"]
    return [
        *[Case(case.name, case.content, {"body"}, "json_invalid", case.message) for case in syntax],
        *[Case(f"not-an-object-{raw.decode()}", raw, {"body"}) for raw in not_objects],
    ]


def schema_cases(body: dict[str, Any]) -> list[Case]:
    """Wrong types, an unknown field and duplicate keys, from the body's schema."""
    properties: dict[str, Any] = body.get("properties", {})
    required = [f"body.{name}" for name in body.get("required", [])]
    cases = []
    for name, schema in properties.items():
        value = wrong_value(schema)
        if value is None:
            continue
        cases.append(
            Case(
                f"wrong-type-{name}",
                json.dumps({name: value}).encode(),
                {f"body.{name}", *required},
            )
        )
    cases.append(
        Case(
            "unknown-field",
            json.dumps({"unexpected_field": 1}).encode(),
            {"body.unexpected_field", *required},
        )
    )
    first = next(iter(body.get("required", [])), next(iter(properties), "title"))
    cases.append(
        Case(
            "duplicate-keys",
            f'{{"{first}": "one", "{first}": "two"}}'.encode(),
            {"body"},
            "json_invalid",
            f"duplicate key '{first}'",
        )
    )
    return cases


def check(response: Response, case: Case) -> str | None:
    """What is wrong with the answer to `case`, or None."""
    if not 400 <= response.status_code < 500:
        return f"{case.name}: {response.status_code} {response.text[:300]}"
    if response.headers.get("content-type") != "application/problem+json":
        return f"{case.name}: content-type {response.headers.get('content-type')}"
    problem = response.json()
    if problem.get("status") != response.status_code:
        return f"{case.name}: problem status {problem.get('status')}"
    if case.fields is None:
        return None
    if response.status_code != 422:
        return f"{case.name}: {response.status_code} instead of 422: {response.text[:300]}"
    errors = problem["errors"]
    found = top_level_fields(response)
    if found != case.fields:
        return f"{case.name}: errors name {sorted(found)}, not {sorted(case.fields)}"
    if case.error_type and {error["type"] for error in errors} != {case.error_type}:
        return f"{case.name}: error types {[error['type'] for error in errors]}"
    if case.message and not all(case.message in error["message"] for error in errors):
        return f"{case.name}: messages {[error['message'] for error in errors]}"
    return None


def test_every_write_route_path_id_can_be_built() -> None:
    assert len(OPERATIONS) >= 15
    unknown = {
        f"{operation.name}: {{{name}}}"
        for operation in OPERATIONS
        for name in operation.path_parameters
        if name not in ID_BUILDERS
    }
    assert unknown == set(), "teach ID_BUILDERS to make these ids"


def test_the_collected_routes_are_the_served_ones(client: TestClient) -> None:
    served = write_operations(client.get("/openapi.json").json())
    assert [operation.name for operation in served] == [operation.name for operation in OPERATIONS]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.name for op in OPERATIONS])
def test_malformed_bodies_are_4xx_problems_and_write_nothing(
    client: TestClient, context: AppContext, tenant: Tenant, operation: Operation
) -> None:
    path = operation.path
    for name in operation.path_parameters:
        if name not in ID_BUILDERS:
            pytest.fail(f"{operation.name}: no way to build {{{name}}}; teach ID_BUILDERS")
        path = path.replace(f"{{{name}}}", ID_BUILDERS[name](client, context, tenant))
    checks_writes = operation.body is not None and not operation.writes_by_design
    before = snapshot(client, tenant) if checks_writes else None
    cases = raw_cases()
    if operation.body is not None:
        cases += schema_cases(operation.body)

    problems = []
    for case in cases:
        response = client.request(
            operation.method, path, content=case.content, headers=tenant.headers | JSON
        )
        if operation.body is None:
            # Nothing to be malformed: the route ignores bodies. It still must not fail.
            if response.status_code >= 500:
                problems.append(f"{case.name}: {response.status_code} {response.text[:300]}")
            continue
        problem = check(response, case)
        if problem is not None:
            problems.append(problem)

    assert problems == []
    if before is not None:
        assert snapshot(client, tenant) == before


def test_duplicate_keys_are_refused_even_inside_nested_objects(
    client: TestClient, tenant: Tenant
) -> None:
    body = (
        b'{"source_platform": "manual", "source_id": "DUP-NESTED", "title": "T",'
        b' "cost": {"amount": "1.00", "amount": "900.00", "currency": "EUR"}}'
    )
    response = client.post("/api/products", content=body, headers=tenant.headers | JSON)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "body[0]",
            "message": "JSON decode error: duplicate key 'amount'",
            "type": "json_invalid",
        }
    ]
    listed = client.get("/api/products", params={"q": "DUP-NESTED"}, headers=tenant.headers)
    assert listed.json()["items"] == []


def test_well_formed_json_with_repeated_names_in_different_objects_is_fine(
    client: TestClient, tenant: Tenant
) -> None:
    body = {
        "source_platform": "manual",
        "source_id": f"SAME-NAMES-{uuid.uuid4().hex[:6]}",
        "title": "T",
        "attributes": {"title": "nested title", "source_id": "nested"},
    }
    response = client.post(
        "/api/products", content=json.dumps(body).encode(), headers=tenant.headers | JSON
    )
    assert response.status_code == 201
    assert response.json()["attributes"] == {"title": "nested title", "source_id": "nested"}
