"""Quality score queries: the current score per listing, its history, and listings to score."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from shelfwise.catalog.models import Listing
from shelfwise.intelligence.score_models import ListingScore, ListingScoreHistory
from shelfwise.platform.db import dialect_insert
from shelfwise.platform.ids import new_id
from shelfwise.platform.repository import TenantRepository


class ListingScoreRepository(TenantRepository[ListingScore]):
    model = ListingScore

    def of_listing(self, listing_id: uuid.UUID, *, for_update: bool = False) -> ListingScore | None:
        # populate_existing: `save` writes with a Core statement the identity map does not see.
        statement = (
            self.select()
            .where(ListingScore.listing_id == listing_id)
            .execution_options(populate_existing=True)
        )
        if for_update:
            statement = statement.with_for_update()
        found: ListingScore | None = self.session.scalar(statement)
        return found

    def save(
        self,
        listing_id: uuid.UUID,
        score: int,
        content_version: int,
        breakdown: dict[str, Any],
        computed_at: datetime,
    ) -> None:
        """Insert or replace the listing's current score (atomic: two recomputes never make two
        current rows)."""
        values = {
            "score": score,
            "content_version": content_version,
            "breakdown": breakdown,
            "computed_at": computed_at,
        }
        statement = dialect_insert(self.session, ListingScore).values(
            id=new_id(), organization_id=self.organization_id, listing_id=listing_id, **values
        )
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["organization_id", "listing_id"], set_=values
            )
        )


class ScoreHistoryRepository(TenantRepository[ListingScoreHistory]):
    model = ListingScoreHistory

    def of_listing(self, listing_id: uuid.UUID, limit: int) -> list[ListingScoreHistory]:
        """The listing's scores, newest first."""
        statement = (
            self.select()
            .where(ListingScoreHistory.listing_id == listing_id)
            .order_by(ListingScoreHistory.computed_at.desc(), ListingScoreHistory.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))


class ScoredListingRepository(TenantRepository[Listing]):
    model = Listing

    def ids_after(self, after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
        """The organization's listing ids in id order, after `after` (keyset paging)."""
        statement = self.scoped(select(Listing.id)).order_by(Listing.id).limit(limit)
        if after is not None:
            statement = statement.where(Listing.id > after)
        return list(self.session.scalars(statement))
