"""API throughput: the product list (50 items) against a bare primary-key lookup, same run.

Run from the project root (needs PostgreSQL as for the tests, `SHELFWISE_TEST_POSTGRES_URL`):

    .venv/bin/python bench/api.py [--products 40000] [--connections 8] [--seconds 6] [--rounds 5]

What it does, in about two minutes:
1. creates a fresh PostgreSQL database (tests/databases.py), migrated, that the server reaches as
   the non-owner role shelfwise_app, so row-level security is in force as in production;
2. seeds one organization with --products products (bulk insert as the owner) and its owner user;
3. starts bench/api_server.py in a subprocess: create_app() with production defaults (one uvicorn
   worker, JSON request log at INFO to a file) plus GET /bench/baseline/{id}, which runs one
   `SELECT … FROM products WHERE id = :id` in a tenant unit of work and returns the row as JSON,
   with no authentication;
4. logs in through POST /api/auth/login, then drives both routes from this process with httpx
   (asyncio, --connections keep-alive connections): a warm-up, then --rounds pairs of
   fixed-length rounds alternating baseline and list so drift hits both alike.

It measures requests/s and p99 latency of `GET /api/products` (authenticated, default page of 50,
sorted by -updated_at) and of the baseline, each the median over rounds, and `ratio`, the median
over round pairs of list requests/s / baseline requests/s. Target: ratio >= 0.6. Both routes go
through the same middleware (request id, metrics, access log). The machine is shared and has two
cores (one for the server, one for PostgreSQL and this load generator), so absolute figures move
between runs; the ratio is the figure to read. The last line printed is one JSON object.

Measured on the 2-core box (median ratio of runs): before the list-path optimisations 0.44
(list 170 req/s, baseline 385 req/s); after them 0.6x — see the report in the commit.
"""

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import httpx
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests` and `bench` are packages of the project root

from tests.databases import postgres_settings  # noqa: E402

from shelfwise.catalog.models import Product  # noqa: E402
from shelfwise.platform.context import AppContext  # noqa: E402
from shelfwise.platform.ids import new_id  # noqa: E402
from shelfwise.platform.settings import Settings  # noqa: E402

TARGET = 0.6
EMAIL = "bench@example.com"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway database
LIST_PATH = "/api/products"
BASELINE_IDS = 2000  # distinct products the baseline cycles through
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)", re.IGNORECASE)

BRANDS = ["Bosch", "Makita", "DeWalt", "Ryobi", "Einhell", "Milwaukee", "Metabo", "Festool"]
CATEGORIES = ["Cordless Drill", "Angle Grinder", "Circular Saw", "Jigsaw", "Random Orbit Sander"]


def _ean13(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(12)]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _product_row(rng: random.Random, organization_id: uuid.UUID, index: int) -> dict[str, Any]:
    brand, category = rng.choice(BRANDS), rng.choice(CATEGORIES)
    volts, batteries = rng.choice([12, 18, 36]), rng.randint(0, 3)
    model = f"{rng.choice(string.ascii_uppercase)}{rng.randint(100, 999)}"
    source_id = f"SRC-{index:06d}"
    now = datetime.now(UTC)
    created = now - timedelta(seconds=rng.randint(0, 365 * 86400))
    updated = created + (now - created) * rng.random()
    return {
        "id": new_id(),
        "organization_id": organization_id,
        "source_platform": rng.choice(["amazon", "ebay", "kaufland", "manual"]),
        "source_id": source_id,
        "title": f"{brand} {model} {volts}V {category} with {batteries} Batteries and Case",
        "brand": brand,
        "gtin": _ean13(rng),
        "asin": "B0" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8)),
        "category": f"Power Tools > {category}",
        "description": (
            f"The {brand} {model} {category.lower()} runs on the {volts}V battery platform. "
            "Brushless motor, two-speed gearbox, LED work light and a belt clip. "
            f"Supplied with {batteries} batteries, a fast charger and a carry case. "
            "Ideal for drilling into wood, metal and masonry around the home and on site."
        ),
        "images": [f"https://images.example.com/{source_id}/{n}.jpg" for n in range(3)],
        "attributes": {
            "voltage": f"{volts} V",
            "weight": f"{rng.uniform(0.8, 3.5):.1f} kg",
            "colour": rng.choice(["blue", "teal", "yellow", "green", "red"]),
            "battery_count": batteries,
            "warranty_years": rng.choice([1, 2, 3]),
        },
        "cost_amount": Decimal(rng.randint(1500, 40000)) / 100,
        "cost_currency": "GBP",
        "source_updated_at": updated,
        "created_at": created,
        "updated_at": updated,
    }


def seed(settings: Settings, products: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """One organization, its owner, `products` products; returns (organization, some ids)."""
    context = AppContext.build(settings)
    try:
        with context.database.unit_of_work() as session:
            owner = context.accounts.create_user(session, EMAIL, PASSWORD)
            organization_id = context.accounts.create_organization(session, "Bench", owner).id
    finally:
        context.database.dispose()
    rng = random.Random(20240601)  # the same catalog every run
    rows = [_product_row(rng, organization_id, index) for index in range(products)]
    assert settings.migration_database_url is not None
    owner_engine = create_engine(settings.migration_database_url)
    try:
        with owner_engine.begin() as connection:
            for start in range(0, len(rows), 5000):
                connection.execute(insert(Product), rows[start : start + 5000])
        with owner_engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE products")
            )
    finally:
        owner_engine.dispose()
    return organization_id, [row["id"] for row in rng.sample(rows, min(BASELINE_IDS, products))]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(
    settings: Settings, organization_id: uuid.UUID, log_path: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """bench/api_server.py on a free port, once /health answers; returns (process, base URL)."""
    port = _free_port()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SHELFWISE_")
    } | {
        "SHELFWISE_DATA_DIR": str(settings.data_dir),
        "SHELFWISE_DATABASE_URL": str(settings.database_url),
        "SHELFWISE_DEMO": "false",
        "BENCH_ORGANIZATION_ID": str(organization_id),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.api_server", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return process, base_url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"server did not start:\n{log_path.read_text()[-3000:]}")


@dataclass
class Round:
    route: str
    requests: int
    seconds: float
    latencies: list[float]
    client_cpu: float  # share of one core this process used during the round

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000


class Get(Protocol):
    async def __call__(self, path: str) -> tuple[int, bytes]: ...


class RawConnection:
    """One keep-alive HTTP/1.1 connection that sends GETs and reads Content-Length bodies.

    The load generator shares two cores with the server and PostgreSQL; httpx spends about as
    much CPU per request as the server's baseline route, which would cap the baseline and flatter
    the ratio. This costs a tenth of that. --client httpx drives the same load through httpx.
    """

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.head += f"Host: {host}:{port}\r\n\r\n"
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def __call__(self, path: str) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(f"GET {path} HTTP/1.1\r\n{self.head}".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = CONTENT_LENGTH.search(head)
        if length is None:
            raise SystemExit(f"{path}: response without Content-Length: {head!r}")
        return status, await reader.readexactly(int(length.group(1)))

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()


async def drive(getters: list[Get], route: str, paths: list[str], seconds: float) -> Round:
    """One worker per connection requesting `paths` in turn, back to back, for `seconds`."""
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.perf_counter() + seconds

    async def worker(get: Get, offset: int) -> None:
        index = offset
        while time.perf_counter() < deadline:
            path = paths[index % len(paths)]
            index += len(getters)
            started = time.perf_counter()
            status, body = await get(path)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                failures.append(f"{path}: {status} {body[:200]!r}")

    cpu_started, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(get, offset) for offset, get in enumerate(getters)))
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} failed requests, first: {failures[0]}")
    cpu = (time.process_time() - cpu_started) / elapsed
    return Round(route, len(latencies), elapsed, latencies, cpu)


async def measure(
    base_url: str, token: str, product_ids: list[uuid.UUID], arguments: argparse.Namespace
) -> list[tuple[Round, Round]]:
    """Warm-up, then (baseline, list) round pairs."""
    baseline_paths = [f"/bench/baseline/{product_id}" for product_id in product_ids]
    list_paths = [LIST_PATH]
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(
        max_connections=arguments.connections, max_keepalive_connections=arguments.connections
    )
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=30
    ) as client:
        page = (await client.get(LIST_PATH)).json()
        assert len(page["items"]) == 50 and page["next_cursor"], "the list is not a full page"

        async def httpx_get(path: str) -> tuple[int, bytes]:
            response = await client.get(path)
            return response.status_code, response.content

        host, port = base_url.removeprefix("http://").split(":")
        raw = [RawConnection(host, int(port), headers) for _ in range(arguments.connections)]
        getters: list[Get] = (
            list(raw) if arguments.client == "raw" else [httpx_get] * arguments.connections
        )
        try:
            for route, paths in (("baseline", baseline_paths), ("list", list_paths)):
                await drive(getters, route, paths, arguments.warmup)
            pairs = []
            for number in range(1, arguments.rounds + 1):
                baseline = await drive(getters, "baseline", baseline_paths, arguments.seconds)
                listed = await drive(getters, "list", list_paths, arguments.seconds)
                pairs.append((baseline, listed))
                print(
                    f"round {number}: baseline {baseline.rps:6.1f} req/s"
                    f" p99 {baseline.p99_ms:6.1f} ms | list {listed.rps:6.1f} req/s"
                    f" p99 {listed.p99_ms:6.1f} ms | ratio {listed.rps / baseline.rps:.3f}"
                    f" | client cpu {baseline.client_cpu:.0%} {listed.client_cpu:.0%}",
                    flush=True,
                )
        finally:
            for connection in raw:
                connection.close()
        return pairs


def login(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/api/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=40_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5, help="(baseline, list) round pairs")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per route")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    arguments = parser.parse_args()

    began = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="shelfwise-bench-") as directory,
        postgres_settings(Path(directory)) as settings,
    ):
        organization_id, product_ids = seed(settings, arguments.products)
        print(f"seeded {arguments.products} products in {time.monotonic() - began:.1f} s")
        log_path = Path(directory) / "server.log"
        process, base_url = start_server(settings, organization_id, log_path)
        try:
            pairs = asyncio.run(measure(base_url, login(base_url), product_ids, arguments))
        finally:
            process.terminate()
            process.wait(timeout=30)

    baseline_rps = statistics.median(pair[0].rps for pair in pairs)
    list_rps = statistics.median(pair[1].rps for pair in pairs)
    ratio = statistics.median(pair[1].rps / pair[0].rps for pair in pairs)
    result = {
        "bench": "api",
        "list_rps": round(list_rps, 1),
        "baseline_rps": round(baseline_rps, 1),
        "ratio": round(ratio, 3),
        "list_p99_ms": round(statistics.median(pair[1].p99_ms for pair in pairs), 1),
        "baseline_p99_ms": round(statistics.median(pair[0].p99_ms for pair in pairs), 1),
        "target": TARGET,
        "meets_target": ratio >= TARGET,
        "products": arguments.products,
        "connections": arguments.connections,
        "client": arguments.client,
        "rounds": arguments.rounds,
        "seconds": round(time.monotonic() - began, 1),
    }
    print(
        f"list {list_rps:.1f} req/s vs baseline {baseline_rps:.1f} req/s: ratio {ratio:.3f}"
        f" (target >= {TARGET})"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
