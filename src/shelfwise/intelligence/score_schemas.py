"""Quality score API shapes: a score with its breakdown, and a queued organization rescore."""

import uuid
from datetime import datetime

from pydantic import BaseModel


class RuleOut(BaseModel):
    rule: str
    earned: int
    possible: int
    reason: str
    fix: str | None


class SectionOut(BaseModel):
    name: str
    earned: int
    possible: int
    rules: list[RuleOut]


class ScoreOut(BaseModel):
    listing_id: uuid.UUID
    score: int
    content_version: int
    computed_at: datetime
    is_stored: bool  # False: the listing was never scored, this one was computed for the answer
    previous_score: int | None
    sections: list[SectionOut]


class ScoreHistoryEntry(BaseModel):
    score: int
    previous_score: int | None
    content_version: int
    computed_at: datetime


class RescoreQueued(BaseModel):
    job_id: uuid.UUID
