"""Signed webhooks (B1-B5): sources and secret rotation, verification over the raw bytes, the
timestamp tolerance, replay safety under concurrency, acknowledging with the broker down, and the
job that turns a stored delivery into products."""

import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.accounts.models import Role
from shelfwise.accounts.principal import Principal
from shelfwise.ingest.models import WebhookEvent
from shelfwise.ingest.signatures import (
    SignatureError,
    hmac_sha256_hex,
    parse_header,
    sign,
    verify,
)
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.jobs.service import jobs
from shelfwise.platform.context import AppContext
from tests.apps import client_with
from tests.factories import (
    Tenant,
    create_product,
    create_tenant,
    create_webhook_source,
    post_webhook,
    unique,
)

PRODUCT = {"source_platform": "allegro", "source_id": "A-1", "title": "Bosch GSR 18V-55 Drill"}
BODY = json.dumps(PRODUCT).encode()


def read(client: TestClient, tenant: Tenant, url: str) -> Any:
    response = client.get(url, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response.json()


def events(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    page = read(client, tenant, "/api/webhook-events?limit=200")
    items: list[dict[str, Any]] = page["items"]
    return items


def webhook_jobs(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = read(
        client, tenant, "/api/jobs?kind=ingest.process_webhook&limit=200"
    )["items"]
    return items


def run_job(context: AppContext, job_id: str) -> dict[str, Any]:
    """Run a queued job here, through the real runner, and return its outcome."""
    JobRunner(context.database, context.settings).execute(job_id)
    with context.database.unit_of_work(write=False) as session:
        job = session.get(Job, uuid.UUID(job_id))
        assert job is not None
        return {"status": job.status, "result": job.result, "error": job.error}


def stored_body(context: AppContext, tenant: Tenant, event_id: str) -> bytes:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        event = session.get(WebhookEvent, uuid.UUID(event_id))
        assert event is not None
        return event.body


def cancel_queued_jobs(context: AppContext, tenant: Tenant) -> None:
    """Leave no queued job behind for the job systems of later tests."""
    principal = Principal(tenant.organization_id, Role.OWNER, user_id=tenant.user_id)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        queued = session.scalars(
            select(Job.id).where(
                Job.organization_id == tenant.organization_id, Job.status == JobStatus.QUEUED
            )
        )
        for job_id in list(queued):
            jobs.cancel(session, principal, job_id)


@pytest.fixture
def source(client: TestClient, context: AppContext, tenant: Tenant) -> Iterator[dict[str, Any]]:
    yield create_webhook_source(client, tenant)
    cancel_queued_jobs(context, tenant)


# B1: the HMAC helper against a published vector, then the verifier through the API
def test_b1_hmac_helper_matches_githubs_published_known_answer_vector() -> None:
    digest = hmac_sha256_hex(b"It's a Secret to Everybody", b"Hello, World!")
    assert f"sha256={digest}" == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


def test_b1_the_signed_content_is_timestamp_dot_raw_body() -> None:
    assert sign("It's a Secret to Everybody", 1700000000, b"Hello, World!") == (
        "t=1700000000,v1="
        + hmac_sha256_hex(b"It's a Secret to Everybody", b"1700000000.Hello, World!")
    )


def test_b1_a_signed_delivery_is_stored_byte_for_byte_and_queued(
    client: TestClient, context: AppContext, tenant: Tenant, source: dict[str, Any]
) -> None:
    # Odd spacing, key order and non-ASCII text: stored exactly as received.
    body = (
        b'{ "title":"Wiertarka \xc5\xbc\xc3\xb3\xc5\x82ta",  '
        b'"source_id":"A-7","source_platform":"allegro"}'
    )
    response = post_webhook(client, source, body, event_id="allegro-A-7-1")

    assert response.status_code == 202, response.text
    receipt = response.json()
    assert {key: receipt[key] for key in ("source_id", "event_id", "status", "duplicate")} == {
        "source_id": source["id"],
        "event_id": "allegro-A-7-1",
        "status": "queued",
        "duplicate": False,
    }
    assert stored_body(context, tenant, receipt["id"]) == body
    [event] = events(client, tenant)
    assert event["id"] == receipt["id"]
    assert event["size"] == len(body)
    assert event["headers"]["content-type"] == "application/json"
    assert event["headers"]["x-shelfwise-signature"].startswith("t=")
    [job] = webhook_jobs(client, tenant)
    assert (job["id"], job["status"]) == (receipt["job_id"], "queued")


def _missing(source: dict[str, Any], body: bytes) -> tuple[dict[str, str], bytes]:
    return {"X-Shelfwise-Signature": ""}, body


def _wrong_secret(source: dict[str, Any], body: bytes) -> tuple[dict[str, str], bytes]:
    return {"X-Shelfwise-Signature": sign("whsec_not-the-secret", int(time.time()), body)}, body


def _tampered(source: dict[str, Any], body: bytes) -> tuple[dict[str, str], bytes]:
    signature = sign(source["secret"], int(time.time()), body)
    return {"X-Shelfwise-Signature": signature}, body.replace(b"Drill", b"Drill!")


def _reserialized(source: dict[str, Any], body: bytes) -> tuple[dict[str, str], bytes]:
    """The same JSON document, re-serialized on the way (compact separators)."""
    signature = sign(source["secret"], int(time.time()), body)
    sent = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert json.loads(sent) == json.loads(body) and sent != body
    return {"X-Shelfwise-Signature": signature}, sent


def _header(value: Callable[[dict[str, Any], bytes, int], str]) -> Any:
    def build(source: dict[str, Any], body: bytes) -> tuple[dict[str, str], bytes]:
        return {"X-Shelfwise-Signature": value(source, body, int(time.time()))}, body

    return build


def _v1(source: dict[str, Any], body: bytes, t: int) -> str:
    return sign(source["secret"], t, body).split(",")[1]


BAD_SIGNATURES = {
    "missing": _missing,
    "wrong-secret": _wrong_secret,
    "tampered-body": _tampered,
    "re-serialized-body": _reserialized,
    "no-timestamp": _header(lambda s, b, t: _v1(s, b, t)),
    "no-v1": _header(lambda s, b, t: f"t={t}"),
    "two-timestamps": _header(lambda s, b, t: f"t={t},t={t},{_v1(s, b, t)}"),
    "timestamp-not-a-number": _header(lambda s, b, t: f"t={t}.0,{_v1(s, b, t)}"),
    "github-style-header": _header(
        lambda s, b, t: "sha256=" + hmac_sha256_hex(s["secret"].encode(), b)
    ),
    "signed-without-timestamp": _header(
        lambda s, b, t: f"t={t},v1=" + hmac_sha256_hex(s["secret"].encode(), b)
    ),
    "uppercase-hex": _header(lambda s, b, t: f"t={t},{_v1(s, b, t).upper().replace('V1=', 'v1=')}"),
}


@pytest.mark.parametrize("make", BAD_SIGNATURES.values(), ids=BAD_SIGNATURES.keys())
def test_b1_bad_missing_or_reserialized_signatures_get_401_and_write_nothing(
    client: TestClient,
    tenant: Tenant,
    source: dict[str, Any],
    make: Callable[[dict[str, Any], bytes], tuple[dict[str, str], bytes]],
) -> None:
    headers, sent = make(source, BODY)
    response = client.post(
        "/api/import/webhook",
        content=sent,
        headers={
            "Content-Type": "application/json",
            "X-Shelfwise-Source": source["id"],
            "X-Shelfwise-Event-Id": unique("evt"),
        }
        | headers,
    )
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Unauthorized"
    assert events(client, tenant) == []
    assert webhook_jobs(client, tenant) == []


def test_b1_the_failure_says_why(client: TestClient, source: dict[str, Any]) -> None:
    missing = post_webhook(client, source, BODY, headers={"X-Shelfwise-Signature": ""})
    wrong = post_webhook(client, source, BODY, secret="whsec_wrong")
    late = post_webhook(client, source, BODY, timestamp=int(time.time()) - 400)
    assert [r.json()["detail"] for r in (missing, wrong, late)] == [
        "The X-Shelfwise-Signature header is missing.",
        "The signature does not match the body under any active secret.",
        "The signature timestamp is more than 300 s from the server's clock.",
    ]


UNKNOWN_SOURCE = "Unknown or inactive webhook source; send its id as X-Shelfwise-Source."
NO_MATCH = "The signature does not match the body under any active secret."


@pytest.mark.parametrize(
    ("which", "detail"),
    [
        ("missing", UNKNOWN_SOURCE),
        ("not-a-uuid", UNKNOWN_SOURCE),
        ("unknown", UNKNOWN_SOURCE),
        ("deactivated", UNKNOWN_SOURCE),
        ("other-organizations", NO_MATCH),  # signed with our secret, not with theirs
    ],
    ids=["missing", "not-a-uuid", "unknown", "deactivated", "other-organizations"],
)
def test_b1_an_unknown_or_inactive_source_gets_401_and_writes_nothing(
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    source: dict[str, Any],
    which: str,
    detail: str,
) -> None:
    foreign = create_webhook_source(client, other_tenant)
    named = {
        "missing": "",
        "not-a-uuid": "n8n-allegro",
        "unknown": str(uuid.uuid4()),
        "deactivated": source["id"],
        "other-organizations": foreign["id"],
    }[which]
    if which == "deactivated":
        patched = client.patch(
            f"/api/webhook-sources/{source['id']}",
            json={"is_active": False},
            headers=tenant.headers,
        )
        assert patched.json()["is_active"] is False
    response = post_webhook(client, source, BODY, headers={"X-Shelfwise-Source": named})
    assert response.status_code == 401, response.text
    assert response.json()["detail"] == detail
    assert events(client, tenant) == [] and events(client, other_tenant) == []
    assert webhook_jobs(client, tenant) == [] and webhook_jobs(client, other_tenant) == []


def test_a_missing_event_id_is_422_and_writes_nothing(
    client: TestClient, tenant: Tenant, source: dict[str, Any]
) -> None:
    response = post_webhook(client, source, BODY, headers={"X-Shelfwise-Event-Id": ""})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "header.X-Shelfwise-Event-Id", "message": "missing or malformed"}
    ]
    assert events(client, tenant) == []


# B2
@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-300, True), (300, True), (-301, False), (301, False), (0, True)],
    ids=["300s-old", "300s-ahead", "301s-old", "301s-ahead", "now"],
)
def test_b2_the_tolerance_is_300_seconds_either_way(offset: int, accepted: bool) -> None:
    now = 1_800_000_000
    signature = parse_header(sign("whsec_s", now + offset, b"{}"))
    if accepted:
        verify(signature, b"{}", ["whsec_s"], now=now)
    else:
        with pytest.raises(SignatureError, match="more than 300 s"):
            verify(signature, b"{}", ["whsec_s"], now=now)


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-290, 202), (290, 202), (-310, 401), (310, 401)],
    ids=["290s-old", "290s-ahead", "310s-old", "310s-ahead"],
)
def test_b2_deliveries_outside_the_tolerance_get_401_through_the_api(
    client: TestClient, tenant: Tenant, source: dict[str, Any], offset: int, status: int
) -> None:
    response = post_webhook(client, source, BODY, timestamp=int(time.time()) + offset)
    assert response.status_code == status, response.text
    assert len(events(client, tenant)) == (1 if status == 202 else 0)


