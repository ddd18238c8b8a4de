"""H2's importer process: `python -m tests.catalog.bulk_worker ORGANIZATION ROWS READY START`.

Reads Settings from the environment (SHELFWISE_DATABASE_URL, SHELFWISE_DATA_DIR), loads its rows
(a JSON list of [source_id, title, ISO timestamp]), shuffles them, touches READY, waits for START
to exist, then upserts them in batches of 1,000, one transaction per batch, and writes the summed
counts as JSON on stdout. Every other batch is upserted as `likely_new` (the plain INSERT tried
first, in a savepoint), so both ways of writing meet the other process's batches.
"""

import json
import random
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

from shelfwise.catalog.bulk import ProductRow, ProductUpserts
from shelfwise.platform.db import Database
from shelfwise.platform.settings import Settings

BATCH_SIZE = 1000
START_TIMEOUT = 60.0


def product_row(source_id: str, title: str, moment: str) -> ProductRow:
    return ProductRow(
        source_platform="csv",
        source_id=source_id,
        title=title,
        brand=None,
        gtin=None,
        asin=None,
        category=None,
        description=None,
        images=[],
        attributes={"title": title},
        cost_amount=None,
        cost_currency=None,
        source_updated_at=datetime.fromisoformat(moment),
    )


def wait_for_start(start: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not start.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{start} never appeared")
        time.sleep(0.005)


def main(organization: str, rows_path: str, ready: str, start: str) -> None:
    organization_id = uuid.UUID(organization)
    rows = [product_row(*values) for values in json.loads(Path(rows_path).read_text())]
    random.Random(rows_path).shuffle(rows)  # every batch holds keys from all over the file
    batches = [rows[i : i + BATCH_SIZE] for i in range(0, len(rows), BATCH_SIZE)]
    database = Database(Settings())
    with database.engine.connect():  # connect before the start, so both begin together
        pass
    totals = {"created": 0, "updated": 0, "unchanged": 0, "stale": 0}
    Path(ready).touch()
    wait_for_start(Path(start))
    for number, batch in enumerate(batches):
        with database.unit_of_work(organization_id=organization_id) as session:
            upserts = ProductUpserts(session, organization_id)
            counts = upserts.upsert(batch, likely_new=number % 2 == 0)
        for name in totals:
            totals[name] += getattr(counts, name)
    database.dispose()
    sys.stdout.write(json.dumps(totals) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
