"""The offline optimizer: a deterministic, rule-based clean-up of a listing's content.

Used when an organization configured no model and whenever the model fails. It never adds a
fact: the title gets the brand first (from the product), then the product words as written,
then key attributes the title lacks (from the listing's attributes) while they fit; bullets are
made from the attributes only when the listing has none. Every step is idempotent, so
optimizing the result again changes nothing.

Title steps, in order: forbidden characters and promotional terms removed, ALL CAPS words
(not acronyms, units or the brand) Capitalized, brand first, words past their second use
dropped, key attributes appended, trimmed to the marketplace's limit at a word boundary.
"""

import re
from typing import Any

from shelfwise.intelligence.content import ProposedContent, SourceContent
from shelfwise.intelligence.rules import MarketplaceRules
from shelfwise.intelligence.text import (
    clean_line,
    collapse,
    fix_casing,
    limit_repeats,
    remove_characters,
    remove_terms,
    trim_words,
)

_PARENTHESIZED = re.compile(r"\([^)]*\)")
# Attributes worth a place in the title, in the order they are appended.
KEY_ATTRIBUTES = ("model", "size", "color", "colour", "material", "capacity", "pack_size")


def _scalar(value: Any) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = collapse(str(value))
        return text or None
    return None


def clean_brand(brand: str | None) -> str | None:
    """The brand without a page's byline notes: "David Baldacci (author)" is David Baldacci."""
    if not brand:
        return None
    # Trimmed as a title end is, so a title that starts with it still does after trimming.
    return trim_words(_PARENTHESIZED.sub(" ", brand), len(brand)) or None


def _brand_first(title: str, brand: str | None) -> str:
    if not brand:
        return title
    if title.lower().startswith(brand.lower()):
        return brand + title[len(brand) :]
    return f"{brand} {title}"


def optimize_title(source: SourceContent, rules: MarketplaceRules) -> str:
    brand = clean_brand(remove_characters(source.brand or "", rules.forbidden_title_characters))
    keep = frozenset(brand.split()) if brand else frozenset()
    title = remove_characters(collapse(source.title), rules.forbidden_title_characters)
    title, _terms = remove_terms(title, rules.forbidden_terms)
    title = fix_casing(title, keep)
    title = _brand_first(title, brand)
    title = limit_repeats(title, rules.max_word_repeats)
    for name in KEY_ATTRIBUTES:
        value = _scalar(source.attributes.get(name))
        if value is None:
            continue
        value = fix_casing(remove_characters(value, rules.forbidden_title_characters), keep)
        if not value or value.lower() in title.lower():
            continue
        longer = f"{title}, {value}"
        if len(longer) <= rules.title_max:
            title = longer
    return trim_words(title, rules.title_max)


def _label(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def bullets_from_attributes(attributes: dict[str, Any], rules: MarketplaceRules) -> list[str]:
    """One bullet per scalar attribute, `Label: value`, in the attributes' name order."""
    bullets = []
    for name in sorted(attributes):
        value = _scalar(attributes[name])
        if value is None:
            continue
        bullets.append(f"{_label(name)}: {value}")
    return bullets[: rules.bullets_recommended]


def optimize_bullets(source: SourceContent, rules: MarketplaceRules) -> list[str]:
    brand = clean_brand(source.brand) or ""
    keep = frozenset(brand.split())
    raw = list(source.bullets) or bullets_from_attributes(source.attributes, rules)
    bullets: list[str] = []
    seen: set[str] = set()
    for bullet in raw:
        cleaned = clean_line(bullet, rules, rules.bullet_max, keep)
        if cleaned and cleaned.lower() not in seen:
            seen.add(cleaned.lower())
            bullets.append(cleaned)
    return bullets[: rules.bullets_recommended]


def optimize_description(source: SourceContent, rules: MarketplaceRules) -> str | None:
    if not source.description:
        return None
    text = remove_characters(collapse(source.description), "<>{}^¬¦~")
    text, _terms = remove_terms(text, rules.forbidden_terms)
    return trim_words(text, rules.description_max) or None


def optimize(source: SourceContent, rules: MarketplaceRules) -> ProposedContent:
    """The offline proposal for all three fields."""
    return ProposedContent(
        title=optimize_title(source, rules),
        bullets=tuple(optimize_bullets(source, rules)),
        description=optimize_description(source, rules),
    )
