"""The listing quality score, 0 to 100: pure, fast, and explained rule by rule.

`score_listing(content, marketplace)` applies the rules of `rules.py` to a `ListingContent`
and returns a `ScoreCard`: four sections, each rule with the points it earned out of its
maximum, the reason, and a concrete fix (None when nothing is left to fix). Points are whole
numbers: a partial rule earns floor(maximum x fraction), so the same content always scores the
same. An empty field earns nothing in every rule that reads it. The rules of each section are
in title_rules.py, content_rules.py, image_rules.py and attribute_rules.py.
"""

from collections.abc import Mapping
from typing import Any

from shelfwise.intelligence import rules as R
from shelfwise.intelligence.attribute_rules import attribute_rules
from shelfwise.intelligence.content_rules import content_rules
from shelfwise.intelligence.image_rules import image_rules
from shelfwise.intelligence.product_types import ProductTypeSchema
from shelfwise.intelligence.scorecard import (
    Image,
    ListingContent,
    RuleResult,
    ScoreCard,
    SectionScore,
)
from shelfwise.intelligence.title_rules import title_rules

__all__ = ["Image", "ListingContent", "RuleResult", "ScoreCard", "SectionScore", "score_listing"]


def score_listing(
    content: ListingContent,
    marketplace: str,
    product_type_schema: ProductTypeSchema | Mapping[str, Any] | None = None,
) -> ScoreCard:
    """Score `content` for `marketplace` (e.g. amazon.co.uk); with the product type's
    definition, attributes are checked against it."""
    limits = R.rules_for(marketplace)
    if product_type_schema is not None and not isinstance(product_type_schema, ProductTypeSchema):
        product_type_schema = ProductTypeSchema(product_type_schema)
    sections = (
        _section(R.TITLE, title_rules(content, limits, marketplace)),
        _section(R.CONTENT, content_rules(content, limits)),
        _section(R.IMAGES, image_rules(content.images, limits)),
        _section(R.ATTRIBUTES, attribute_rules(content, limits, marketplace, product_type_schema)),
    )
    return ScoreCard(
        sections[0].earned + sections[1].earned + sections[2].earned + sections[3].earned,
        sections,
    )


def _section(name: str, results: tuple[RuleResult, ...]) -> SectionScore:
    earned = 0
    for result in results:
        earned += result.earned
    return SectionScore(name, earned, R.SECTIONS[name], results)
