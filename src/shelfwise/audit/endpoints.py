"""GET /api/audit: the organization's audit log, newest first."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from shelfwise.accounts.auth import Admin, Context, DbSession
from shelfwise.audit.repository import AuditRepository
from shelfwise.audit.schemas import AuditEntryOut, AuditPage
from shelfwise.platform.errors import InvalidInputError
from shelfwise.platform.pagination import clamp_limit, decode_cursor, encode_cursor

router = APIRouter(prefix="/api", tags=["audit"])


def _before(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    try:
        return datetime.fromisoformat(values[0]), uuid.UUID(values[1])
    except (IndexError, ValueError, TypeError) as error:
        raise InvalidInputError(
            "Invalid cursor.", [{"field": "query.cursor", "message": "malformed"}]
        ) from error


@router.get("/audit", response_model=AuditPage, summary="Audit log, newest first")
def list_audit(
    principal: Admin,
    context: Context,
    session: DbSession,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> AuditPage:
    settings = context.settings
    size = clamp_limit(limit, settings.default_page_size, settings.max_page_size)
    entries = AuditRepository(session, principal.organization_id).page(
        limit=size + 1,
        before=_before(cursor),
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
    )
    next_cursor = None
    if len(entries) > size:
        entries = entries[:size]
        last = entries[-1]
        next_cursor = encode_cursor([last.at.isoformat(), str(last.id)])
    return AuditPage(
        items=[AuditEntryOut.model_validate(entry, from_attributes=True) for entry in entries],
        next_cursor=next_cursor,
    )
