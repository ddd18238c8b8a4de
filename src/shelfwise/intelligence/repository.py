"""Queries on content proposals."""

import uuid

from shelfwise.intelligence.models import ContentProposal
from shelfwise.platform.repository import TenantRepository


class ProposalRepository(TenantRepository[ContentProposal]):
    model = ContentProposal

    def of_listing(self, listing_id: uuid.UUID | None, limit: int) -> list[ContentProposal]:
        """Newest first; every listing's when `listing_id` is None."""
        statement = self.select()
        if listing_id is not None:
            statement = statement.where(ContentProposal.listing_id == listing_id)
        statement = statement.order_by(
            ContentProposal.created_at.desc(), ContentProposal.id.desc()
        ).limit(limit)
        return list(self.session.scalars(statement))

    def get_for_update(self, proposal_id: uuid.UUID) -> ContentProposal | None:
        """Locked, so two people deciding at once decide one after the other."""
        return self.session.scalar(
            self.select().where(ContentProposal.id == proposal_id).with_for_update()
        )
