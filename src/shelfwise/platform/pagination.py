"""Opaque cursors for keyset pagination, and the page-size clamp (E4)."""

import base64
import binascii
import uuid
from datetime import datetime
from typing import Any

import orjson

from shelfwise.platform.errors import InvalidInputError


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as error:
        raise InvalidInputError(
            "Invalid cursor.", [{"field": "query.cursor", "message": "not a cursor from this API"}]
        ) from error
    if not isinstance(values, list):
        raise InvalidInputError(
            "Invalid cursor.", [{"field": "query.cursor", "message": "not a cursor from this API"}]
        )
    return values


def clamp_limit(requested: int | None, default: int, maximum: int) -> int:
    """The page size: `requested` or `default`, never above `maximum` (nor below 1)."""
    return max(1, min(default if requested is None else requested, maximum))


def decode_time_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The (timestamp, id) position of a newest-first page, or None for the first page."""
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    try:
        return datetime.fromisoformat(values[0]), uuid.UUID(values[1])
    except (IndexError, ValueError, TypeError) as error:
        raise InvalidInputError(
            "Invalid cursor.", [{"field": "query.cursor", "message": "malformed"}]
        ) from error
