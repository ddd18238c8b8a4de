"""What the quality score reads (`ListingContent`) and what it answers (`ScoreCard`)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True, slots=True)
class Image:
    """One image and, when known, its declared size in pixels."""

    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class ListingContent:
    """What the score reads of a listing (build it with `service.content_of` for a stored one)."""

    title: str
    bullets: tuple[str, ...] = ()
    description: str = ""
    images: tuple[Image, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    search_terms: str = ""
    product_type: str | None = None
    brand: str | None = None


class RuleResult(NamedTuple):
    rule: str  # e.g. "title.length"
    earned: int
    possible: int
    reason: str
    fix: str | None  # None when the rule earned all its points


class SectionScore(NamedTuple):
    name: str
    earned: int
    possible: int
    rules: tuple[RuleResult, ...]


class ScoreCard(NamedTuple):
    score: int  # 0 to 100
    sections: tuple[SectionScore, ...]

    def section(self, name: str) -> SectionScore:
        return next(section for section in self.sections if section.name == name)

    def rule(self, name: str) -> RuleResult:
        return next(
            rule for section in self.sections for rule in section.rules if rule.rule == name
        )

    def breakdown(self) -> dict[str, Any]:
        """The card as JSON: what is stored with each score and what the API returns."""
        return {
            "score": self.score,
            "sections": [
                {
                    "name": section.name,
                    "earned": section.earned,
                    "possible": section.possible,
                    "rules": [rule._asdict() for rule in section.rules],
                }
                for section in self.sections
            ],
        }


def share(points: int, part: int, whole: int) -> int:
    """floor(points x part / whole), part capped at whole."""
    return points * min(part, whole) // whole


def numbers(positions: list[int]) -> str:
    """Positions as a readable list: "2, 5"."""
    return ", ".join(str(position) for position in positions)
