"""Queries of the notification consumer: receipts, the accounts a seller's messages are for,
and the offer target of an ASIN; all scoped to one tenant."""

import uuid
from typing import Any

from sqlalchemy import select

from shelfwise.catalog.models import MarketplaceAccount, Platform
from shelfwise.market.models import NotificationReceipt, OfferTarget
from shelfwise.platform.db import dialect_insert
from shelfwise.platform.repository import TenantRepository


class NotificationReceiptRepository(TenantRepository[NotificationReceipt]):
    model = NotificationReceipt

    def claim(self, row: dict[str, Any]) -> bool:
        """Insert the receipt unless one with its notification id exists: True when inserted.
        Atomic (ON CONFLICT), so two consumers given the same message apply it once."""
        statement = (
            dialect_insert(self.session, NotificationReceipt)
            .values(organization_id=self.organization_id, **row)
            .on_conflict_do_nothing(index_elements=["organization_id", "notification_id"])
            .returning(NotificationReceipt.id)
        )
        # RETURNING, not rowcount: psycopg reports -1 for ORM-executed INSERTs.
        return self.session.execute(statement).first() is not None

    def recent(self, account_id: uuid.UUID, limit: int) -> list[NotificationReceipt]:
        statement = (
            self.select()
            .where(NotificationReceipt.marketplace_account_id == account_id)
            .order_by(NotificationReceipt.received_at.desc(), NotificationReceipt.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))


class NotificationAccountRepository(TenantRepository[MarketplaceAccount]):
    model = MarketplaceAccount

    def amazon_sellers(self) -> list[Any]:
        """(id, marketplace code, seller id) of the active Amazon accounts with a seller id."""
        statement = self.scoped(
            select(
                MarketplaceAccount.id, MarketplaceAccount.marketplace, MarketplaceAccount.seller_id
            )
        ).where(
            MarketplaceAccount.platform == Platform.AMAZON,
            MarketplaceAccount.is_active.is_(True),
            MarketplaceAccount.seller_id != "",
        )
        return list(self.session.execute(statement))


class NotificationTargetRepository(TenantRepository[OfferTarget]):
    model = OfferTarget

    def by_asin(self, account_id: uuid.UUID, asin: str) -> Any | None:
        """(id, asin, sku, fingerprint, snapshot_id, refreshed_at) of the account's target,
        locked until commit (PostgreSQL; SQLite writers are serial): two notifications for one
        item, or one and a sweep, apply one after the other, so "older than the last refresh"
        compares with what the other committed."""
        statement = self.scoped(
            select(
                OfferTarget.id,
                OfferTarget.asin,
                OfferTarget.sku,
                OfferTarget.fingerprint,
                OfferTarget.snapshot_id,
                OfferTarget.refreshed_at,
            )
        ).where(OfferTarget.marketplace_account_id == account_id, OfferTarget.asin == asin)
        return self.session.execute(statement.with_for_update()).first()
