"""The scorer proposals use for their score before and after (see content.ContentScorer)."""

from dataclasses import replace

from sqlalchemy.orm import Session

from shelfwise.catalog.models import Listing
from shelfwise.intelligence.content import ContentScorer, ProposedContent
from shelfwise.intelligence.score_service import content_of, score
from shelfwise.intelligence.scoring import score_listing


def quality_score(session: Session, listing: Listing, content: ProposedContent) -> int:
    """The listing's quality score with `content` in place of its text: what the proposal would
    make of the listing if approved (its product's brand included, as the listing's own score;
    without a product type definition, as the bulk scores)."""
    _, product = score.listing(session, listing.organization_id, listing.id)
    proposed = replace(
        content_of(listing, product),
        title=content.title,
        bullets=content.bullets,
        description=content.description or "",
    )
    return score_listing(proposed, listing.marketplace).score


content_scorer: ContentScorer = quality_score
