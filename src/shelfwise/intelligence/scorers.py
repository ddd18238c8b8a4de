"""The scorer proposals use for their score before and after (see content.ContentScorer)."""

from shelfwise.intelligence.content import ContentScorer

# The quality score (intelligence/scoring.py) plugs in here; until then proposals keep
# score_before/score_after empty rather than show a made-up figure.
content_scorer: ContentScorer | None = None
