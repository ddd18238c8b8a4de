"""Queries of the ASIN bridge: kept items, the accounts and price history an item draws on."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from shelfwise.bridge.models import FetchedItem
from shelfwise.catalog.models import MarketplaceAccount, Platform
from shelfwise.market.models import OfferSnapshot
from shelfwise.platform.db import dialect_insert
from shelfwise.platform.ids import new_id
from shelfwise.platform.repository import TenantRepository


class FetchedItemRepository(TenantRepository[FetchedItem]):
    model = FetchedItem

    def keep(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert or replace the last fetched item of each (marketplace, ASIN); `rows` hold
        marketplace, asin, source, is_demo, item and fetched_at, at most one per key."""
        if not rows:
            return
        values = [{"id": new_id(), "organization_id": self.organization_id, **row} for row in rows]
        statement = dialect_insert(self.session, FetchedItem)
        replaced = {
            name: getattr(statement.excluded, name)
            for name in ("source", "is_demo", "item", "fetched_at")
        }
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["organization_id", "marketplace", "asin"], set_=replaced
            ),
            values,
        )

    def by_asins(self, marketplace: str, asins: Sequence[str]) -> dict[str, FetchedItem]:
        statement = self.select().where(
            FetchedItem.marketplace == marketplace, FetchedItem.asin.in_(asins)
        )
        return {row.asin: row for row in self.session.scalars(statement)}

    def recent(self, marketplace: str, limit: int) -> list[FetchedItem]:
        """The items last fetched on `marketplace`, newest first."""
        statement = self.select().where(FetchedItem.marketplace == marketplace)
        ordered = statement.order_by(FetchedItem.fetched_at.desc(), FetchedItem.asin)
        return list(self.session.scalars(ordered.limit(limit)))


class BridgeAccountRepository(TenantRepository[MarketplaceAccount]):
    model = MarketplaceAccount

    def amazon_accounts(self, marketplace: str) -> list[MarketplaceAccount]:
        """The organization's Amazon accounts on `marketplace`, those with credentials first."""
        statement = self.select().where(
            MarketplaceAccount.platform == Platform.AMAZON,
            MarketplaceAccount.marketplace == marketplace,
        )
        accounts = list(self.session.scalars(statement.order_by(MarketplaceAccount.created_at)))
        return sorted(accounts, key=lambda account: account.credential_id is None)

    def any_with_credentials(self) -> bool:
        """Whether an Amazon account of the organization, on any marketplace, has credentials."""
        statement = self.scoped(select(MarketplaceAccount.id)).where(
            MarketplaceAccount.platform == Platform.AMAZON,
            MarketplaceAccount.credential_id.is_not(None),
        )
        return self.session.scalar(statement.limit(1)) is not None


class PriceHistoryRepository(TenantRepository[OfferSnapshot]):
    model = OfferSnapshot

    def ranges(
        self, marketplace: str, asins: Sequence[str], since: datetime
    ) -> dict[str, tuple[Decimal, Decimal]]:
        """The lowest and highest Buy Box price the organization's offer sweeps saw since
        `since` for each ASIN on `marketplace` (ASINs never seen are absent)."""
        statement = self.scoped(
            select(
                OfferSnapshot.asin,
                func.min(OfferSnapshot.buy_box_price),
                func.max(OfferSnapshot.buy_box_price),
            )
            .join(
                MarketplaceAccount,
                (MarketplaceAccount.id == OfferSnapshot.marketplace_account_id)
                & (MarketplaceAccount.organization_id == OfferSnapshot.organization_id),
            )
            .where(
                MarketplaceAccount.marketplace == marketplace,
                OfferSnapshot.asin.in_(asins),
                OfferSnapshot.observed_at >= since,
                OfferSnapshot.buy_box_price.is_not(None),
            )
            .group_by(OfferSnapshot.asin)
        )
        return {
            asin: (low, high)
            for asin, low, high in self.session.execute(statement)
            if low is not None and high is not None
        }