# B3
def test_b3_a_repeated_event_id_is_answered_200_with_the_original_result(
    client: TestClient, tenant: Tenant, source: dict[str, Any]
) -> None:
    first = post_webhook(client, source, BODY, event_id="evt-42")
    again = post_webhook(client, source, BODY, event_id="evt-42", timestamp=int(time.time()) - 5)
    changed = post_webhook(client, source, b'{"other": true}', event_id="evt-42")

    assert (first.status_code, again.status_code, changed.status_code) == (202, 200, 200)
    assert again.json() == first.json() | {"duplicate": True}
    assert changed.json() == first.json() | {"duplicate": True}
    assert [event["id"] for event in events(client, tenant)] == [first.json()["id"]]
    assert [job["id"] for job in webhook_jobs(client, tenant)] == [first.json()["job_id"]]


def test_b3_a_captured_delivery_resent_under_another_event_id_is_still_a_duplicate(
    client: TestClient, tenant: Tenant, source: dict[str, Any]
) -> None:
    """The event id header is not signed; the signed timestamp and body identify the delivery."""
    signed_at = int(time.time())
    first = post_webhook(client, source, BODY, event_id="evt-1", timestamp=signed_at)
    replayed = post_webhook(client, source, BODY, event_id="evt-forged", timestamp=signed_at)
    later = post_webhook(client, source, BODY, event_id="evt-2", timestamp=signed_at + 1)

    assert (first.status_code, replayed.status_code, later.status_code) == (202, 200, 202)
    assert replayed.json()["id"] == first.json()["id"]
    assert len(events(client, tenant)) == 2
    assert len(webhook_jobs(client, tenant)) == 2


