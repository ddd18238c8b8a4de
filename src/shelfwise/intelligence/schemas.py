"""Bodies of the AI optimization API."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shelfwise.catalog.models import ListingStatus
from shelfwise.catalog.schemas import FieldDiff
from shelfwise.intelligence.models import ProposalStatus

MAX_BATCH = 500  # listings per batch job: one job, one progress bar a person can follow


class ProposalOut(BaseModel):
    id: uuid.UUID
    listing_id: uuid.UUID
    scope: str = Field(description="all, title or description")
    marketplace: str
    base_version: int = Field(description="The listing content version this rewrites.")
    title: str
    bullets: list[str]
    description: str | None
    source: str = Field(description="llm or offline")
    model: str | None
    prompt_version: str | None
    fallback_reason: str | None = Field(
        description="Why the offline optimizer stood in for the organization's model."
    )
    validation_notes: list[str]
    diff: list[FieldDiff] = Field(description="Word-level diff against base_version.")
    score_before: int | None
    score_after: int | None
    status: ProposalStatus
    created_by: str | None
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    applied_version: int | None = Field(description="The content version approval created.")


class ProposalDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class BatchOptimize(BaseModel):
    """Listing ids, or a filter of the catalog's listings (not both)."""

    model_config = ConfigDict(extra="forbid")

    listing_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=MAX_BATCH)
    status: ListingStatus | None = None
    marketplace: Annotated[str, StringConstraints(max_length=64)] | None = None
    scope: Annotated[str, StringConstraints(pattern=r"^(all|title|description)$")] = "all"

    @model_validator(mode="after")
    def _one_selection(self) -> "BatchOptimize":
        filtered = self.status is not None or self.marketplace is not None
        if (self.listing_ids is None) == (not filtered):
            raise ValueError("give either listing_ids or a filter (status, marketplace)")
        return self
