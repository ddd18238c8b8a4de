"""Listing content as the optimizers read and propose it, and the scorer seam.

The quality score (DESIGN 1.5) is built apart; a proposal records the score before and after
through `ContentScorer`, any callable of this shape. `scorers.content_scorer` is the one the
API and jobs use (None: scores stay empty).
"""

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class SourceContent:
    """What a listing says now, with its product's brand: the only facts a rewrite may use."""

    title: str
    bullets: tuple[str, ...] = ()
    description: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    brand: str | None = None

    def facts_text(self) -> str:
        """Every word of the source, for checking that a rewrite invents no claim."""
        values = [str(value) for value in self.attributes.values() if value is not None]
        parts = [self.title, *self.bullets, self.description or "", self.brand or ""]
        return "\n".join([*parts, *self.attributes.keys(), *values])


@dataclass(frozen=True)
class ProposedContent:
    title: str
    bullets: tuple[str, ...] = ()
    description: str | None = None


class ContentScorer(Protocol):
    """A 0-100 quality score of content on a marketplace (e.g. amazon.de)."""

    def __call__(self, content: ProposedContent, marketplace: str) -> int: ...
