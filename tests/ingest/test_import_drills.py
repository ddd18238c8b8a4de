"""Import fault drills: a worker dying mid-import resumes with exact counts, files over the
upload cap get 413 with nothing stored, large files within it stream through in batches."""

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.ingest import pipeline
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.platform.context import AppContext
from tests.apps import client_with
from tests.factories import Tenant


def csv_rows(count: int, *, start: int = 0) -> bytes:
    lines = ["id,title,brand"] + [f"K-{n},Product {n},Brand {n % 7}" for n in range(start, count)]
    return ("\r\n".join(lines) + "\r\n").encode()


def post_file(client: TestClient, tenant: Tenant, content: bytes) -> Any:
    return client.post(
        "/api/import/file",
        headers=tenant.headers,
        files={"file": ("big.csv", content, "text/csv")},
    )


def job_of(context: AppContext, job_id: str) -> Job:
    with context.database.unit_of_work(write=False) as session:
        job = session.get(Job, uuid.UUID(job_id))
        assert job is not None
        return job


def product_count(client: TestClient, tenant: Tenant) -> int:
    summary = client.get("/api/products/stats/summary", headers=tenant.headers).json()
    count: int = summary["products"]
    return count


class WorkerDied(BaseException):
    """Like a kill -9 between two batches: no handler runs, the job stays 'running'."""


def test_an_import_killed_between_batches_resumes_with_exact_counts(
    client: TestClient,
    context: AppContext,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 100)
    run = post_file(client, tenant, csv_rows(450)).json()
    real_write = pipeline._write_batch
    calls = 0

    def dying_write(*args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise WorkerDied
        real_write(*args)

    monkeypatch.setattr(pipeline, "_write_batch", dying_write)
    with pytest.raises(WorkerDied):
        JobRunner(context.database, context.settings).execute(run["job_id"])
    halfway = client.get(f"/api/import/job/{run['id']}", headers=tenant.headers).json()
    assert halfway["counts"]["created"] == 200
    assert halfway["progress"]["done"] == 200
    assert product_count(client, tenant) == 200

    monkeypatch.setattr(pipeline, "_write_batch", real_write)
    with context.database.unit_of_work() as session:  # the lease ran out: hand it back
        job = session.get(Job, uuid.UUID(run["job_id"]))
        assert job is not None
        job.status = JobStatus.QUEUED
    JobRunner(context.database, context.settings).execute(run["job_id"])

    done = client.get(f"/api/import/job/{run['id']}", headers=tenant.headers).json()
    assert done["status"] == "succeeded"
    assert (done["counts"]["created"], done["counts"]["rows_read"]) == (450, 450)
    assert done["counts"]["updated"] + done["counts"]["unchanged"] == 0
    assert product_count(client, tenant) == 450


def test_a_file_over_the_upload_cap_gets_413_and_nothing_is_stored(
    context: AppContext, tenant: Tenant
) -> None:
    content = csv_rows(3000)
    with client_with(context, max_upload_bytes=len(content) - 1) as small:
        response = post_file(small, tenant, content)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert small.get("/api/import/jobs", headers=tenant.headers).json()["items"] == []
        # Other bodies keep their own cap; a file under the upload cap passes.
        assert post_file(small, tenant, csv_rows(10)).status_code == 202


def test_a_large_file_within_the_cap_streams_through_in_batches(
    client: TestClient,
    context: AppContext,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 1000)
    content = csv_rows(12_000)  # larger than the 1 MiB storage chunk? no: many batches
    run = post_file(client, tenant, content).json()
    JobRunner(context.database, context.settings).execute(run["job_id"])
    done = client.get(f"/api/import/job/{run['id']}", headers=tenant.headers).json()
    assert done["status"] == "succeeded"
    assert done["counts"]["rows_total"] == 12_000
    assert done["counts"]["created"] == 12_000
    assert product_count(client, tenant) == 12_000
