"""H2: two importer processes upserting overlapping 10,000-row files at the same time end with
one row per key holding the newest source timestamp (and that input's title).

The processes (`python -m tests.catalog.bulk_worker`) run on the session's database, SQLite or
PostgreSQL as the application role; each upserts its shuffled file in batches of 1,000, one
transaction per batch, so batches of both processes overlap on keys while they run.
"""

import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shelfwise.catalog.repository import ProductRepository
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from tests.factories import Tenant

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ROWS_PER_FILE = 10_000
OVERLAP = 5_000
PROCESS_TIMEOUT = 120.0
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def import_files(seed: int) -> tuple[dict[str, tuple[str, datetime]], ...]:
    """Two inputs, source id -> (title, source timestamp), sharing OVERLAP keys with different
    random timestamps."""
    generator = random.Random(seed)
    first: dict[str, tuple[str, datetime]] = {}
    second: dict[str, tuple[str, datetime]] = {}
    for number in range(ROWS_PER_FILE * 2 - OVERLAP):
        key = f"H2-{number:05d}"
        moments = generator.sample(range(10**9), 2)  # distinct: one input is strictly newer
        stamps = [T0 + timedelta(microseconds=moment) for moment in moments]
        if number < ROWS_PER_FILE:
            first[key] = (f"first {key}", stamps[0])
        if number >= ROWS_PER_FILE - OVERLAP:
            second[key] = (f"second {key}", stamps[1])
    return first, second


def write_rows(path: Path, rows: dict[str, tuple[str, datetime]]) -> Path:
    path.write_text(json.dumps([[key, title, at.isoformat()] for key, (title, at) in rows.items()]))
    return path


def worker_environment(settings: Settings) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHELFWISE_")}
    return inherited | {
        "SHELFWISE_DATA_DIR": str(settings.data_dir),
        "SHELFWISE_DATABASE_URL": settings.resolved_database_url,
        "SHELFWISE_LOG_JSON": "false",
        "SHELFWISE_LOG_LEVEL": "WARNING",
    }


def run_together(
    settings: Settings, tenant: Tenant, inputs: list[Path], tmp_path: Path
) -> list[dict[str, int]]:
    """Start one importer per input, release them at once, and return their counts."""
    start = tmp_path / "start"
    processes = []
    for number, rows in enumerate(inputs):
        command = [sys.executable, "-m", "tests.catalog.bulk_worker"]
        arguments = [str(tenant.organization_id), str(rows), str(tmp_path / f"ready-{number}")]
        processes.append(
            subprocess.Popen(
                [*command, *arguments, str(start)],
                cwd=ROOT,
                env=worker_environment(settings),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while not all((tmp_path / f"ready-{n}").exists() for n in range(len(inputs))):
            assert all(p.poll() is None for p in processes), "an importer exited before start"
            assert time.monotonic() < deadline, "importers not ready in time"
            time.sleep(0.02)
        start.touch()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=PROCESS_TIMEOUT)
            assert process.returncode == 0, err.decode(errors="replace")[-3000:]
            results.append(json.loads(out))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=PROCESS_TIMEOUT)


@pytest.mark.timeout(300)
def test_h2_concurrent_imports_of_overlapping_files_keep_the_newest_row_per_key(
    context: AppContext, settings: Settings, tenant: Tenant, tmp_path: Path
) -> None:
    first, second = import_files(seed=2)
    inputs = [
        write_rows(tmp_path / f"{name}.json", rows)
        for name, rows in (("first", first), ("second", second))
    ]

    results = run_together(settings, tenant, inputs, tmp_path)

    # Every key was created exactly once; each shared key was then either refreshed (the later
    # writer was newer) or refused as stale, whatever the interleaving.
    assert sum(result["created"] for result in results) == ROWS_PER_FILE * 2 - OVERLAP
    assert sum(result["updated"] + result["stale"] for result in results) == OVERLAP
    assert sum(result["unchanged"] for result in results) == 0

    expected = first | second
    for key in first.keys() & second.keys():
        expected[key] = max(first[key], second[key], key=lambda value: value[1])
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        repository = ProductRepository(session, tenant.organization_id)
        row_count = repository.count()
        found = {
            product.source_id: (product.title, product.source_updated_at)
            for product in session.scalars(repository.select())
        }
    assert row_count == ROWS_PER_FILE * 2 - OVERLAP  # one row per key
    assert found == expected