def test_b3_ten_identical_concurrent_posts_make_one_event_and_one_job(
    client: TestClient, tenant: Tenant, source: dict[str, Any]
) -> None:
    signed_at = int(time.time())

    def deliver(_: int) -> Any:
        return post_webhook(client, source, BODY, event_id="evt-burst", timestamp=signed_at)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(deliver, range(10)))

    assert sorted(answer.status_code for answer in answers) == [200] * 9 + [202]
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert len({answer.json()["job_id"] for answer in answers}) == 1
    assert len(events(client, tenant)) == 1
    assert len(webhook_jobs(client, tenant)) == 1


# B4
def test_b4_every_active_secret_verifies_during_a_rotation(
    client: TestClient, tenant: Tenant, source: dict[str, Any]
) -> None:
    old = source["secret"]
    rotated = client.post(f"/api/webhook-sources/{source['id']}/secrets", headers=tenant.headers)
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()["secret"]
    assert [hint["id"] for hint in rotated.json()["secrets"]] == [
        source["secret_id"],
        rotated.json()["secret_id"],
    ]
    bodies = [json.dumps(PRODUCT | {"source_id": f"A-{n}"}).encode() for n in range(5)]
    signed_at = int(time.time())
    stale_and_new = ",".join(
        [sign("whsec_stale", signed_at, bodies[2]), sign(new, signed_at, bodies[2]).split(",")[1]]
    )

    def status(body: bytes, **signing: Any) -> int:
        code: int = post_webhook(client, source, body, **signing).status_code
        return code

    assert status(bodies[0], secret=old) == 202
    assert status(bodies[1], secret=new) == 202
    assert status(bodies[2], headers={"X-Shelfwise-Signature": stale_and_new}) == 202
    removed = client.delete(
        f"/api/webhook-sources/{source['id']}/secrets/{source['secret_id']}", headers=tenant.headers
    )
    assert removed.status_code == 204
    assert status(bodies[3], secret=old) == 401
    assert status(bodies[4], secret=new) == 202
    assert len(events(client, tenant)) == 4


