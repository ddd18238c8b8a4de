"""Keywords of a stored listing: its content, its competitors' kept items, the analysis."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.audit.service import ActsForOrganization
from shelfwise.catalog.models import Listing
from shelfwise.catalog.service import listing as listings
from shelfwise.intelligence.keyword_repository import CompetitorItemRepository
from shelfwise.intelligence.keyword_schemas import (
    CandidateOut,
    CompetitorOut,
    KeywordReportOut,
    MissingTermOut,
    UsageOut,
)
from shelfwise.intelligence.keywords import (
    SEARCH_TERM_ATTRIBUTES,
    CompetitorText,
    ListingContent,
    analyse_keywords,
)
from shelfwise.intelligence.semantic import Embedder, LexicalEmbedder, semantic_embedder
from shelfwise.intelligence.tokens import language_of


def listing_content(listing: Listing) -> ListingContent:
    """The listing's text; search terms from its `search_terms` or `generic_keyword` attribute
    (a string, or a list of strings)."""
    attributes: Mapping[str, Any] = listing.attributes or {}
    search_terms: list[str] = []
    for name in SEARCH_TERM_ATTRIBUTES:
        value = attributes.get(name)
        if isinstance(value, str):
            search_terms.append(value)
        elif isinstance(value, list):
            search_terms.extend(str(part) for part in value if isinstance(part, str))
    return ListingContent(
        title=listing.title,
        bullets=[str(bullet) for bullet in listing.bullets or []],
        description=listing.description or "",
        search_terms="\n".join(search_terms),
        attributes=attributes,
    )


def competitor_text(asin: str, item: Mapping[str, Any]) -> CompetitorText:
    """A kept marketplace-format item's text (items carry no description)."""
    title = item.get("title")
    bullets = item.get("bullets")
    return CompetitorText(
        asin=asin,
        title=title if isinstance(title, str) else "",
        bullets=[str(b) for b in bullets] if isinstance(bullets, list) else [],
    )


def embedder_for(language: str, is_semantic: bool) -> Embedder | None:
    """None when semantic blending is off; the model only for English listings, as
    all-MiniLM-L6-v2 was trained on English text (elsewhere character trigrams serve)."""
    if not is_semantic:
        return None
    return semantic_embedder() if language == "en" else LexicalEmbedder()


def listing_keywords(
    session: Session,
    who: ActsForOrganization,
    listing_id: uuid.UUID,
    asins: Sequence[str] | None,
    limit: int,
    *,
    is_semantic: bool = False,
) -> KeywordReportOut:
    """The report for one listing; competitors are `asins`, or the ASINs its account watches."""
    listing = listings.get(session, who, listing_id)
    repository = CompetitorItemRepository(session, who.organization_id)
    wanted = (
        list(asins)
        if asins is not None
        else repository.watched_asins(listing.marketplace_account_id)
    )
    wanted = [asin for asin in wanted if asin != listing.asin]
    kept = repository.items(listing.marketplace, wanted)
    texts = [competitor_text(asin, kept[asin].item) for asin in wanted if asin in kept]
    language = language_of(listing.marketplace)
    report = analyse_keywords(
        listing_content(listing),
        texts,
        listing.marketplace,
        embedder=embedder_for(language, is_semantic),
        limit=limit,
    )
    return KeywordReportOut(
        listing_id=listing.id,
        marketplace=listing.marketplace,
        language=report.language,
        method=report.method,
        competitors=[
            CompetitorOut(asin=text.asin, title=text.title, relevance=relevance.relevance)
            for text, relevance in zip(texts, report.competitors, strict=True)
        ],
        competitors_without_text=[asin for asin in wanted if asin not in kept],
        candidates=[
            CandidateOut(
                term=candidate.term,
                score=candidate.score,
                competitor_count=candidate.competitor_count,
                in_listing=candidate.in_listing,
            )
            for candidate in report.candidates
        ],
        missing=[
            MissingTermOut(
                term=term.term,
                score=term.score,
                used_by=[UsageOut(asin=use.asin, fields=list(use.fields)) for use in term.used_by],
            )
            for term in report.missing
        ],
    )
