"""Queries on the audit log."""

import uuid
from datetime import datetime

from shelfwise.audit.models import AuditEntry
from shelfwise.platform.repository import TenantRepository


class AuditRepository(TenantRepository[AuditEntry]):
    model = AuditEntry

    def page(
        self,
        *,
        limit: int,
        before: tuple[datetime, uuid.UUID] | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
        action: str | None = None,
    ) -> list[AuditEntry]:
        statement = self.select()
        if entity_type:
            statement = statement.where(AuditEntry.entity_type == entity_type)
        if entity_id:
            statement = statement.where(AuditEntry.entity_id == entity_id)
        if action:
            statement = statement.where(AuditEntry.action == action)
        if before is not None:
            at, entry_id = before
            statement = statement.where(
                (AuditEntry.at < at) | ((AuditEntry.at == at) & (AuditEntry.id < entry_id))
            )
        statement = statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        return list(self.session.scalars(statement))
