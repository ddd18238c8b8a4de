"""A PRICING_HEALTH notification's effects: an event and a sync log row.

Amazon sends it when the seller's offer lost Buy Box eligibility (its price is above the
reference prices). The event carries what a repricer or an alert needs: the SKU and ASIN, the
seller's offer, the Buy Box price and the reference prices, amounts as strings with currency.
"""

import uuid

from sqlalchemy.orm import Session

from shelfwise.events.service import publish
from shelfwise.integrations.amazon_spapi.notifications import PricingHealth
from shelfwise.market.repository import SyncRunRepository
from shelfwise.platform.ids import new_id

PRICING_HEALTH_EVENT = "offers.pricing_health"


def record_pricing_health(
    session: Session,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    run_id: uuid.UUID,
    notification_id: str,
    health: PricingHealth,
    sku: str | None,
) -> None:
    """Publish `offers.pricing_health` and log it as a sync change, in the caller's transaction."""
    offer = {
        "condition": health.condition,
        "fulfillment": health.fulfillment,
        "listing_price": health.listing_price.as_payload(),
        "shipping": health.shipping.as_payload(),
        "landed_price": health.landed_price.as_payload(),
    }
    references = {name: money.as_payload() for name, money in health.reference_prices.items()}
    publish(
        session,
        organization_id,
        PRICING_HEALTH_EVENT,
        {
            "account_id": str(account_id),
            "asin": health.asin,
            "sku": sku,
            "notification_id": notification_id,
            "issue_type": health.issue_type,
            "changed_at": health.changed_at.isoformat(),
            "offer": offer,
            "buy_box_price": health.buy_box_price.as_payload() if health.buy_box_price else None,
            "reference_prices": references,
        },
    )
    SyncRunRepository(session, organization_id).add_changes(
        [
            {
                "id": new_id(),
                "organization_id": organization_id,
                "sync_run_id": run_id,
                "item": health.asin,
                "field": "pricing_health",
                "old": None,
                "new": {
                    "issue_type": health.issue_type,
                    "landed_price": offer["landed_price"],
                    "reference_prices": references,
                },
                "changed_at": health.changed_at,
            }
        ]
    )
