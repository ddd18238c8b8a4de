"""Every rule of the quality score with its exact points, reason and fix; then properties: the
score stays within 0-100 and improving one field never lowers its section."""

import re
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shelfwise.intelligence import rules
from shelfwise.intelligence.scoring import Image, ListingContent, score_listing
from tests.intelligence.listings import BULLETS, PERFECT, TITLE, content, image

EMPTY_TITLE_FIX = "Write a title: brand, product type, key feature, then size or quantity."
SHORT_IMAGE_FIX = "Replace the main image with one of 1000 pixels or more."


@dataclass(frozen=True)
class Case:
    id: str
    changes: dict[str, Any]
    rule: str
    earned: int
    reason: str
    fix: str | None
    marketplace: str = "amazon.com"


CASES = [
    # -- title.length (10)
    Case("title-within-limit", {}, "title.length", 10,
         "The title has 98 characters, within amazon.com's 200.", None),
    Case("title-empty", {"title": "   "}, "title.length", 0, "There is no title.",
         EMPTY_TITLE_FIX),
    Case("title-over-200", {"title": "Acme " + "b" * 196}, "title.length", 0,
         "The title has 201 characters; amazon.com allows 200.",
         "Cut the title to 200 characters or fewer."),
    Case("title-over-ebay-80", {}, "title.length", 0,
         "The title has 98 characters; ebay.com allows 80.",
         "Cut the title to 80 characters or fewer.", "ebay.com"),
    Case("title-short", {"title": "Acme Silver Charm Bracelet"}, "title.length", 3,
         "The title has 26 characters; 80 or more tell shoppers what the product is.",
         "Add material, size, quantity or the key feature (54 more characters)."),
    # -- title.forbidden_characters (6)
    Case("forbidden-none", {}, "title.forbidden_characters", 6,
         "The title has none of the characters Amazon forbids.", None),
    Case("forbidden-exclamation", {"title": TITLE + "!"}, "title.forbidden_characters", 0,
         "The title contains forbidden characters: !",
         "Remove ! from the title (allowed only inside the brand name)."),
    Case("forbidden-several", {"title": TITLE.replace(",", "?") + " {Gift} ¦"},
         "title.forbidden_characters", 0, "The title contains forbidden characters: ? { } ¦",
         "Remove ? { } ¦ from the title (allowed only inside the brand name)."),
    Case("forbidden-inside-brand", {"title": "Yahoo! " + TITLE, "brand": "Yahoo!"},
         "title.forbidden_characters", 6,
         "The title has none of the characters Amazon forbids.", None),
    Case("forbidden-empty-title", {"title": ""}, "title.forbidden_characters", 0,
         "There is no title.", EMPTY_TITLE_FIX),
    # -- title.repeated_words (6)
    Case("repeats-none", {}, "title.repeated_words", 6, "No word appears more than 2 times.",
         None),
    Case("repeats-three-times",
         {"title": "Silver Bracelet, Silver Chain and Silver Charm for Women and Girls and Mum"},
         "title.repeated_words", 0, "Repeated more than 2 times: silver.",
         "Use silver at most 2 times; repeats add no ranking."),
    Case("repeats-ignore-case", {"title": "Charm bracelet CHARM Bracelet charm bracelet"},
         "title.repeated_words", 0, "Repeated more than 2 times: bracelet, charm.",
         "Use bracelet, charm at most 2 times; repeats add no ranking."),
    Case("repeats-twice-allowed", {"title": "Silver Bracelet with Silver Charm"},
         "title.repeated_words", 6, "No word appears more than 2 times.", None),
    # -- title.all_caps (4)
    Case("caps-none", {}, "title.all_caps", 4, "No word is in capitals.", None),
    Case("caps-shouting", {"title": "Acme STERLING Silver Charm BRACELET for Women"},
         "title.all_caps", 0, "Words in capitals: STERLING, BRACELET.",
         "Write STERLING, BRACELET in title case; Amazon does not allow titles in capitals."),
    Case("caps-acronyms-allowed", {"title": "Acme USB LED HDMI Cable 2 m"}, "title.all_caps", 4,
         "No word is in capitals.", None),
    Case("caps-brand-allowed", {"title": "ACMEWORKS Charm Bracelet", "brand": "ACMEWORKS"},
         "title.all_caps", 4, "No word is in capitals.", None),
    # -- title.promotional (4)
    Case("promo-none", {}, "title.promotional", 4, "The title makes no promotional claims.",
         None),
    Case("promo-phrases", {"title": TITLE + " - Best  Seller, FREE shipping"},
         "title.promotional", 0,
         "The title makes promotional claims: best seller, free shipping.",
         "Remove best seller, free shipping; prices and offers belong in the offer, not the"
         " content."),
    Case("promo-inside-word", {"title": "Acme Wholesale Bracelet Box"}, "title.promotional", 4,
         "The title makes no promotional claims.", None),
    # -- bullets.count (8)
    Case("bullets-five", {}, "bullets.count", 8, "5 bullet points.", None),
    Case("bullets-three", {"bullets": BULLETS[:3]}, "bullets.count", 4,
         "3 bullet points; 5 are shown on the detail page.",
         "Add 2 bullet points: benefits, materials, size, compatibility, care."),
    Case("bullets-blank-ignored", {"bullets": ("", "  ", *BULLETS[:4])}, "bullets.count", 6,
         "4 bullet points; 5 are shown on the detail page.",
         "Add 1 bullet points: benefits, materials, size, compatibility, care."),
    Case("bullets-none", {"bullets": ()}, "bullets.count", 0,
         "0 bullet points; 5 are shown on the detail page.",
         "Add 5 bullet points: benefits, materials, size, compatibility, care."),
    # -- bullets.length (7)
    Case("bullet-lengths-fine", {}, "bullets.length", 7,
         "Every bullet point has 10 to 255 characters.", None),
    Case("bullet-lengths-two-wrong", {"bullets": (*BULLETS[:3], "Silver", "x" * 256)},
         "bullets.length", 4, "2 of 5 bullet points are outside 10 to 255 characters.",
         "Rewrite bullet points 4, 5 to 10-255 characters each."),
    Case("bullet-lengths-none", {"bullets": ()}, "bullets.length", 0,
         "There are no bullet points.", "Write bullet points."),
    # -- bullets.style (5)
    Case("bullet-style-fine", {}, "bullets.style", 5,
         "No bullet point shouts in capitals or makes promotional claims.", None),
    Case("bullet-style-one-wrong",
         {"bullets": (*BULLETS[:4], "GENUINE silver, delivered in a box")}, "bullets.style", 4,
         "1 of 5 bullet points use capitals or promotional claims.",
         "Rewrite bullet points 5 in sentence case, without sales claims."),
    Case("bullet-style-promotional", {"bullets": ("Free shipping on every order", *BULLETS[1:])},
         "bullets.style", 4, "1 of 5 bullet points use capitals or promotional claims.",
         "Rewrite bullet points 1 in sentence case, without sales claims."),
    # -- description.length (10)
    Case("description-fine", {}, "description.length", 10,
         "The description has 1159 characters, within 2000.", None),
    Case("description-empty", {"description": ""}, "description.length", 0,
         "There is no description.", "Write a description of 1000 to 2000 characters."),
    Case("description-short", {"description": "d" * 250}, "description.length", 2,
         "The description has 250 characters; 1000 or more answer shoppers' questions.",
         "Add use cases, specifications and what is in the box (750 more characters)."),
    Case("description-over-2000", {"description": "d" * 2001}, "description.length", 0,
         "The description has 2001 characters; the limit is 2000.",
         "Cut the description to 2000 characters or fewer."),
    # -- images.count (8)
    Case("images-seven", {}, "images.count", 8, "7 images.", None),
    Case("images-three", {"images": (image(1), image(2), image(3))}, "images.count", 3,
         "3 images; 7 recommended (the main image and six others).",
         "Add 4 images: details, scale, in use, packaging."),
    Case("images-none", {"images": ()}, "images.count", 0,
         "0 images; 7 recommended (the main image and six others).",
         "Add 7 images: details, scale, in use, packaging."),
    # -- images.main (6)
    Case("main-zoomable", {}, "images.main", 6,
         "The main image is 1600 pixels on its longest side.", None),
    Case("main-missing", {"images": ()}, "images.main", 0, "There is no main image.",
         "Add a main image on pure white, 1000 pixels or more."),
    Case("main-undeclared", {"images": (image(1, None, None), *PERFECT.images[1:])},
         "images.main", 3, "The main image's dimensions are not declared.",
         "Declare the main image's width and height."),
    Case("main-under-500", {"images": (image(1, 400, 300), *PERFECT.images[1:])},
         "images.main", 0,
         "The main image is 400 pixels on its longest side; Amazon refuses images under 500.",
         SHORT_IMAGE_FIX),
    Case("main-no-zoom", {"images": (image(1, 600, 800), *PERFECT.images[1:])}, "images.main",
         4, "The main image is 800 pixels on its longest side: too small to zoom.",
         SHORT_IMAGE_FIX),
    # -- images.resolution (6)
    Case("resolution-fine", {}, "images.resolution", 6,
         "Every image is 1000 pixels or more on its longest side (zoom).", None),
    Case("resolution-two-wrong",
         {"images": (image(1), image(2, None, None), image(3), image(4), image(5, 900, 900),
                     image(6), image(7))},
         "images.resolution", 4, "2 of 7 images are under 1000 pixels or have no declared size.",
         "Replace or declare images 2, 5 at 1000 pixels or more."),
    Case("resolution-none", {"images": ()}, "images.resolution", 0, "There are no images.",
         "Add images."),
    # -- attributes.brand (4)
    Case("brand-set", {}, "attributes.brand", 4, "The brand is set.", None),
    Case("brand-blank", {"brand": "  "}, "attributes.brand", 0, "There is no brand.",
         'Set the brand (or "Generic" for unbranded products).'),
    # -- attributes.search_terms (4)
    Case("search-terms-fine", {}, "attributes.search_terms", 4,
         "The search terms take 32 of 249 bytes.", None),
    Case("search-terms-at-limit", {"search_terms": "s" * 249}, "attributes.search_terms", 4,
         "The search terms take 249 of 249 bytes.", None),
    Case("search-terms-bytes-not-characters", {"search_terms": "é" * 130},
         "attributes.search_terms", 0,
         "The search terms take 260 bytes; Amazon indexes none of them past 249.",
         "Cut the search terms to 249 bytes (accented letters take 2 bytes or more)."),
    Case("search-terms-empty", {"search_terms": ""}, "attributes.search_terms", 0,
         "There are no search terms.", "Add search terms (synonyms, uses; up to 249 bytes)."),
    # -- attributes.required (8), without a product type definition
    Case("attributes-five", {}, "attributes.required", 8,
         "5 attributes filled (checked without the product type definition).", None),
    Case("attributes-two",
         {"attributes": {"material": "Silver", "color": "Silver", "search_terms": "ignored"}},
         "attributes.required", 3,
         "2 attributes filled; 5 expected without the product type definition.",
         "Fill the attributes the product type requires (material, colour, size, model)."),
    # -- attributes.valid (4), without a product type definition
    Case("attributes-all-filled", {}, "attributes.valid", 4, "Every attribute has a value.",
         None),
    Case("attributes-some-empty", {"attributes": {"material": "Silver", "color": "", "size": []}},
         "attributes.valid", 1, "2 of 3 attributes are empty.",
         "Give the empty attributes a value or remove them."),
    Case("attributes-none", {"attributes": {"product_type": "BRACELET"}}, "attributes.valid", 0,
         "There are no attributes.", "Fill the attributes."),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rule(case: Case) -> None:
    card = score_listing(content(**case.changes), case.marketplace)
    found = card.rule(case.rule)
    assert (found.earned, found.possible, found.reason, found.fix) == (
        case.earned,
        rules.RULE_POINTS[case.rule],
        case.reason,
        case.fix,
    )


def test_every_rule_has_a_case_that_loses_points() -> None:
    losing = {case.rule for case in CASES if case.earned < rules.RULE_POINTS[case.rule]}
    assert losing == set(rules.RULE_POINTS)


def test_sections_add_up_to_100_with_the_issues_weights() -> None:
    assert rules.SECTIONS == {"title": 30, "bullets_description": 30, "images": 20,
                              "attributes": 20}  # fmt: skip
    for section, possible in rules.SECTIONS.items():
        in_section = [rule for rule, name in rules.RULE_SECTIONS.items() if name == section]
        assert sum(rules.RULE_POINTS[rule] for rule in in_section) == possible


def test_a_perfect_listing_scores_100_and_an_empty_one_0() -> None:
    assert score_listing(PERFECT, "amazon.co.uk").score == 100
    assert score_listing(ListingContent(title=""), "amazon.co.uk").score == 0


def test_the_breakdown_lists_sections_and_rules_in_order() -> None:
    breakdown = score_listing(content(bullets=BULLETS[:3]), "amazon.de").breakdown()
    assert breakdown["score"] == 96
    assert [(s["name"], s["earned"], s["possible"]) for s in breakdown["sections"]] == [
        ("title", 30, 30),
        ("bullets_description", 26, 30),
        ("images", 20, 20),
        ("attributes", 20, 20),
    ]
    assert breakdown["sections"][1]["rules"][0] == {
        "rule": "bullets.count",
        "earned": 4,
        "possible": 8,
        "reason": "3 bullet points; 5 are shown on the detail page.",
        "fix": "Add 2 bullet points: benefits, materials, size, compatibility, care.",
    }


# -- properties ------------------------------------------------------------------------------

words = st.sampled_from(
    ["Acme", "silver", "SILVER", "bracelet", "Best", "Seller", "sale", "free", "shipping",
     "charm", "and", "for", "Women", "GIFT", "é", "!", "?", "{", "_", "100%", "guaranteed"]
)  # fmt: skip
text = st.lists(words, max_size=60).map(" ".join) | st.text(max_size=300)
sizes = st.none() | st.integers(min_value=0, max_value=5000)
images = st.builds(Image, st.just("https://images.example/x.jpg"), sizes, sizes)
contents = st.builds(
    ListingContent,
    title=text,
    bullets=st.lists(text, max_size=8).map(tuple),
    description=text | st.text(min_size=900, max_size=2100),
    images=st.lists(images, max_size=10).map(tuple),
    attributes=st.dictionaries(
        st.sampled_from(["material", "color", "size", "search_terms", "style"]),
        st.none() | st.text(max_size=5),
    ),
    search_terms=text,
    product_type=st.none() | st.just("BRACELET"),
    brand=st.none() | st.sampled_from(["", "Acme", "SILVER!"]),
)
marketplaces = st.sampled_from(["amazon.com", "amazon.de", "ebay.co.uk", "kaufland.de"])


@settings(max_examples=300)
@given(contents, marketplaces)
def test_the_score_is_always_within_0_and_100(listing: ListingContent, marketplace: str) -> None:
    card = score_listing(listing, marketplace)
    assert 0 <= card.score <= 100
    assert card.score == sum(section.earned for section in card.sections)
    for section in card.sections:
        assert 0 <= section.earned <= section.possible
        for rule in section.rules:
            assert 0 <= rule.earned <= rule.possible
            assert (rule.fix is None) == (rule.earned == rule.possible)


def _section(listing: ListingContent, marketplace: str, name: str) -> int:
    return score_listing(listing, marketplace).section(name).earned


CAPS = re.compile(r"[^\W\d_]+")


def _without_forbidden(listing: ListingContent, forbidden: re.Pattern[str]) -> str:
    """The title with forbidden characters replaced, but not inside the brand (allowed there)."""
    brand = (listing.brand or "").strip()
    parts = listing.title.split(brand) if brand else [listing.title]
    return brand.join(forbidden.sub("-", part) for part in parts)


def _calm(word: re.Match[str]) -> str:
    """A shouted word in title case (kept when casing would change its length, as "İ" would)."""
    calmed = word[0].capitalize()
    return calmed if len(calmed) == len(word[0]) else word[0]


GOOD_BULLET = "Solid 925 sterling silver, nickel free and safe for sensitive skin"


@settings(max_examples=200)
@given(contents, marketplaces, st.data())
def test_improving_one_field_never_lowers_its_section(
    listing: ListingContent, marketplace: str, data: st.DataObject
) -> None:
    """Each improvement is one a seller would make after reading a fix."""
    limits = rules.rules_for(marketplace)
    forbidden = limits.forbidden_pattern
    improvements = {
        # Title: forbidden characters replaced, shouted words and promotional phrases calmed.
        "title": [
            replace(listing, title=_without_forbidden(listing, forbidden)),
            replace(listing, title=CAPS.sub(_calm, listing.title)),
        ],
        "bullets_description": [
            replace(listing, bullets=(*listing.bullets, GOOD_BULLET)),
            replace(
                listing,
                description=(listing.description + " " + "d" * data.draw(st.integers(0, 1500)))[
                    : limits.description_max
                ],
            ),
        ],
        "images": [
            replace(
                listing, images=(*listing.images, Image("https://images.example/y.jpg", 1500, 1500))
            ),
            replace(
                listing,
                images=(Image("https://images.example/m.jpg", 2000, 2000), *listing.images[1:]),
            )
            if listing.images
            else listing,
        ],
        "attributes": [
            replace(listing, brand="Acme"),
            replace(listing, attributes={**listing.attributes, "finish": "Polished"}),
            replace(listing, search_terms="charm bracelet"),
        ],
    }
    for section, candidates in improvements.items():
        before = _section(listing, marketplace, section)
        for improved in candidates:
            assert _section(improved, marketplace, section) >= before, section
