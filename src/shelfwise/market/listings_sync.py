"""The listings sync: Amazon's merchant listings report into the catalog, then Listings Items.

1. `market.sync_listings` asks for GET_MERCHANT_LISTINGS_ALL_DATA (createReport) and queues the
   collector; Amazon takes minutes to build a report, and no worker waits for it.
2. `market.collect_listings_report` polls getReport (deferring itself while the report is in
   progress), downloads and decompresses the document, and imports it through the ingest
   pipeline (the same validation, per-row errors and set-based upserts as an uploaded report,
   reported on this job). Then it reads the seller's listings through searchListingsItems and
   brings each listing's Amazon state up to date: ASIN, price, quantity, Amazon's status and
   its issues, each change a sync-log row with the old and the new value.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shelfwise.catalog.identifiers import is_valid_asin
from shelfwise.catalog.models import Listing
from shelfwise.catalog.repository import ListingRepository
from shelfwise.market.repository import SyncRunRepository
from shelfwise.platform.db import Database
from shelfwise.platform.ids import new_id
from shelfwise.platform.types import utcnow

LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
LISTING_DATA = ("summaries", "offers", "fulfillmentAvailability", "issues")
MAX_ISSUES = 20  # kept per listing (Amazon lists the most severe first)


@dataclass(frozen=True)
class AmazonListingState:
    """What Listings Items says of one SKU, in the catalog's terms."""

    asin: str | None
    price_amount: Decimal | None
    price_currency: str | None
    quantity: int | None
    status: list[str]
    issues: list[dict[str, str]]


_COMPARED = (Listing.title, Listing.asin, Listing.price_amount, Listing.price_currency,
             Listing.quantity)  # fmt: skip
_COMPARED_NAMES = ("title", "asin", "price_amount", "price_currency", "quantity")


def listing_fields(
    database: Database, organization_id: uuid.UUID, account_id: uuid.UUID
) -> dict[str, tuple[Any, ...]]:
    """The compared fields of every listing of the account, by SKU."""
    with database.unit_of_work(organization_id=organization_id, write=False) as session:
        return ListingRepository(session, organization_id).fields_by_sku(account_id, _COMPARED)


