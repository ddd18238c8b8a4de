"""Scoring stored listings: compute, keep the score and its history, and raise `score.changed`
when a score drops by more than the alert threshold.

Services never commit: the request or the job does.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.catalog.models import Listing, Product
from shelfwise.catalog.repository import ListingRepository, ProductRepository
from shelfwise.events.service import publish
from shelfwise.intelligence.product_types import ProductTypeSchema
from shelfwise.intelligence.rules import drop_severity
from shelfwise.intelligence.score_models import ListingScoreHistory
from shelfwise.intelligence.score_repository import ListingScoreRepository, ScoreHistoryRepository
from shelfwise.intelligence.scoring import Image, ListingContent, ScoreCard, score_listing
from shelfwise.platform.errors import NotFoundError
from shelfwise.platform.types import utcnow

SCORE_CHANGED = "score.changed"


@dataclass(frozen=True)
class StoredScore:
    """A listing's score as the API shows it; `is_stored` is False for one computed on read."""

    listing_id: uuid.UUID
    score: int
    content_version: int
    breakdown: dict[str, Any]
    computed_at: datetime
    is_stored: bool
    previous_score: int | None = None
    severity: str | None = None  # set when this computation raised score.changed


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(item) for item in value if item is not None)
    return "" if value is None else str(value)


def _size(declared: Any) -> tuple[int | None, int | None]:
    """(width, height) from {"width": w, "height": h} or [w, h]; (None, None) otherwise."""
    if isinstance(declared, Mapping):
        width, height = declared.get("width"), declared.get("height")
    elif isinstance(declared, list | tuple) and len(declared) == 2:
        width, height = declared
    else:
        return None, None
    if isinstance(width, int) and isinstance(height, int):
        return width, height
    return None, None


def content_of(listing: Listing, product: Product | None = None) -> ListingContent:
    """What the score reads of a stored listing. Conventions in `attributes`: `product_type`,
    `search_terms` (or Amazon's `generic_keyword`), `brand` (else the product's), and
    `image_dimensions` ({url: {"width": w, "height": h}}) for declared image sizes."""
    attributes = listing.attributes or {}
    dimensions = attributes.get("image_dimensions")
    declared = dimensions if isinstance(dimensions, Mapping) else {}
    brand = _text(attributes.get("brand")) or (product.brand if product is not None else None)
    search_terms = attributes.get("search_terms", attributes.get("generic_keyword"))
    product_type = attributes.get("product_type")
    return ListingContent(
        title=listing.title or "",
        bullets=tuple(str(bullet) for bullet in listing.bullets or ()),
        description=listing.description or "",
        images=tuple(Image(url, *_size(declared.get(url))) for url in listing.images or ()),
        attributes={name: value for name, value in attributes.items() if name != "brand"},
        search_terms=_text(search_terms),
        product_type=str(product_type).upper() if product_type else None,
        brand=brand or None,
    )


def _stored(row: Any, is_stored: bool = True) -> StoredScore:
    return StoredScore(
        listing_id=row.listing_id,
        score=row.score,
        content_version=row.content_version,
        breakdown=row.breakdown,
        computed_at=row.computed_at,
        is_stored=is_stored,
        previous_score=getattr(row, "previous_score", None),
    )


class ScoreService:
    def listing(
        self, session: Session, organization_id: uuid.UUID, listing_id: uuid.UUID
    ) -> tuple[Listing, Product | None]:
        listing = ListingRepository(session, organization_id).get(listing_id)
        if listing is None:
            raise NotFoundError("No such listing.")
        return listing, ProductRepository(session, organization_id).get(listing.product_id)

    def card(
        self,
        session: Session,
        organization_id: uuid.UUID,
        listing_id: uuid.UUID,
        schema: ProductTypeSchema | None = None,
    ) -> tuple[Listing, ScoreCard]:
        """The listing's score now, computed and not stored."""
        listing, product = self.listing(session, organization_id, listing_id)
        return listing, score_listing(content_of(listing, product), listing.marketplace, schema)

    def current(
        self, session: Session, organization_id: uuid.UUID, listing_id: uuid.UUID
    ) -> StoredScore:
        """The stored score of the listing's current content; a listing never scored yet, or
        whose content changed since (its rescore job has not run yet), is scored on the fly
        (not stored), so nobody reads the old content's score next to the new content."""
        row = ListingScoreRepository(session, organization_id).of_listing(listing_id)
        # The row goes with its listing (foreign key, on delete cascade).
        if row is not None:
            listing, _ = self.listing(session, organization_id, listing_id)
            if row.content_version == listing.content_version:
                return _stored(row)
        listing, card = self.card(session, organization_id, listing_id)
        return StoredScore(
            listing_id, card.score, listing.content_version, card.breakdown(), utcnow(), False
        )

    def history(
        self, session: Session, organization_id: uuid.UUID, listing_id: uuid.UUID, limit: int
    ) -> list[StoredScore]:
        self.listing(session, organization_id, listing_id)
        rows = ScoreHistoryRepository(session, organization_id).of_listing(listing_id, limit)
        return [_stored(row) for row in rows]

    def recompute(
        self,
        session: Session,
        organization_id: uuid.UUID,
        listing_id: uuid.UUID,
        schema: ProductTypeSchema | None = None,
    ) -> StoredScore:
        """Score the listing, store it with its history, and publish `score.changed` when it
        fell more than the alert threshold below the previous score."""
        listing, card = self.card(session, organization_id, listing_id, schema)
        scores = ListingScoreRepository(session, organization_id)
        previous = scores.of_listing(listing_id, for_update=True)
        previous_score = previous.score if previous is not None else None
        now, breakdown = utcnow(), card.breakdown()
        scores.save(listing_id, card.score, listing.content_version, breakdown, now)
        ScoreHistoryRepository(session, organization_id).add(
            ListingScoreHistory(
                listing_id=listing_id,
                score=card.score,
                previous_score=previous_score,
                content_version=listing.content_version,
                breakdown=breakdown,
                computed_at=now,
            )
        )
        listing.quality_score = card.score
        severity = drop_severity(previous_score, card.score)
        if severity is not None and previous_score is not None:
            publish(
                session,
                organization_id,
                SCORE_CHANGED,
                {
                    "listing_id": str(listing_id),
                    "previous_score": previous_score,
                    "score": card.score,
                    "drop_percent": round(100 * (previous_score - card.score) / previous_score),
                    "severity": severity,
                    "content_version": listing.content_version,
                },
            )
        session.flush()
        return StoredScore(
            listing_id,
            card.score,
            listing.content_version,
            breakdown,
            now,
            True,
            previous_score,
            severity,
        )


score = ScoreService()
