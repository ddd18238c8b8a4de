"""The server bench/api.py measures: the production app plus a bare baseline route.

Run by bench/api.py as `python -m bench.api_server PORT` with SHELFWISE_* settings and
BENCH_ORGANIZATION_ID in the environment; it serves like `shelfwise serve` (one uvicorn worker,
uvicorn's own logging off, Shelfwise's JSON request log at the configured level).
"""

import os
import sys
import uuid

import orjson
import uvicorn
from fastapi import FastAPI, Response
from sqlalchemy import text

from shelfwise.app import create_app
from shelfwise.platform.settings import Settings

# One primary-key SELECT: what any tenant-scoped read must at least cost.
BASELINE_QUERY = text(
    "SELECT id, source_platform, source_id, title, brand, gtin, asin, category, description,"
    " images, attributes, cost_amount, cost_currency, source_updated_at, created_at, updated_at"
    " FROM products WHERE id = :id"
)


def create_bench_app() -> FastAPI:
    """create_app() with GET /bench/baseline/{product_id} mounted beside the real routes."""
    app = create_app(Settings())
    database = app.state.context.database
    # Row-level security hides every product unless the transaction names the organization, so
    # the baseline sets it like the API does (one set_config in the same unit of work).
    organization_id = uuid.UUID(os.environ["BENCH_ORGANIZATION_ID"])

    @app.get("/bench/baseline/{product_id}", include_in_schema=False)
    def baseline(product_id: uuid.UUID) -> Response:
        with database.unit_of_work(organization_id=organization_id, write=False) as session:
            row = session.execute(BASELINE_QUERY, {"id": product_id}).mappings().one_or_none()
        if row is None:
            return Response(status_code=404)
        return Response(orjson.dumps(dict(row), default=str), media_type="application/json")

    return app


def main(port: int) -> None:
    """Serve like `shelfwise serve` does (see shelfwise.cli.serve)."""
    uvicorn.run(create_bench_app(), host="127.0.0.1", port=port, log_config=None, access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))
