"""Column types that behave the same on SQLite and PostgreSQL."""

import json
import re
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime, Dialect, Numeric, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL (indexable, compact); JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")

# 19 digits in a row may be an integer beyond 64 bits, which orjson would read as a float.
_LONG_DIGITS = re.compile(rb"\d{19}")


def load_json(document: bytes) -> Any:
    """JSONB from PostgreSQL as the standard library reads it, with orjson (ten times faster on
    list pages) for every document it reads identically."""
    if _LONG_DIGITS.search(document) is None:
        try:
            return orjson.loads(document)
        except orjson.JSONDecodeError:  # e.g. a lone surrogate escape, which json accepts
            pass
    return json.loads(document)


# Prices and costs: two decimals cover every Amazon, eBay and Kaufland currency.
MoneyAmount = Numeric(14, 2, asdecimal=True)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes, also on SQLite (which stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # PostgreSQL connections run in UTC (platform/db.py), so psycopg already returns UTC
        # datetimes: skip the per-value decorator call (four per product on every list page).
        if dialect.name == "postgresql":
            return _as_utc
        return super().result_processor(dialect, coltype)


def _as_utc(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo is UTC else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)
