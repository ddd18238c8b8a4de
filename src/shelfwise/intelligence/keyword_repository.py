"""Queries of keyword analysis: the competitor items an organization has text for."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from shelfwise.bridge.models import FetchedItem
from shelfwise.market.models import WatchedAsin
from shelfwise.platform.repository import TenantRepository


class CompetitorItemRepository(TenantRepository[FetchedItem]):
    model = FetchedItem

    def watched_asins(self, account_id: uuid.UUID) -> list[str]:
        """The ASINs the listing's account watches, in ASIN order."""
        statement = self.scoped(select(WatchedAsin.asin), WatchedAsin).where(
            WatchedAsin.marketplace_account_id == account_id
        )
        return sorted(set(self.session.scalars(statement)))

    def items(self, marketplace: str, asins: Sequence[str]) -> dict[str, FetchedItem]:
        """The kept (last fetched) item of each of `asins` on `marketplace` that has one."""
        statement = self.select().where(
            FetchedItem.marketplace == marketplace, FetchedItem.asin.in_(asins)
        )
        return {row.asin: row for row in self.session.scalars(statement)}
