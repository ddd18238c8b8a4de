"""Keyset (cursor) pagination over one sort column plus the id as tie-breaker."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from shelfwise.platform.errors import InvalidInputError
from shelfwise.platform.pagination import decode_cursor, encode_cursor


@dataclass(frozen=True)
class SortKey:
    """A sortable column; `load` turns a cursor's JSON value back into a column value."""

    column: ColumnElement[Any] | InstrumentedAttribute[Any]
    load: Callable[[Any], Any]


def load_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def load_text(value: Any) -> str:
    return str(value)


def load_decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def load_int(value: Any) -> int:
    return int(value)


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def parse_sort(sort: str, keys: dict[str, SortKey]) -> tuple[SortKey, bool]:
    """'-title' -> (title key, descending)."""
    descending = sort.startswith("-")
    key = keys.get(sort.lstrip("-"))
    if key is None:
        raise InvalidInputError(
            "Unknown sort.",
            [
                {
                    "field": "query.sort",
                    "message": "one of " + ", ".join(sorted(keys)) + " (prefix - for descending)",
                }
            ],
        )
    return key, descending


def paginate(
    statement: Select[Any],
    id_column: InstrumentedAttribute[uuid.UUID],
    key: SortKey,
    descending: bool,
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """Order, continue after the cursor, fetch one row more than `limit` (is there a next page?)."""
    column = key.column
    if cursor is not None:
        values = decode_cursor(cursor)
        try:
            last_value, last_id = key.load(values[0]), uuid.UUID(str(values[1]))
        except (IndexError, ValueError, TypeError, ArithmeticError) as error:
            raise InvalidInputError(
                "Invalid cursor.",
                [{"field": "query.cursor", "message": "does not match this sort"}],
            ) from error
        if descending:
            statement = statement.where(
                or_(column < last_value, and_(column == last_value, id_column < last_id))
            )
        else:
            statement = statement.where(
                or_(column > last_value, and_(column == last_value, id_column > last_id))
            )
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    return statement.add_columns(column.label("_sort_value")).order_by(*order).limit(limit + 1)


def split_page(rows: list[Any], limit: int) -> tuple[list[Any], str | None]:
    """(entities, next cursor) from rows of (entity, sort value) as built by `paginate`."""
    has_more = len(rows) > limit
    rows = rows[:limit]
    entities = [row[0] for row in rows]
    if not has_more or not rows:
        return entities, None
    last_entity, last_value = rows[-1][0], rows[-1][1]
    return entities, encode_cursor([_dump(last_value), str(last_entity.id)])


def split_row_page(rows: Sequence[Row[Any]], limit: int) -> tuple[Sequence[Row[Any]], str | None]:
    """(rows, next cursor) from flat rows with an `id` column, as built by `paginate`."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]._mapping
    return rows, encode_cursor([_dump(last["_sort_value"]), str(last["id"])])
