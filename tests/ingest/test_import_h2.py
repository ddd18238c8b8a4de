"""H2 through the import jobs: two worker processes importing overlapping 10,000-row CSV files
at the same time end with one product per key holding the newest source timestamp (and the title
of the file that had it), and the two imports' counts add up exactly."""

import random
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shelfwise.catalog.repository import ProductRepository
from shelfwise.jobs.models import Job
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from tests.catalog.test_bulk_h2 import OVERLAP, ROWS_PER_FILE, import_files, worker_environment
from tests.factories import Tenant

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PROCESS_TIMEOUT = 180.0
WORKER = (sys.executable, "-m", "tests.ingest.import_worker")


def csv_of(rows: dict[str, tuple[str, datetime]], seed: int) -> bytes:
    lines = [(key, title, at.isoformat()) for key, (title, at) in rows.items()]
    random.Random(seed).shuffle(lines)  # every batch holds keys from all over the file
    body = "".join(f"{key},{title},{at}\r\n" for key, title, at in lines)
    return ("id,title,updated at\r\n" + body).encode()


def queue_import(client: TestClient, tenant: Tenant, content: bytes) -> dict[str, str]:
    response = client.post(
        "/api/import/file",
        headers=tenant.headers,
        files={"file": ("h2.csv", content, "text/csv")},
        data={"source_platform": "csv"},
    )
    assert response.status_code == 202, response.text
    run: dict[str, str] = response.json()
    return run


def run_jobs_together(settings: Settings, job_ids: list[str], tmp_path: Path) -> None:
    start = tmp_path / "start"
    processes = [
        subprocess.Popen(
            [*WORKER, job_id, str(tmp_path / f"ready-{n}"), str(start)],
            cwd=ROOT,
            env=worker_environment(settings),
            stderr=subprocess.PIPE,
        )
        for n, job_id in enumerate(job_ids)
    ]
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while not all((tmp_path / f"ready-{n}").exists() for n in range(len(job_ids))):
            assert all(p.poll() is None for p in processes), "a worker exited before start"
            assert time.monotonic() < deadline, "workers not ready in time"
            time.sleep(0.02)
        start.touch()
        for process in processes:
            _, err = process.communicate(timeout=PROCESS_TIMEOUT)
            assert process.returncode == 0, err.decode(errors="replace")[-3000:]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=PROCESS_TIMEOUT)


@pytest.mark.timeout(400)
def test_h2_two_workers_importing_overlapping_files_keep_the_newest_row_per_key(
    client: TestClient, context: AppContext, settings: Settings, tenant: Tenant, tmp_path: Path
) -> None:
    first, second = import_files(seed=7)
    runs = [
        queue_import(client, tenant, csv_of(rows, seed))
        for seed, rows in enumerate((first, second))
    ]

    run_jobs_together(settings, [run["job_id"] for run in runs], tmp_path)

    counts = []
    for run in runs:
        found = client.get(f"/api/import/job/{run['id']}", headers=tenant.headers).json()
        assert found["status"] == "succeeded", found
        counts.append(found["counts"])
    assert [count["rows_read"] for count in counts] == [ROWS_PER_FILE, ROWS_PER_FILE]
    assert sum(count["created"] for count in counts) == ROWS_PER_FILE * 2 - OVERLAP
    assert sum(count["updated"] + count["stale"] for count in counts) == OVERLAP
    assert sum(count["unchanged"] + count["rejected"] for count in counts) == 0

    expected = first | second
    for key in first.keys() & second.keys():
        expected[key] = max(first[key], second[key], key=lambda value: value[1])
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        repository = ProductRepository(session, tenant.organization_id)
        assert repository.count() == ROWS_PER_FILE * 2 - OVERLAP  # one row per key
        found = {
            product.source_id: (product.title, product.source_updated_at)
            for product in session.scalars(repository.select())
        }
        jobs = [session.get(Job, uuid.UUID(run["job_id"])) for run in runs]
    assert found == expected
    # Progress counts rows, or the file's bytes where it is written in one pass (PostgreSQL).
    streamed = context.database.engine.dialect.name == "postgresql"
    assert [job.progress_done if job else None for job in jobs] == [
        job.progress_total if streamed and job else ROWS_PER_FILE for job in jobs
    ]