def test_b4_the_last_secret_cannot_be_deleted(
    client: TestClient, tenant: Tenant, source: dict[str, Any]
) -> None:
    response = client.delete(
        f"/api/webhook-sources/{source['id']}/secrets/{source['secret_id']}", headers=tenant.headers
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "A webhook source keeps at least one secret; add another first."
    )
    assert post_webhook(client, source, BODY).status_code == 202


def test_secrets_are_shown_once_then_only_as_masked_hints(
    client: TestClient, tenant: Tenant, source: dict[str, Any]
) -> None:
    secret = source["secret"]
    assert secret.startswith("whsec_") and len(secret) == 49
    listed = client.get("/api/webhook-sources", headers=tenant.headers)
    one = client.get(f"/api/webhook-sources/{source['id']}", headers=tenant.headers)
    for response in (listed, one):
        assert response.status_code == 200
        assert secret not in response.text
    assert one.json()["secrets"] == [
        {
            "id": source["secret_id"],
            "hint": "••••" + secret[-4:],
            "created_at": source["created_at"],
        }
    ]
    assert [item["id"] for item in listed.json()] == [source["id"]]


# B5
def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_b5_acknowledged_with_202_while_the_broker_is_down(
    context: AppContext, tenant: Tenant
) -> None:
    """Scale-out settings with nothing listening on the Redis port: the delivery and its job row
    commit together and the answer is 202; the job waits in the outbox for the relay."""
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    with client_with(context, broker_url=down) as client:
        source = create_webhook_source(client, tenant)
        response = post_webhook(client, source, BODY)
        assert response.status_code == 202, response.text
        with context.database.unit_of_work(write=False) as session:
            job = session.get(Job, uuid.UUID(response.json()["job_id"]))
            assert job is not None
            assert (job.kind, job.status, job.dispatched_at) == (
                "ingest.process_webhook",
                JobStatus.QUEUED,
                None,
            )
            assert job.organization_id == tenant.organization_id
    cancel_queued_jobs(context, tenant)


