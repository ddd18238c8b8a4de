"""Jobs API semantics: list and filter, read with progress and item errors, cancel, retry, roles,
other organizations, and the Server-Sent Events progress stream.

Jobs are queued through the service in the organization's transaction, as the domains do. Where a
test needs a job to have run, it either delivers it once with the real runner (`run_once`, what
the Dramatiq actor calls) or starts the embedded job system (`job_system`)."""

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from shelfwise.accounts.models import Role
from shelfwise.jobs.endpoints import DETAIL_ERRORS
from shelfwise.jobs.models import JobStatus
from shelfwise.jobs.repository import JobQueue
from shelfwise.jobs.runtime import JobRunner
from shelfwise.jobs.service import enqueue
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.factories import Tenant, create_tenant
from tests.jobs.conftest import effects_of, load_job, wait_for

ITEM_ERROR = {"field": "price", "message": "not a valid price"}


@pytest.fixture(autouse=True)
def _effects(effects_table: None) -> None:
    """The test job kinds write to the effects table."""


def queue(context: AppContext, tenant: Tenant, kind: str, **arguments: Any) -> uuid.UUID:
    max_attempts = arguments.pop("max_attempts", None)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session,
            kind,
            arguments,
            organization_id=tenant.organization_id,
            max_attempts=max_attempts,
        )
    assert job_id is not None
    return job_id


def run_once(context: AppContext, job_id: uuid.UUID) -> None:
    """One delivery of the job, through the runner the Dramatiq actors call."""
    JobRunner(context.database, context.settings).execute(str(job_id))


def status_of(context: AppContext, job_id: uuid.UUID) -> JobStatus:
    return load_job(context, job_id).status


