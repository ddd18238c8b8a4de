"""The one place tenant scoping is written; every tenant repository builds on it."""

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Delete, Select, Update, delete, select
from sqlalchemy.orm import Session

M = TypeVar("M", bound=Any)
S = TypeVar("S", Select[*tuple[Any, ...]], Update, Delete)


class TenantRepository(Generic[M]):
    """Queries on one tenant table, always filtered by the repository's organization."""

    model: type[M]

    def __init__(self, session: Session, organization_id: uuid.UUID) -> None:
        self.session = session
        self.organization_id = organization_id

    def scoped(self, statement: S, model: Any = None) -> S:
        """`statement` restricted to this organization's rows of `model` (default: self.model)."""
        target = model if model is not None else self.model
        return statement.where(target.organization_id == self.organization_id)

    def select(self) -> Select[M]:
        return self.scoped(select(self.model))

    def get(self, entity_id: uuid.UUID) -> M | None:
        found: M | None = self.session.scalar(self.select().where(self.model.id == entity_id))
        return found

    def list_by_ids(self, entity_ids: Sequence[uuid.UUID]) -> list[M]:
        return list(self.session.scalars(self.select().where(self.model.id.in_(entity_ids))))

    def add(self, entity: M) -> M:
        entity.organization_id = self.organization_id
        self.session.add(entity)
        self.session.flush()
        return entity

    def delete(self, entity: M) -> None:
        self.session.delete(entity)
        self.session.flush()

    def delete_all(self) -> int:
        """Remove every row of this organization (organization deletion)."""
        result = self.session.execute(
            delete(self.model).where(self.model.organization_id == self.organization_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)