# Sources: roles and life cycle
@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_only_admins_manage_webhook_sources_and_read_events(
    client: TestClient, context: AppContext, role: Role
) -> None:
    member = create_tenant(context, client, role)
    attempts = [
        client.post("/api/webhook-sources", json={"name": "n8n"}, headers=member.headers),
        client.get("/api/webhook-sources", headers=member.headers),
        client.get("/api/webhook-events", headers=member.headers),
    ]
    assert [response.status_code for response in attempts] == [403, 403, 403]


def test_a_source_name_is_unique_in_its_organization(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    create_webhook_source(client, tenant, name="n8n Allegro")
    again = client.post(
        "/api/webhook-sources", json={"name": "n8n Allegro"}, headers=tenant.headers
    )
    assert again.status_code == 409
    assert create_webhook_source(client, other_tenant, name="n8n Allegro")["name"] == "n8n Allegro"


def test_deleting_a_source_deletes_its_events_and_stops_deliveries(
    client: TestClient, tenant: Tenant, source: dict[str, Any]
) -> None:
    assert post_webhook(client, source, BODY).status_code == 202
    deleted = client.delete(f"/api/webhook-sources/{source['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    gone = client.get(f"/api/webhook-sources/{source['id']}", headers=tenant.headers)
    assert gone.status_code == 404
    assert events(client, tenant) == []
    assert post_webhook(client, source, BODY).status_code == 401


# The processing job and replays
def test_the_job_upserts_valid_products_and_reports_each_invalid_item(
    client: TestClient, context: AppContext, tenant: Tenant, source: dict[str, Any]
) -> None:
    payload = [
        PRODUCT | {"brand": "Bosch", "price": {"amount": "349.00", "currency": "PLN"}},
        {
            "source_platform": "allegro",
            "source_id": "A-2",
            "title": "Makita DHP482",
            "gtin": "4006381333931",
        },
        {"source_platform": "allegro", "source_id": "A-3", "gtin": "4006381333932"},
        "not an object",
    ]
    receipt = post_webhook(client, source, json.dumps(payload).encode()).json()

    outcome = run_job(context, receipt["job_id"])

    assert outcome["status"] == JobStatus.SUCCEEDED
    assert outcome["result"] == {"created": 2, "updated": 0, "stale": 0, "rejected": 2}
    job = read(client, tenant, f"/api/jobs/{receipt['job_id']}")
    assert job["progress"] == {"done": 4, "total": 4, "percent": 100.0}
    assert [(e["item"], e["field"], e["message"]) for e in job["item_errors"]] == [
        ("[2]", "title", "Field required"),
        (
            "[2]",
            "gtin",
            "Value error, not a valid GTIN/EAN/UPC (8, 12, 13 or 14 digits with a correct "
            "check digit)",
        ),
        ("[3]", None, "Input should be a valid dictionary or instance of WebhookProduct"),
    ]
    found = sorted(
        read(client, tenant, "/api/products?source_platform=allegro")["items"],
        key=lambda product: product["source_id"],
    )
    assert [
        (p["source_id"], p["title"], p["brand"], p["gtin"], p["attributes"]) for p in found
    ] == [
        (
            "A-1",
            "Bosch GSR 18V-55 Drill",
            "Bosch",
            None,
            {"price": {"amount": "349.00", "currency": "PLN"}},
        ),
        ("A-2", "Makita DHP482", None, "4006381333931", {}),
    ]
    assert [event["status"] for event in events(client, tenant)] == ["processed"]
    audit = read(client, tenant, "/api/audit?limit=200")["items"]
    created = [entry for entry in audit if entry["action"] == "product.created"]
    assert {(entry["actor_type"], entry["actor_id"]) for entry in created} == {
        ("automation", "ingest.process_webhook")
    }


def test_the_job_updates_existing_products_and_ignores_older_source_data(
    client: TestClient, context: AppContext, tenant: Tenant, source: dict[str, Any]
) -> None:
    stored = "2026-11-20T10:00:00Z"
    create_product(
        client,
        tenant,
        source_platform="allegro",
        source_id="U-1",
        title="Old title",
        source_updated_at=stored,
        brand="Bosch",
    )
    create_product(
        client,
        tenant,
        source_platform="allegro",
        source_id="U-2",
        title="Kept title",
        source_updated_at=stored,
    )
    payload = [
        {
            "source_platform": "allegro",
            "source_id": "U-1",
            "title": "New title",
            "source_updated_at": "2026-11-21T10:00:00Z",
        },
        {
            "source_platform": "allegro",
            "source_id": "U-2",
            "title": "Older title",
            "source_updated_at": "2026-11-19T10:00:00Z",
        },
    ]
    receipt = post_webhook(client, source, json.dumps(payload).encode()).json()

    assert run_job(context, receipt["job_id"])["result"] == {
        "created": 0,
        "updated": 1,
        "stale": 1,
        "rejected": 0,
    }
    found = sorted(
        read(client, tenant, "/api/products?source_platform=allegro")["items"],
        key=lambda product: product["source_id"],
    )
    assert [(p["source_id"], p["title"], p["brand"]) for p in found] == [
        ("U-1", "New title", "Bosch"),  # fields the payload leaves out are kept
        ("U-2", "Kept title", None),
    ]


def test_a_payload_that_is_not_json_fails_the_job_and_marks_the_event_rejected(
    client: TestClient, context: AppContext, tenant: Tenant, source: dict[str, Any]
) -> None:
    receipt = post_webhook(client, source, b"title=Drill&source_id=1").json()
    outcome = run_job(context, receipt["job_id"])
    assert outcome["status"] == JobStatus.FAILED
    assert outcome["error"] == (
        "PermanentJobError: The payload is not valid JSON: "
        "Expecting value: line 1 column 1 (char 0)"
    )
    assert [event["status"] for event in events(client, tenant)] == ["rejected"]


def test_a_replay_processes_the_stored_raw_body_again(
    client: TestClient, context: AppContext, tenant: Tenant, source: dict[str, Any]
) -> None:
    receipt = post_webhook(client, source, BODY).json()
    run_job(context, receipt["job_id"])
    [product] = read(client, tenant, "/api/products?source_platform=allegro")["items"]
    assert (
        client.delete(f"/api/products/{product['id']}", headers=tenant.headers).status_code == 204
    )

    replayed = client.post(f"/api/webhook-events/{receipt['id']}/replay", headers=tenant.headers)

    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["status"] == "queued"
    new_job = replayed.json()["job_id"]
    assert new_job != receipt["job_id"]
    assert run_job(context, new_job)["result"] == {
        "created": 1,
        "updated": 0,
        "stale": 0,
        "rejected": 0,
    }
    [again] = read(client, tenant, "/api/products?source_platform=allegro")["items"]
    assert (again["source_id"], again["title"]) == ("A-1", "Bosch GSR 18V-55 Drill")
    assert [event["status"] for event in events(client, tenant)] == ["processed"]
    actions = [entry["action"] for entry in read(client, tenant, "/api/audit?limit=200")["items"]]
    assert actions.count("webhook_event.replayed") == 1


def test_events_are_listed_newest_first_and_filtered(
    client: TestClient, tenant: Tenant, source: dict[str, Any]
) -> None:
    second_source = create_webhook_source(client, tenant)
    ids = [
        post_webhook(client, sender, json.dumps(PRODUCT | {"source_id": str(n)}).encode()).json()[
            "id"
        ]
        for n, sender in enumerate((source, second_source, source))
    ]
    page = read(client, tenant, f"/api/webhook-events?source_id={source['id']}&limit=1")
    rest = read(
        client, tenant, f"/api/webhook-events?source_id={source['id']}&cursor={page['next_cursor']}"
    )
    assert [e["id"] for e in page["items"] + rest["items"]] == [ids[2], ids[0]]
    assert rest["next_cursor"] is None
    assert read(client, tenant, "/api/webhook-events?status=processed")["items"] == []
