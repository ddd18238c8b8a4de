"""Dashboard catalog page: server time of 50 rows out of 40,000 listings, against a bare
primary-key lookup route in the same run.

Run from the project root (PostgreSQL as for the tests; `SHELFWISE_TEST_POSTGRES_URL`):

    .venv/bin/python bench/pages.py [--listings 40000] [--requests 400] [--warmup 50]

It reuses bench/api.py: a fresh migrated database reached as the non-owner role (row-level
security in force), one organization with --listings products, then one marketplace account and
a listing per product written by PostgreSQL, and bench/api_server.py (the production app plus
GET /bench/baseline/{id}) in a subprocess on 127.0.0.1. It signs in through the dashboard's own
POST /login form, then alternates GET /dashboard/catalog (the first page: 50 rows, newest
first, rendered by Jinja2) with a baseline request, one at a time over one keep-alive
connection. The figures are server time: each request's `duration_ms` from the server's own
request log (RequestMiddleware, from the first byte in to the last byte out). The client's
round-trip times are printed beside them. Target: catalog p99 < 50 ms. The last line printed
is one JSON object.
"""

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.databases import postgres_settings  # noqa: E402

from bench.api import EMAIL, PASSWORD, seed, start_server  # noqa: E402
from shelfwise.platform.settings import Settings  # noqa: E402

TARGET_P99_MS = 50.0
ROWS_ON_PAGE = 50

SEED_LISTINGS = """
WITH account AS (
    INSERT INTO marketplace_accounts (id, organization_id, name, platform, marketplace,
        seller_id, is_active, connection_status, created_at, updated_at)
    VALUES (gen_random_uuid(), %(organization_id)s, 'Bench store', 'amazon', 'amazon.co.uk',
        'ABENCH', true, 'unverified', now(), now())
    RETURNING id
)
INSERT INTO listings (id, organization_id, product_id, marketplace_account_id, marketplace, sku,
    asin, title, bullets, description, images, attributes, price_amount, price_currency,
    quantity, status, quality_score, content_version, created_at, updated_at)
SELECT gen_random_uuid(), p.organization_id, p.id, account.id, 'amazon.co.uk',
       'SKU-' || p.source_id, p.asin, p.title, '[]'::jsonb, p.description, p.images,
       p.attributes, round(p.cost_amount * 1.6, 2), 'GBP', 5 + (abs(hashtext(p.source_id)) %% 50),
       (ARRAY['imported', 'optimized', 'published', 'failed'])[1 + abs(hashtext(p.id::text)) %% 4],
       abs(hashtext(p.title)) %% 101, 1, p.created_at, p.updated_at
FROM products AS p, account
"""


def p99_ms(milliseconds: list[float]) -> float:
    """The 99th percentile (nearest rank) of times already in milliseconds."""
    ordered = sorted(milliseconds)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def seed_listings(settings: Settings, organization_id: uuid.UUID) -> int:
    assert settings.migration_database_url is not None
    owner_url = make_url(settings.migration_database_url).set(drivername="postgresql")
    # As the tables' owner, like bench/api.py's products: row-level security does not apply.
    with psycopg.connect(owner_url.render_as_string(hide_password=False)) as connection:
        connection.execute(SEED_LISTINGS, {"organization_id": organization_id})
        count = connection.execute("SELECT count(*) FROM listings").fetchone()
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE listings")
        connection.execute("VACUUM ANALYZE marketplace_accounts")
    return int(count[0]) if count else 0


def timed(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    began = time.perf_counter()
    response = client.get(path)
    return (time.perf_counter() - began) * 1000, response


def server_times(log_path: Path, warmup: int) -> dict[str, list[float]]:
    """duration_ms of each timed request, by route, from the server's JSON request log."""
    times: dict[str, list[float]] = {"/dashboard/catalog": [], "/bench/baseline/{product_id}": []}
    for line in log_path.read_text().splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("event") == "http.request" and record.get("route") in times:
            times[record["route"]].append(float(record["duration_ms"]))
    # The first catalog page was the check before the loop; then `warmup` of each, untimed.
    times["/dashboard/catalog"] = times["/dashboard/catalog"][1 + warmup :]
    times["/bench/baseline/{product_id}"] = times["/bench/baseline/{product_id}"][warmup:]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--listings", type=int, default=40_000)
    parser.add_argument("--requests", type=int, default=400, help="of each route, timed")
    parser.add_argument("--warmup", type=int, default=50, help="of each route, not timed")
    arguments = parser.parse_args()

    began = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="shelfwise-bench-") as directory,
        postgres_settings(Path(directory)) as settings,
    ):
        organization_id, product_ids = seed(settings, arguments.listings)
        listings = seed_listings(settings, organization_id)
        print(f"seeded {listings} listings in {time.monotonic() - began:.1f} s")
        log_path = Path(directory) / "server.log"
        process, base_url = start_server(settings, organization_id, log_path)
        try:
            with httpx.Client(base_url=base_url, timeout=30) as client:
                form = client.get("/login").text
                token = form.split('name="login_token" value="', 1)[1].split('"', 1)[0]
                credentials = {"email": EMAIL, "password": PASSWORD, "login_token": token}
                signed_in = client.post("/login", data=credentials)
                if signed_in.status_code != 303 or "sw_access" not in client.cookies:
                    raise SystemExit(f"login answered {signed_in.status_code}")
                page = client.get("/dashboard/catalog")
                rows = page.text.count('name="listing_ids"')
                if page.status_code != 200 or rows != ROWS_ON_PAGE:
                    raise SystemExit(f"catalog page: {page.status_code}, {rows} rows")
                catalog, baseline = [], []
                for index in range(arguments.warmup + arguments.requests):
                    product_id = product_ids[index % len(product_ids)]
                    base_ms, _ = timed(client, f"/bench/baseline/{product_id}")
                    page_ms, response = timed(client, "/dashboard/catalog")
                    if response.status_code != 200:
                        raise SystemExit(f"catalog page answered {response.status_code}")
                    if index >= arguments.warmup:
                        baseline.append(base_ms)
                        catalog.append(page_ms)
        finally:
            process.terminate()
            process.wait(timeout=30)
        server = server_times(log_path, arguments.warmup)

    client_p99, client_base_p99 = p99_ms(catalog), p99_ms(baseline)
    print(
        f"client round trip: catalog p99 {client_p99:.1f} ms, baseline p99 {client_base_p99:.1f} ms"
    )
    catalog, baseline = server["/dashboard/catalog"], server["/bench/baseline/{product_id}"]
    print("slowest catalog pages (ms):", sorted(catalog)[-5:])

    p50, p99 = statistics.median(catalog), p99_ms(catalog)
    base_p50, base_p99 = statistics.median(baseline), p99_ms(baseline)
    print(
        f"catalog page ({ROWS_ON_PAGE} of {listings} listings): p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )
    print(f"baseline primary-key route: p50 {base_p50:.1f} ms, p99 {base_p99:.1f} ms")
    result = {
        "bench": "pages",
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "baseline_p50_ms": round(base_p50, 1),
        "baseline_p99_ms": round(base_p99, 1),
        "ratio": round(p99 / base_p99, 2),
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": p99 < TARGET_P99_MS,
        "listings": listings,
        "requests": len(catalog),
        "client_p99_ms": round(client_p99, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
