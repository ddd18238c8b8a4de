"""The body of `GET /api/listings/{id}/keywords`."""

import uuid

from pydantic import BaseModel, Field


class CompetitorOut(BaseModel):
    asin: str
    title: str
    relevance: float = Field(description="0-1: its BM25 for the listing's words / the listing's.")


class CandidateOut(BaseModel):
    term: str
    score: float = Field(description=">= 0; see intelligence/keywords.py for the formula.")
    competitor_count: int = Field(description="How many of the competitors use the term.")
    in_listing: bool = Field(description="The listing's title, bullets, description or search "
                             "terms have it.")  # fmt: skip


class UsageOut(BaseModel):
    asin: str
    fields: list[str] = Field(description="Where that competitor uses it: title, bullets.")


class MissingTermOut(BaseModel):
    term: str
    score: float
    used_by: list[UsageOut]


class KeywordReportOut(BaseModel):
    listing_id: uuid.UUID
    marketplace: str
    language: str = Field(description="Whose stop words and number format applied: en, de, …")
    method: str = Field(description="bm25, or bm25+ the embedder blended in.")
    competitors: list[CompetitorOut] = Field(description="Those with text, in the order asked.")
    competitors_without_text: list[str] = Field(
        description="ASINs asked for (or watched) with no fetched item on the listing's "
        "marketplace: fetch them with GET /api/amazon/items first."
    )
    candidates: list[CandidateOut] = Field(description="Best first; ties by term.")
    missing: list[MissingTermOut] = Field(
        description="Terms competitors use that the listing lacks, best first."
    )
