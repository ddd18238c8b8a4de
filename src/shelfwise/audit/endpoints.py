"""GET /api/audit: the organization's audit log, newest first."""

from typing import Annotated

from fastapi import APIRouter, Query

from shelfwise.accounts.auth import Admin, Context, DbSession
from shelfwise.audit.repository import AuditRepository
from shelfwise.audit.schemas import AuditEntryOut, AuditPage
from shelfwise.platform.pagination import clamp_limit, decode_time_cursor, encode_cursor

router = APIRouter(prefix="/api", tags=["audit"])


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
        before=decode_time_cursor(cursor),
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
