"""Observed offers as stored snapshots, and what changed between two of them.

Pure functions: the sweep and the notification consumer both turn `ItemOffers` into snapshot
values with `snapshot_values`, compare fingerprints to skip unchanged observations, and ask
`offer_changes` what a new snapshot changed (the sync log's rows and the event's payload).
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from shelfwise.integrations.offers import ItemOffers, Offer

# Fields of an offer that make it a different offer when they change (not the seller's rating,
# which moves constantly and would turn every observation into a new snapshot).
_OFFER_KEY_FIELDS = ("seller_id", "price", "shipping", "sub_condition", "fulfillment", "buy_box")


def offer_document(offer: Offer) -> dict[str, Any]:
    return {
        "seller_id": offer.seller_id,
        "price": f"{offer.price:.2f}",
        "shipping": f"{offer.shipping:.2f}",
        "currency": offer.currency,
        "condition": offer.condition,
        "sub_condition": offer.sub_condition,
        "fulfillment": offer.fulfillment.value,
        "buy_box": offer.is_buy_box_winner,
        "mine": offer.is_mine,
        "prime": offer.is_prime,
        "rating": offer.seller_rating,
        "feedback_count": offer.seller_feedback_count,
    }


@dataclass(frozen=True, slots=True)
class SnapshotValues:
    """A snapshot's columns (but ids and times), and its fingerprint."""

    condition: str
    offer_count: int
    currency: str | None
    buy_box_price: Decimal | None
    buy_box_seller_id: str | None
    lowest_price: Decimal | None
    my_price: Decimal | None
    offers: list[dict[str, Any]]
    fingerprint: str


def snapshot_values(item: ItemOffers) -> SnapshotValues:
    offers = [offer_document(offer) for offer in item.offers]
    winner = next((offer for offer in item.offers if offer.is_buy_box_winner), None)
    mine = next((offer for offer in item.offers if offer.is_mine), None)
    essential = [
        item.condition,
        item.total_offer_count,
        str(item.buy_box_price),
        str(item.lowest_price),
        sorted([offer[field] for field in _OFFER_KEY_FIELDS] for offer in offers),
    ]
    fingerprint = hashlib.blake2b(orjson.dumps(essential), digest_size=16).hexdigest()
    return SnapshotValues(
        condition=item.condition,
        offer_count=item.total_offer_count,
        currency=item.currency,
        buy_box_price=item.buy_box_price,
        buy_box_seller_id=winner.seller_id if winner else None,
        lowest_price=item.lowest_price,
        my_price=mine.price if mine else None,
        offers=offers,
        fingerprint=fingerprint,
    )


@dataclass(frozen=True, slots=True)
class Change:
    """One thing that changed on an item: `kind` names it for events and alerts."""

    kind: str  # buy_box.won, buy_box.lost, buy_box.changed, seller.joined, seller.left,
    #            price.dropped, price.raised, offer_count.changed
    field: str
    old: Any
    new: Any
    seller_id: str | None = None

    def as_payload(self) -> dict[str, Any]:
        payload = {"kind": self.kind, "field": self.field, "old": self.old, "new": self.new}
        if self.seller_id is not None:
            payload["seller_id"] = self.seller_id
        return payload


def offer_changes(
    old_offers: list[dict[str, Any]],
    old_buy_box_seller: str | None,
    old_offer_count: int,
    new: SnapshotValues,
) -> list[Change]:
    """What changed from the previous snapshot (given by its columns) to `new`."""
    changes: list[Change] = []
    old_mine = any(offer.get("mine") and offer.get("buy_box") for offer in old_offers)
    new_mine = any(offer["mine"] and offer["buy_box"] for offer in new.offers)
    if old_buy_box_seller != new.buy_box_seller_id:
        kind = "buy_box.changed"
        if new_mine and not old_mine:
            kind = "buy_box.won"
        elif old_mine and not new_mine:
            kind = "buy_box.lost"
        changes.append(Change(kind, "buy_box_seller", old_buy_box_seller, new.buy_box_seller_id))
    before = _landed_by_seller(old_offers)
    after = _landed_by_seller(new.offers)
    for seller in sorted(after.keys() - before.keys()):
        changes.append(Change("seller.joined", f"offer:{seller}", None, after[seller], seller))
    for seller in sorted(before.keys() - after.keys()):
        changes.append(Change("seller.left", f"offer:{seller}", before[seller], None, seller))
    for seller in sorted(before.keys() & after.keys()):
        old_price, new_price = Decimal(before[seller]), Decimal(after[seller])
        if old_price != new_price:
            kind = "price.dropped" if new_price < old_price else "price.raised"
            field = f"offer:{seller}"
            changes.append(Change(kind, field, before[seller], after[seller], seller))
    if old_offer_count != new.offer_count:
        changes.append(
            Change("offer_count.changed", "offer_count", old_offer_count, new.offer_count)
        )
    return changes


def _landed_by_seller(offers: list[dict[str, Any]]) -> dict[str, str]:
    """Each seller's lowest landed price (a seller may list several conditions)."""
    landed: dict[str, Decimal] = {}
    for offer in offers:
        seller = str(offer.get("seller_id") or "")
        if not seller:
            continue
        amount = Decimal(str(offer.get("price", "0"))) + Decimal(str(offer.get("shipping", "0")))
        if seller not in landed or amount < landed[seller]:
            landed[seller] = amount
    return {seller: f"{amount:.2f}" for seller, amount in landed.items()}
