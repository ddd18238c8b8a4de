"""Listing content as the optimizers read and propose it, and the scorer seam.

A proposal records the quality score (DESIGN 1.5) before and after through `ContentScorer`,
any callable of this shape; `scorers.content_scorer` is the one the API and jobs use.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from shelfwise.catalog.models import Listing


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
    """A 0-100 quality score of a listing with `content` as its title, bullets and description
    (its images and attributes as they are)."""

    def __call__(self, session: "Session", listing: "Listing", content: ProposedContent) -> int: ...