def listed(client: TestClient, tenant: Tenant, **params: Any) -> list[str]:
    response = client.get("/api/jobs", params=params, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def snapshot(context: AppContext, job_id: uuid.UUID) -> tuple[Any, ...]:
    job = load_job(context, job_id)
    return (job.status, job.attempts, job.cancel_requested, job.error, job.finished_at)


def test_list_filters_by_status_and_kind_newest_first(
    context: AppContext, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    queued_noop = str(queue(context, tenant, "testjobs.noop"))
    failed = queue(context, tenant, "testjobs.always_permanent")
    run_once(context, failed)
    succeeded = queue(context, tenant, "testjobs.noop")
    run_once(context, succeeded)
    queued_items = str(queue(context, tenant, "testjobs.process_items", count=10))
    cancelled = str(queue(context, tenant, "testjobs.noop"))
    assert client.post(f"/api/jobs/{cancelled}/cancel", headers=tenant.headers).status_code == 200
    queue(context, other_tenant, "testjobs.noop")

    everything = [cancelled, queued_items, str(succeeded), str(failed), queued_noop]
    assert listed(client, tenant) == everything
    assert listed(client, tenant, status="queued") == [queued_items, queued_noop]
    assert listed(client, tenant, status=["queued", "failed"]) == [
        queued_items,
        str(failed),
        queued_noop,
    ]
    assert listed(client, tenant, kind="testjobs.noop") == [cancelled, str(succeeded), queued_noop]
    assert listed(client, tenant, kind="testjobs.noop", status="succeeded") == [str(succeeded)]
    assert listed(client, tenant, status="dead") == []
    assert listed(client, tenant, kind="testjobs.unknown") == []

    page = client.get("/api/jobs", headers=tenant.headers).json()
    assert [(j["kind"], j["status"]) for j in page["items"]] == [
        ("testjobs.noop", "cancelled"),
        ("testjobs.process_items", "queued"),
        ("testjobs.noop", "succeeded"),
        ("testjobs.always_permanent", "failed"),
        ("testjobs.noop", "queued"),
    ]
    assert page["next_cursor"] is None

    invalid = client.get("/api/jobs", params={"status": "sleeping"}, headers=tenant.headers)
    assert invalid.status_code == 422


def test_list_pages_with_a_cursor_without_gaps_or_repeats(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    created = [str(queue(context, tenant, "testjobs.noop")) for _ in range(5)]
    pages: list[list[str]] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = client.get("/api/jobs", params=params, headers=tenant.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    newest_first = created[::-1]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]

    filtered = client.get(
        "/api/jobs", params={"limit": 2, "status": "queued"}, headers=tenant.headers
    ).json()
    second = listed(client, tenant, limit=2, status="queued", cursor=filtered["next_cursor"])
    assert second == newest_first[2:4]

    for cursor_value in ("not-a-cursor", "WyJ4Il0"):  # the second is a valid list: ["x"]
        bad = client.get("/api/jobs", params={"cursor": cursor_value}, headers=tenant.headers)
        assert bad.status_code == 422, bad.text


def test_read_a_job_with_progress_and_item_errors(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    job_id = queue(context, tenant, "testjobs.process_items", count=120, bad_items=[3, 77])
    queued = client.get(f"/api/jobs/{job_id}", headers=tenant.headers)
    assert queued.status_code == 200
    assert queued.json()["progress"] == {"done": 0, "total": None, "percent": None}
    assert (queued.json()["status"], queued.json()["item_errors"]) == ("queued", [])

    run_once(context, job_id)
    body = client.get(f"/api/jobs/{job_id}", headers=tenant.headers).json()
    assert body["progress"] == {"done": 120, "total": 120, "percent": 100.0}
    assert (body["status"], body["attempts"], body["max_attempts"]) == ("succeeded", 1, 5)
    assert (body["result"], body["error"], body["item_error_count"]) == (
        {"processed": 120},
        None,
        2,
    )
    assert body["started_at"] is not None and body["finished_at"] is not None
    errors = sorted(body["item_errors"], key=lambda error: error["item"])
    assert [{k: v for k, v in e.items() if k != "id"} for e in errors] == [
        {"item": "row 3", **ITEM_ERROR},
        {"item": "row 77", **ITEM_ERROR},
    ]


def test_item_errors_page_through_all_of_them_while_the_job_shows_the_first(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    bad_items = list(range(0, 100, 4))  # 25 errors, more than a job's detail shows
    job_id = queue(context, tenant, "testjobs.process_items", count=100, bad_items=bad_items)
    run_once(context, job_id)

    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        params = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        response = client.get(f"/api/jobs/{job_id}/errors", params=params, headers=tenant.headers)
        assert response.status_code == 200, response.text
        pages.append(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert [len(page) for page in pages] == [10, 10, 5]
    every = [error for page in pages for error in page]
    assert [e["id"] for e in every] == sorted(e["id"] for e in every)  # keyset order, no repeats
    assert sorted(int(e["item"].removeprefix("row ")) for e in every) == bad_items
    assert {(e["field"], e["message"]) for e in every} == {("price", "not a valid price")}

    detail = client.get(f"/api/jobs/{job_id}", headers=tenant.headers).json()
    assert detail["item_error_count"] == 25
    assert detail["item_errors"] == every[:DETAIL_ERRORS]

    bad = client.get(
        f"/api/jobs/{job_id}/errors", params={"cursor": "not-a-cursor"}, headers=tenant.headers
    )
    assert bad.status_code == 422


def test_cancelling_a_queued_job_means_it_never_runs(
    context: AppContext, client: TestClient, tenant: Tenant, request: pytest.FixtureRequest
) -> None:
    job_id = queue(context, tenant, "testjobs.process_items", count=100)
    response = client.post(f"/api/jobs/{job_id}/cancel", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["cancel_requested"], body["error"]) == (
        "cancelled",
        True,
        "cancelled by request",
    )
    assert body["finished_at"] is not None

    run_once(context, job_id)  # a message already on its way is dropped
    request.getfixturevalue("job_system")  # and a running relay and workers never pick it up
    marker = queue(context, tenant, "testjobs.noop")
    wait_for(lambda: status_of(context, marker) == JobStatus.SUCCEEDED)
    job = load_job(context, job_id)
    assert (job.status, job.attempts, job.started_at) == (JobStatus.CANCELLED, 0, None)
    assert effects_of(context, job_id) == []

    again = client.post(f"/api/jobs/{job_id}/cancel", headers=tenant.headers)
    assert again.status_code == 409


def test_cancelling_a_running_job_stops_it_at_a_batch_boundary(
    context: AppContext, client: TestClient, tenant: Tenant, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue("job_system")
    job_id = queue(context, tenant, "testjobs.process_items", count=1000, pause_per_batch=0.2)
    wait_for(lambda: load_job(context, job_id).progress_done > 0)

    response = client.post(f"/api/jobs/{job_id}/cancel", headers=tenant.headers)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["cancel_requested"]) == ("running", True)
    wait_for(lambda: status_of(context, job_id) == JobStatus.CANCELLED)

    job = load_job(context, job_id)
    done = job.progress_done
    assert 0 < done < 1000 and done % 50 == 0
    assert effects_of(context, job_id) == list(range(done))  # the batch in flight rolled back
    assert (job.attempts, job.error) == (1, "cancelled by request")
    body = client.get(f"/api/jobs/{job_id}", headers=tenant.headers).json()
    assert body["status"] == "cancelled"
    assert body["progress"] == {"done": done, "total": 1000, "percent": done / 10}


def test_cancelling_a_finished_job_is_a_conflict_and_changes_nothing(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    job_id = queue(context, tenant, "testjobs.noop")
    run_once(context, job_id)
    before = snapshot(context, job_id)

    response = client.post(f"/api/jobs/{job_id}/cancel", headers=tenant.headers)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "The job has already ended (succeeded)."
    assert snapshot(context, job_id) == before
    assert before[:4] == (JobStatus.SUCCEEDED, 1, False, None)


def test_retrying_a_dead_job_queues_it_and_it_then_succeeds(
    context: AppContext, client: TestClient, tenant: Tenant, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue("job_system")
    job_id = queue(
        context, tenant, "testjobs.process_items", count=100, fail_first_runs=2, max_attempts=2
    )
    wait_for(lambda: status_of(context, job_id) == JobStatus.DEAD)
    dead = load_job(context, job_id)
    assert dead.attempts == 2
    assert dead.error == "TransientJobError: vendor outage (run 2 of 2 failing runs)"
    assert listed(client, tenant, status="dead") == [str(job_id)]
    assert effects_of(context, job_id) == []

    response = client.post(f"/api/jobs/{job_id}/retry", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["attempts"], body["error"], body["finished_at"]) == (
        "queued",
        0,
        None,
        None,
    )
    wait_for(lambda: status_of(context, job_id) == JobStatus.SUCCEEDED)
    job = load_job(context, job_id)
    assert (job.attempts, job.result, job.error) == (1, {"processed": 100}, None)
    assert effects_of(context, job_id) == list(range(100))
    assert listed(client, tenant, status="dead") == []

    finished = client.post(f"/api/jobs/{job_id}/retry", headers=tenant.headers)
    assert finished.status_code == 409
    assert finished.json()["detail"] == (
        "Only failed, dead or cancelled jobs can be retried, not succeeded."
    )


def test_retrying_a_queued_job_is_a_conflict(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    job_id = queue(context, tenant, "testjobs.noop")
    before = snapshot(context, job_id)
    response = client.post(f"/api/jobs/{job_id}/retry", headers=tenant.headers)
    assert response.status_code == 409
    assert snapshot(context, job_id) == before


def test_a_viewer_reads_jobs_but_cannot_cancel_or_retry_them(
    context: AppContext, client: TestClient
) -> None:
    viewer = create_tenant(context, client, Role.VIEWER)
    queued = queue(context, viewer, "testjobs.noop")
    failed = queue(context, viewer, "testjobs.always_permanent")
    run_once(context, failed)
    before = {job_id: snapshot(context, job_id) for job_id in (queued, failed)}

    assert listed(client, viewer) == [str(failed), str(queued)]
    assert client.get(f"/api/jobs/{queued}", headers=viewer.headers).status_code == 200
    cancel = client.post(f"/api/jobs/{queued}/cancel", headers=viewer.headers)
    retry = client.post(f"/api/jobs/{failed}/retry", headers=viewer.headers)
    assert (cancel.status_code, retry.status_code) == (403, 403)
    assert {job_id: snapshot(context, job_id) for job_id in (queued, failed)} == before
    assert before[queued][:3] == (JobStatus.QUEUED, 0, False)
    assert before[failed][:3] == (JobStatus.FAILED, 1, False)


def test_another_organization_finds_no_such_job(
    context: AppContext, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    queued = queue(context, tenant, "testjobs.process_items", count=10, bad_items=[1])
    failed = queue(context, tenant, "testjobs.always_permanent")
    run_once(context, failed)
    before = {job_id: snapshot(context, job_id) for job_id in (queued, failed)}

    outsider = other_tenant.headers
    requests = [
        ("GET", f"/api/jobs/{queued}"),
        ("GET", f"/api/jobs/{queued}/errors"),
        ("GET", f"/api/jobs/{queued}/progress"),
        ("POST", f"/api/jobs/{queued}/cancel"),
        ("POST", f"/api/jobs/{failed}/retry"),
    ]
    statuses = [
        client.request(method, url, headers=outsider).status_code for method, url in requests
    ]
    assert statuses == [404] * len(requests)
    assert listed(client, other_tenant) == []
    assert {job_id: snapshot(context, job_id) for job_id in (queued, failed)} == before


def server_sent_events(lines: Iterator[str]) -> Iterator[tuple[str, str | None, Any]]:
    """(event, id, data as JSON) for each event of an SSE stream; comments are skipped."""
    event, event_id, data = "message", None, []
    for line in lines:
        if not line:
            if data:
                yield event, event_id, json.loads("\n".join(data))
            event, event_id, data = "message", None, []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            event = value
        elif field == "id":
            event_id = value
        elif field == "data":
            data.append(value)


def test_the_progress_stream_reports_growing_progress_then_ends(
    context: AppContext, client: TestClient, tenant: Tenant, request: pytest.FixtureRequest
) -> None:
    job_id = queue(context, tenant, "testjobs.process_items", count=500, pause_per_batch=0.1)
    url = f"/api/jobs/{job_id}/progress"
    with client.stream("GET", url, headers=tenant.headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = server_sent_events(response.iter_lines())
        first = next(events)
        request.getfixturevalue("job_system")  # the job starts once the stream is open
        received = [first, *events]

    names = [name for name, _, _ in received]
    assert names == ["progress"] * (len(received) - 1) + ["end"]
    progress = [data for name, _, data in received if name == "progress"]
    dones = [data["progress"]["done"] for data in progress]
    assert dones == sorted(dones)
    assert [event_id for name, event_id, _ in received if name == "progress"] == [
        str(done) for done in dones
    ]
    assert (progress[0]["status"], progress[0]["progress"]) == (
        "queued",
        {"done": 0, "total": None, "percent": None},
    )
    assert (progress[-1]["status"], progress[-1]["progress"]) == (
        "succeeded",
        {"done": 500, "total": 500, "percent": 100.0},
    )
    end = received[-1][2]
    assert end == progress[-1]
    assert end["id"] == str(job_id)


def lock_waiters(context: AppContext) -> int:
    """Transactions of this test database waiting for a row lock (PostgreSQL)."""
    with context.database.unit_of_work(write=False) as session:
        statement = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(session.scalar(statement) or 0)


def test_cancelling_a_job_a_worker_is_claiming_waits_and_asks_the_running_job_to_stop(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    """The claim and the cancel race for the same queued row: the cancel must see the claim's
    outcome, not overwrite a running job with `cancelled` while its worker goes on."""
    job_id = queue(context, tenant, "testjobs.noop")
    worker = context.database.new_session()
    try:
        assert JobQueue(worker).claim(job_id, "drill-worker", utcnow()) is not None
        responses: list[Any] = []
        thread = threading.Thread(
            target=lambda: responses.append(
                client.post(f"/api/jobs/{job_id}/cancel", headers=tenant.headers)
            )
        )
        thread.start()
        if not context.database.is_sqlite:  # SQLite: the cancel waits at BEGIN IMMEDIATE
            wait_for(lambda: lock_waiters(context) > 0, timeout=10)
        worker.commit()  # the claim wins the row
        thread.join(timeout=30)
    finally:
        worker.close()
    assert not thread.is_alive()
    assert responses[0].status_code == 200, responses[0].text
    assert (responses[0].json()["status"], responses[0].json()["cancel_requested"]) == (
        "running",
        True,
    )
    job = load_job(context, job_id)
    assert (job.status, job.cancel_requested, job.attempts) == (JobStatus.RUNNING, True, 1)


def test_a_running_job_cancelled_before_a_transient_error_is_not_tried_again(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    job_id = queue(context, tenant, "testjobs.always_transient", pause=2.0)
    attempt = threading.Thread(target=run_once, args=(context, job_id))
    attempt.start()
    try:
        wait_for(lambda: status_of(context, job_id) == JobStatus.RUNNING)
        response = client.post(f"/api/jobs/{job_id}/cancel", headers=tenant.headers)
    finally:
        attempt.join(timeout=30)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["cancel_requested"]) == ("running", True)
    job = load_job(context, job_id)
    assert (job.status, job.attempts, job.error) == (
        JobStatus.CANCELLED,
        1,
        "cancelled by request",
    )
    assert job.finished_at is not None
