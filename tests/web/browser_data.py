"""Data the browser tests look at: listings with offers and rank history."""

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from shelfwise.market.repository import OfferSnapshotRepository, RankSnapshotRepository
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.factories import Tenant, create_account, create_listing, create_product


def seed_catalog(context: AppContext, client: TestClient, tenant: Tenant) -> dict[str, Any]:
    """Three listings on one account; the kettle has a week of offers and ranks."""
    account = create_account(client, tenant)
    made = {}
    for title, asin in (
        ("Stainless Steel Electric Kettle 1.7L", "B0KETTLE01"),
        ("Bamboo Cutting Board Set of 3", "B0BOARD001"),
        ("Cast Iron Skillet 26cm", "B0SKILLET1"),
    ):
        product = create_product(
            client,
            tenant,
            title=title,
            asin=asin,
            brand="Hearthware",
            attributes={"material": "stainless steel", "warranty": "2 years"},
        )
        made[asin] = create_listing(
            client,
            tenant,
            product_id=product["id"],
            marketplace_account_id=account["id"],
            title=title,
            asin=asin,
        )
    seed_item_history(context, tenant.organization_id, uuid.UUID(account["id"]), "B0KETTLE01")
    return made


def seed_item_history(
    context: AppContext, organization_id: uuid.UUID, account_id: uuid.UUID, asin: str
) -> None:
    """A week of daily offer snapshots (Buy Box 34.99 falling to 28.99 GBP) and ranks (1500
    improving to 600) of `asin` on the account."""
    now = utcnow()
    offers, ranks = [], []
    for day in range(7):
        at = now - timedelta(days=7 - day)
        price = Decimal("34.99") - day
        offers.append(
            {
                "id": uuid.uuid4(),
                "organization_id": organization_id,
                "marketplace_account_id": account_id,
                "asin": asin,
                "observed_at": at,
                "confirmed_at": at + timedelta(hours=23),
                "source": "test",
                "condition": "new",
                "offer_count": 2,
                "currency": "GBP",
                "buy_box_price": price,
                "buy_box_seller_id": "ARIVAL",
                "lowest_price": price,
                "my_price": Decimal("33.50"),
                "offers": [
                    {
                        "seller_id": "ARIVAL",
                        "price": str(price),
                        "shipping": "0.00",
                        "fulfillment": "AFN",
                        "buy_box": True,
                        "mine": False,
                    },
                    {
                        "seller_id": "AMINE",
                        "price": "33.50",
                        "shipping": "2.99",
                        "fulfillment": "MFN",
                        "buy_box": False,
                        "mine": True,
                    },
                ],
            }
        )
        ranks.append(
            {
                "id": uuid.uuid4(),
                "organization_id": organization_id,
                "marketplace_account_id": account_id,
                "asin": asin,
                "observed_at": at,
                "category_id": "kitchen",
                "category": "Kitchen & Dining",
                "rank": 1500 - 150 * day,
            }
        )
    with context.database.unit_of_work(organization_id=organization_id) as session:
        OfferSnapshotRepository(session, organization_id).add_all(offers)
        RankSnapshotRepository(session, organization_id).add_all(ranks)
