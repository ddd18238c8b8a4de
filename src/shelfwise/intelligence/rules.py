"""Listing content rules: the quality score's rules and weights, and each marketplace's limits
that the score, the offline optimizer, the model's prompt and its validation all apply.

Four sections add up to 100 (DESIGN 1.5, S4's baseline weights): title 30, bullets and
description 30, images 20, attributes 20. Each rule has a fixed maximum; `scoring.py` applies
them. Every rule earns more (or the same) when the field it reads gets better, never less, so
fixing one thing can never lower its section (a property test holds the rules to that). One
exception is Amazon's own: under a product type definition, an attribute can bring conditional
requirements with it (a "yes" to batteries_required asks for battery details), so giving it can
lower the share of required attributes present until those are filled too.

Limits and their sources (Amazon Seller Central help pages, as of 2025):
- Title: at most 200 characters including spaces; no `! $ ? _ { } ^ ¬ ¦` unless part of the
  brand; no word more than twice (articles, prepositions and conjunctions excepted); no
  promotional phrases; not all capitals ("Product title requirements and guidelines", in force
  since 2025-01-21). eBay titles: at most 80 characters (eBay "Item title" help page).
  Kaufland titles: at most 150 characters (Kaufland seller portal, "Product data" guide).
- Bullets: up to 5 shown on most detail pages; Amazon recommends keeping each under 255
  characters, with a 10-character floor below which a bullet carries no information ("Bullet
  points" style guide).
- Description: at most 2,000 characters ("Product description" style guide).
- Images: up to 9 (1 main + 8 others) shown; 1,000 pixels or more on the longest side enables
  zoom; under 500 pixels Amazon refuses the image ("Product image requirements").
- Search terms (`generic_keyword`): less than 250 bytes (UTF-8 bytes, not characters); Amazon
  indexes none of them when the field is over ("Use search terms effectively").
"""

import re
from dataclasses import dataclass, replace

from shelfwise.catalog.marketplaces import marketplace as find_marketplace
from shelfwise.catalog.models import Platform

# -- weights (points possible per rule; sections add up to 30, 30, 20, 20) -----------------

TITLE = "title"
CONTENT = "bullets_description"
IMAGES = "images"
ATTRIBUTES = "attributes"
SECTIONS: dict[str, int] = {TITLE: 30, CONTENT: 30, IMAGES: 20, ATTRIBUTES: 20}

RULE_POINTS: dict[str, int] = {
    "title.length": 10,
    "title.forbidden_characters": 6,
    "title.repeated_words": 6,
    "title.all_caps": 4,
    "title.promotional": 4,
    "bullets.count": 8,
    "bullets.length": 7,
    "bullets.style": 5,
    "description.length": 10,
    "images.count": 8,
    "images.main": 6,
    "images.resolution": 6,
    "attributes.brand": 4,
    "attributes.search_terms": 4,
    "attributes.required": 8,
    "attributes.valid": 4,
}
RULE_SECTIONS: dict[str, str] = {
    rule: {"title": TITLE, "bullets": CONTENT, "description": CONTENT, "images": IMAGES}.get(
        rule.split(".", 1)[0], ATTRIBUTES
    )
    for rule in RULE_POINTS
}

# -- text rules shared by every marketplace -------------------------------------------------

# Words Amazon lets a title repeat ("articles, prepositions and conjunctions").
REPEATABLE_WORDS = frozenset({
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
    "to", "with", "without",
    "und", "oder", "mit", "für", "der", "die", "das",  # German
    "et", "ou", "avec", "pour", "le", "la", "les", "de",  # French
    "y", "o", "con", "para", "el", "los",  # Spanish
})  # fmt: skip
MAX_WORD_REPEATS = 2
# An all-caps word this long or longer is shouting; shorter ones are mostly units and acronyms
# (USB, LED, HDMI, XXL).
ALL_CAPS_MIN_LETTERS = 5
PROMOTIONAL_PHRASES = (
    "best seller",
    "bestseller",
    "best selling",
    "free shipping",
    "free delivery",
    "100% guaranteed",
    "100% satisfaction",
    "money back",
    "sale",  # also catches "on sale"
    "hot deal",
    "limited time",
    "discount",
    "cheapest",
    "kostenloser versand",
    "livraison gratuite",
    "envío gratis",
    "spedizione gratuita",
    # Pressure phrases, and the usual payload of a prompt injection in product data.
    "buy now",
    "click here",
    "best-seller",
)
FORBIDDEN_TITLE_CHARACTERS = "!$?_{}^¬¦"

