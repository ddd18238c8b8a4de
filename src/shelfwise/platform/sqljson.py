"""JSON that PostgreSQL renders itself, for read-only list pages.

Decoding a row into Python objects (UUIDs, aware datetimes, JSONB documents) and encoding them
again cost more than the query on the API's busiest routes. PostgreSQL can write each row's JSON
directly (`row_to_json`, compact and in column order); Python then only joins the texts. The
expressions below write what the pydantic response models write for the same values: datetimes
as `2026-11-23T19:16:00.123456Z` (the fraction only when there is one), money amounts as strings
with two decimals. Only nested JSONB documents differ in spacing (`{"a": 1}`), which any JSON
reader takes as the same value.
"""

from typing import Any

from sqlalchemy import String, literal_column
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ColumnElement

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def utc_timestamp(column: Any) -> str:
    """A timestamptz as ISO 8601 in UTC with a Z, like pydantic writes it (NULL stays null)."""
    at_utc = f"timezone('UTC', {_sql(column)})"
    return (
        f"to_char({at_utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN to_char({at_utc}, 'US') = '000000' THEN ''"
        f" ELSE to_char({at_utc}, '.US') END || 'Z'"
    )


def money(amount: Any, currency: Any) -> str:
    """`{"amount":"12.50","currency":"GBP"}`, or null when either part is missing."""
    amount_sql, currency_sql = _sql(amount), _sql(currency)
    return (
        f"CASE WHEN {amount_sql} IS NULL OR {currency_sql} IS NULL THEN NULL"
        f" ELSE ('{{\"amount\":' || to_json({amount_sql}::text)::text"
        f" || ',\"currency\":' || to_json({currency_sql})::text || '}}')::json END"
    )


def json_row_text(fields: dict[str, Any]) -> ColumnElement[str]:
    """Each row as one compact JSON object (text) with `fields` in this order; a field is a
    column or an SQL text from the helpers above."""
    parts = []
    for name, value in fields.items():
        assert name.isidentifier()  # written into the SQL as a constant, never user input
        parts.append(f'{value if isinstance(value, str) else _sql(value)} AS "{name}"')
    columns = ", ".join(parts)
    sql = f"(SELECT row_to_json(fields)::text FROM (SELECT {columns}) AS fields)"  # noqa: S608
    return literal_column(sql, String)


def _sql(column: Any) -> str:
    return str(column.compile(dialect=_DIALECT))
