"""What a dry run shows: the first changes an import would make, field by field.

The counts of a dry run come from the real upsert rolled back; this adds a readable sample (up to
`MAX_CHANGES`): each row that would create or update a product, with the old and new value of
every field it changes, and rows refused as older than the stored product.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from shelfwise.catalog.bulk import ProductRow
from shelfwise.catalog.models import Product
from shelfwise.catalog.repository import ProductRepository

MAX_CHANGES = 100
FIELDS = (
    "title",
    "brand",
    "gtin",
    "asin",
    "category",
    "description",
    "images",
    "attributes",
    "cost_amount",
    "cost_currency",
    "source_updated_at",
)


def sample_changes(
    repository: ProductRepository,
    rows: Sequence[tuple[int, ProductRow]],
    room: int,
) -> list[dict[str, Any]]:
    """Up to `room` changes that `rows` (line, product) would make, in file order."""
    if room <= 0:
        return []
    stored = {
        (product.source_platform, product.source_id): product
        for product in repository.by_source_keys([row.key for _, row in rows])
    }
    changes: list[dict[str, Any]] = []
    for line, row in rows:
        change = _change(line, row, stored.get(row.key))
        if change is not None:
            changes.append(change)
            if len(changes) == room:
                break
    return changes


def _change(line: int, row: ProductRow, stored: Product | None) -> dict[str, Any] | None:
    where = {"line": line, "source_platform": row.source_platform, "source_id": row.source_id}
    if stored is None:
        fields = {name: [None, _json(getattr(row, name))] for name in FIELDS if _filled(row, name)}
        return where | {"action": "create", "fields": fields}
    incoming, existing = row.source_updated_at, stored.source_updated_at
    if incoming is not None and existing is not None and incoming < existing:
        return where | {"action": "stale", "fields": {}}
    fields = {
        name: [_json(getattr(stored, name)), _json(getattr(row, name))]
        for name in FIELDS
        if getattr(stored, name) != getattr(row, name)
    }
    return where | {"action": "update", "fields": fields} if fields else None


def _filled(row: ProductRow, name: str) -> bool:
    value = getattr(row, name)
    return value not in (None, "", [], {})


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat()
    return value
