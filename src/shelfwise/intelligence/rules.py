"""Each marketplace's content rules, as the optimizers and the prompt use them.

Figures from the marketplaces' seller guides: Amazon's title policy (200 characters, no
`! $ ? _ { } ^ ¬ ¦ < > ~ * # | ;`, no promotional phrases, a word at most twice), eBay's
80-character titles, Kaufland's 150-character titles. The demo marketplace follows Amazon.
"""

from dataclasses import dataclass

from shelfwise.catalog.marketplaces import marketplace as find_marketplace
from shelfwise.catalog.models import Platform

# Promotional or pressure phrases no marketplace accepts in listing content (and the usual
# payload of a prompt injection): lower case, matched on word boundaries.
PROMOTIONAL_TERMS = (
    "buy now",
    "best seller",
    "best-seller",
    "bestseller",
    "free shipping",
    "free delivery",
    "on sale",
    "limited time",
    "hot deal",
    "cheapest",
    "100% guaranteed",
    "money back",
    "click here",
)


@dataclass(frozen=True)
class MarketplaceRules:
    platform: str
    title_max: int
    bullet_count: int
    bullet_max: int
    description_max: int
    forbidden_characters: str
    forbidden_terms: tuple[str, ...] = PROMOTIONAL_TERMS
    max_word_repeats: int = 2  # Amazon: the same word at most twice in a title


AMAZON = MarketplaceRules(
    platform="amazon",
    title_max=200,
    bullet_count=5,
    bullet_max=500,
    description_max=2000,
    forbidden_characters="!$?_{}^¬¦<>~*#|;",
)
EBAY = MarketplaceRules(
    platform="ebay",
    title_max=80,
    bullet_count=5,
    bullet_max=250,
    description_max=4000,
    forbidden_characters="!$?_{}^¬¦<>~*#|;",
)
KAUFLAND = MarketplaceRules(
    platform="kaufland",
    title_max=150,
    bullet_count=5,
    bullet_max=300,
    description_max=4000,
    forbidden_characters="!$?_{}^¬¦<>~*#|;",
)
RULES: dict[str, MarketplaceRules] = {
    Platform.AMAZON.value: AMAZON,
    Platform.EBAY.value: EBAY,
    Platform.KAUFLAND.value: KAUFLAND,
    Platform.DEMO.value: AMAZON,
}


def rules_for(marketplace_code: str) -> MarketplaceRules:
    """The rules of a marketplace code such as amazon.de (Amazon's for one we do not know)."""
    found = find_marketplace(marketplace_code)
    return RULES[found.platform.value] if found is not None else AMAZON