def log_differences(
    database: Database,
    organization_id: uuid.UUID,
    sync_run_id: uuid.UUID,
    before: dict[str, tuple[Any, ...]],
    after: dict[str, tuple[Any, ...]],
) -> int:
    """Sync-log rows for what the report import changed (a new SKU is one "listing" row);
    returns how many listings changed."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    changed = 0
    for sku, values in after.items():
        old = before.get(sku)
        if old == values:
            continue
        changed += 1
        pairs = (
            [("listing", None, "created")]
            if old is None
            else [
                (name, _json(previous), _json(value))
                for name, previous, value in zip(_COMPARED_NAMES, old, values, strict=True)
                if previous != value
            ]
        )
        rows += [
            {
                "id": new_id(),
                "organization_id": organization_id,
                "sync_run_id": sync_run_id,
                "item": sku,
                "field": field,
                "old": old_value,
                "new": new_value,
                "changed_at": now,
            }
            for field, old_value, new_value in pairs
        ]
    for start in range(0, len(rows), 1000):
        with database.unit_of_work(organization_id=organization_id) as session:
            SyncRunRepository(session, organization_id).add_changes(rows[start : start + 1000])
    return changed


def listing_state(item: dict[str, Any], marketplace_id: str) -> AmazonListingState:
    summaries = [s for s in item.get("summaries") or [] if s.get("marketplaceId") == marketplace_id]
    summary = summaries[0] if summaries else {}
    offers = [
        offer
        for offer in item.get("offers") or []
        if offer.get("marketplaceId") == marketplace_id and offer.get("offerType", "B2C") == "B2C"
    ]
    price = (offers[0].get("price") or {}) if offers else {}
    amount: Decimal | None
    try:
        amount = Decimal(str(price["amount"])).quantize(Decimal("0.01")) if price else None
    except (InvalidOperation, KeyError):
        amount = None
    quantities = [
        entry.get("quantity")
        for entry in item.get("fulfillmentAvailability") or []
        if entry.get("fulfillmentChannelCode") == "DEFAULT"
    ]
    quantity = quantities[0] if quantities and isinstance(quantities[0], int) else None
    asin = summary.get("asin")
    issues = [
        {
            "code": str(issue.get("code", ""))[:50],
            "severity": str(issue.get("severity", ""))[:20],
            "message": str(issue.get("message", ""))[:500],
        }
        for issue in (item.get("issues") or [])[:MAX_ISSUES]
    ]
    return AmazonListingState(
        asin=asin if isinstance(asin, str) and is_valid_asin(asin) else None,
        price_amount=amount,
        price_currency=price.get("currencyCode") if amount is not None else None,
        quantity=quantity if quantity is None or quantity >= 0 else None,
        status=sorted(str(status) for status in summary.get("status") or []),
        issues=issues,
    )


def apply_listing_states(
    database: Database,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    marketplace_id: str,
    sync_run_id: uuid.UUID,
    pages: Iterable[list[dict[str, Any]]],
) -> dict[str, int]:
    """Each page of Listings Items applied in one transaction; returns the counts."""
    counts = {"listings_seen": 0, "listings_changed": 0, "listings_unknown": 0}
    for page in pages:
        by_sku = {str(item.get("sku")): item for item in page if item.get("sku")}
        with database.unit_of_work(organization_id=organization_id) as session:
            listings = ListingRepository(session, organization_id).by_skus(account_id, list(by_sku))
            known = {listing.sku: listing for listing in listings}
            changes: list[dict[str, Any]] = []
            for sku, item in by_sku.items():
                counts["listings_seen"] += 1
                listing = known.get(sku)
                if listing is None:  # not in the report: it appeared since, the next sync has it
                    counts["listings_unknown"] += 1
                    continue
                changed = _apply(listing, listing_state(item, marketplace_id))
                if changed:
                    counts["listings_changed"] += 1
                now = utcnow()
                changes += [
                    {
                        "id": new_id(),
                        "organization_id": organization_id,
                        "sync_run_id": sync_run_id,
                        "item": sku,
                        "field": field,
                        "old": old,
                        "new": new,
                        "changed_at": now,
                    }
                    for field, old, new in changed
                ]
            SyncRunRepository(session, organization_id).add_changes(changes)
    return counts


def _apply(listing: Listing, state: AmazonListingState) -> list[tuple[str, Any, Any]]:
    """Set the listing's Amazon fields; (field, old, new) of each that changed (JSON values)."""
    changed: list[tuple[str, Any, Any]] = []

    def put(field: str, old: Any, new: Any) -> bool:
        if old == new:
            return False
        changed.append((field, _json(old), _json(new)))
        return True

    if state.asin and put("asin", listing.asin, state.asin):
        listing.asin = state.asin
    if state.price_amount is not None and put(
        "price",
        _price(listing.price_amount, listing.price_currency),
        _price(state.price_amount, state.price_currency),
    ):
        listing.price_amount, listing.price_currency = state.price_amount, state.price_currency
    if state.quantity is not None and put("quantity", listing.quantity, state.quantity):
        listing.quantity = state.quantity
    attributes = dict(listing.attributes or {})
    if put("amazon_status", attributes.get("amazon_status"), state.status):
        attributes["amazon_status"] = state.status
    if put("amazon_issues", attributes.get("amazon_issues", []), state.issues):
        attributes["amazon_issues"] = state.issues
    if attributes != (listing.attributes or {}):
        listing.attributes = attributes
    return changed


def _price(amount: Decimal | None, currency: str | None) -> str | None:
    return f"{amount:.2f} {currency}" if amount is not None else None


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