WORD = re.compile(r"[^\W_]+")
# An all-caps word: ALL_CAPS_MIN_LETTERS or more letters, none lower case. The class admits
# non-ASCII lower-case letters too, so matches are confirmed with str.isupper(); ASCII text
# without a run of capitals (most text) is ruled out by the cheaper ASCII_CAPS_RUN first.
ALL_CAPS_WORD = re.compile(rf"\b[^\W\d_a-z]{{{ALL_CAPS_MIN_LETTERS},}}\b")
ASCII_CAPS_RUN = re.compile(rf"[A-Z]{{{ALL_CAPS_MIN_LETTERS}}}")
# Matched against lower-cased text (faster than re.IGNORECASE); a space matches any whitespace.
PROMOTIONAL = re.compile(
    r"\b(?:"
    + "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in PROMOTIONAL_PHRASES)
    + r")\b"
)
# Each phrase's first word: text containing none of them cannot match PROMOTIONAL.
_FIRST_WORDS = {phrase.split()[0] for phrase in PROMOTIONAL_PHRASES}
PROMOTIONAL_KEYS = tuple(
    sorted(word for word in _FIRST_WORDS if not any(o != word and o in word for o in _FIRST_WORDS))
)


@dataclass(frozen=True)
class MarketplaceRules:
    """The limits one marketplace enforces (see the module docstring for their sources)."""

    title_max: int = 200
    title_recommended: int = 80  # shorter titles tell shoppers too little to click
    forbidden_title_characters: str = FORBIDDEN_TITLE_CHARACTERS
    bullets_recommended: int = 5
    bullet_min: int = 10
    bullet_max: int = 255
    description_max: int = 2000
    description_recommended: int = 1000  # detail pages that convert use about half the room
    images_recommended: int = 7  # the main image and six others
    image_min_side: int = 500
    image_zoom_side: int = 1000
    search_terms_max_bytes: int = 249  # "less than 250 bytes"
    forbidden_pattern: re.Pattern[str] = re.compile(r"[!$?_{}^¬¦]")
    platform: str = "amazon"
    forbidden_terms: tuple[str, ...] = PROMOTIONAL_PHRASES
    max_word_repeats: int = MAX_WORD_REPEATS

    def with_forbidden(self, characters: str) -> "MarketplaceRules":
        pattern = re.compile("[" + re.escape(characters) + "]")
        return replace(self, forbidden_title_characters=characters, forbidden_pattern=pattern)


AMAZON = MarketplaceRules()
EBAY = replace(AMAZON, platform="ebay", title_max=80, title_recommended=60)
KAUFLAND = replace(AMAZON, platform="kaufland", title_max=150)

# Each platform's limits; the demo marketplace follows Amazon, an unknown code gets Amazon's.
PLATFORM_RULES: dict[Platform, MarketplaceRules] = {
    Platform.AMAZON: AMAZON,
    Platform.EBAY: EBAY,
    Platform.KAUFLAND: KAUFLAND,
    Platform.DEMO: AMAZON,
}


def rules_for(marketplace_code: str) -> MarketplaceRules:
    """The limits of a marketplace code such as amazon.co.uk or ebay.de, Amazon's by default."""
    found = find_marketplace(marketplace_code)
    return PLATFORM_RULES.get(found.platform, AMAZON) if found is not None else AMAZON


# Used when no product type definition is at hand: this many filled attributes earn the
# "required attributes" rule in full (a definition, when given, names the real ones).
ATTRIBUTES_WITHOUT_DEFINITION = 5


# -- alerts ---------------------------------------------------------------------------------

# A score that falls by more than this share of its previous value raises `score.changed`
# (DESIGN 1.5: "drops of more than 20% raise an alert"); from CRITICAL_DROP_PERCENT it is
# critical. Whole percentages, compared in integers, so 100 -> 80 is exactly 20 % (no alert).
ALERT_DROP_PERCENT = 20
CRITICAL_DROP_PERCENT = 40


def drop_severity(previous: int | None, score: int) -> str | None:
    """ "warning" or "critical" when `score` fell more than ALERT_DROP_PERCENT below `previous`."""
    if not previous or score >= previous:
        return None
    fallen = (previous - score) * 100
    if fallen >= CRITICAL_DROP_PERCENT * previous:
        return "critical"
    if fallen > ALERT_DROP_PERCENT * previous:
        return "warning"
    return None
