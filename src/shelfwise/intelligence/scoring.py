"""The listing quality score, 0 to 100: pure, fast, and explained rule by rule.

`score_listing(content, marketplace)` applies the rules of `rules.py` to a `ListingContent`
and returns a `ScoreCard`: four sections, each rule with the points it earned out of its
maximum, the reason, and a concrete fix (None when nothing is left to fix). Points are whole
numbers: a partial rule earns floor(maximum x fraction), so the same content always scores the
same. An empty field earns nothing in every rule that reads it.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from shelfwise.intelligence import rules as R
from shelfwise.intelligence.product_types import (
    CONTENT_KEYS,
    AttributeCheck,
    ProductTypeSchema,
    check_attributes,
    filled_attributes,
)


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


P = R.RULE_POINTS
_EMPTY_TITLE_FIX = "Write a title: brand, product type, key feature, then size or quantity."


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
        _section(R.TITLE, _title_rules(content, limits, marketplace)),
        _section(R.CONTENT, _content_rules(content, limits)),
        _section(R.IMAGES, _image_rules(content.images, limits)),
        _section(R.ATTRIBUTES, _attribute_rules(content, limits, marketplace, product_type_schema)),
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


def _share(points: int, part: int, whole: int) -> int:
    """floor(points x part / whole), part capped at whole."""
    return points * min(part, whole) // whole


# -- title ------------------------------------------------------------------------------------


def _title_rules(
    content: ListingContent, limits: R.MarketplaceRules, marketplace: str
) -> tuple[RuleResult, ...]:
    title = content.title.strip()
    if not title:
        return tuple(
            RuleResult(rule, 0, P[rule], "There is no title.", _EMPTY_TITLE_FIX)
            for rule in (
                "title.length",
                "title.forbidden_characters",
                "title.repeated_words",
                "title.all_caps",
                "title.promotional",
            )
        )
    # Amazon allows forbidden characters and capitals inside the brand name.
    brand = (content.brand or "").strip()
    checked = title.replace(brand, " ") if brand else title
    lowered = title.lower()
    return (
        _title_length(len(title), limits, marketplace),
        _forbidden(checked, limits),
        _repeated_words(lowered),
        _all_caps(checked),
        _promotional(lowered, "title.promotional", "The title"),
    )


def _title_length(size: int, limits: R.MarketplaceRules, marketplace: str) -> RuleResult:
    possible = P["title.length"]
    if size > limits.title_max:
        return RuleResult(
            "title.length",
            0,
            possible,
            f"The title has {size} characters; {marketplace} allows {limits.title_max}.",
            f"Cut the title to {limits.title_max} characters or fewer.",
        )
    if size < limits.title_recommended:
        return RuleResult(
            "title.length",
            _share(possible, size, limits.title_recommended),
            possible,
            f"The title has {size} characters; {limits.title_recommended} or more tell shoppers"
            " what the product is.",
            f"Add material, size, quantity or the key feature"
            f" ({limits.title_recommended - size} more characters).",
        )
    return RuleResult(
        "title.length",
        possible,
        possible,
        f"The title has {size} characters, within {marketplace}'s {limits.title_max}.",
        None,
    )


def _forbidden(title: str, limits: R.MarketplaceRules) -> RuleResult:
    possible = P["title.forbidden_characters"]
    found = limits.forbidden_pattern.findall(title)
    if not found:
        return RuleResult(
            "title.forbidden_characters",
            possible,
            possible,
            "The title has none of the characters Amazon forbids.",
            None,
        )
    characters = " ".join(sorted(set(found)))
    return RuleResult(
        "title.forbidden_characters",
        0,
        possible,
        f"The title contains forbidden characters: {characters}",
        f"Remove {characters} from the title (allowed only inside the brand name).",
    )


def _repeated_words(lowered: str) -> RuleResult:
    possible = P["title.repeated_words"]
    counts = Counter(R.WORD.findall(lowered))
    repeated = sorted(
        word
        for word, count in counts.items()
        if count > R.MAX_WORD_REPEATS and word not in R.REPEATABLE_WORDS
    )
    if not repeated:
        return RuleResult(
            "title.repeated_words",
            possible,
            possible,
            f"No word appears more than {R.MAX_WORD_REPEATS} times.",
            None,
        )
    words = ", ".join(repeated)
    return RuleResult(
        "title.repeated_words",
        0,
        possible,
        f"Repeated more than {R.MAX_WORD_REPEATS} times: {words}.",
        f"Use {words} at most {R.MAX_WORD_REPEATS} times; repeats add no ranking.",
    )


def _caps_words(text: str) -> list[str]:
    if text.isascii() and not R.ASCII_CAPS_RUN.search(text):
        return []
    return [word for word in R.ALL_CAPS_WORD.findall(text) if word.isupper()]


def _all_caps(title: str) -> RuleResult:
    possible = P["title.all_caps"]
    shouted = _caps_words(title)
    if not shouted:
        return RuleResult("title.all_caps", possible, possible, "No word is in capitals.", None)
    words = ", ".join(dict.fromkeys(shouted))
    return RuleResult(
        "title.all_caps",
        0,
        possible,
        f"Words in capitals: {words}.",
        f"Write {words} in title case; Amazon does not allow titles in capitals.",
    )


def _promotional(lowered: str, rule: str, subject: str) -> RuleResult:
    possible = P[rule]
    found = R.PROMOTIONAL.findall(lowered) if _is_promotional(lowered) else []
    if not found:
        return RuleResult(rule, possible, possible, f"{subject} makes no promotional claims.", None)
    phrases = ", ".join(dict.fromkeys(" ".join(phrase.split()) for phrase in found))
    return RuleResult(
        rule,
        0,
        possible,
        f"{subject} makes promotional claims: {phrases}.",
        f"Remove {phrases}; prices and offers belong in the offer, not the content.",
    )


# -- bullets and description ------------------------------------------------------------------


def _content_rules(content: ListingContent, limits: R.MarketplaceRules) -> tuple[RuleResult, ...]:
    bullets = [bullet.strip() for bullet in content.bullets]
    bullets = [bullet for bullet in bullets if bullet]
    return (
        _bullet_count(len(bullets), limits),
        _bullet_length(bullets, limits),
        _bullet_style(bullets),
        _description_length(len(content.description.strip()), limits),
    )


def _bullet_count(count: int, limits: R.MarketplaceRules) -> RuleResult:
    possible, wanted = P["bullets.count"], limits.bullets_recommended
    if count >= wanted:
        return RuleResult("bullets.count", possible, possible, f"{count} bullet points.", None)
    return RuleResult(
        "bullets.count",
        _share(possible, count, wanted),
        possible,
        f"{count} bullet points; {wanted} are shown on the detail page.",
        f"Add {wanted - count} bullet points: benefits, materials, size, compatibility, care.",
    )


def _numbers(positions: list[int]) -> str:
    return ", ".join(str(position) for position in positions)


def _bullet_length(bullets: list[str], limits: R.MarketplaceRules) -> RuleResult:
    possible, low, high = P["bullets.length"], limits.bullet_min, limits.bullet_max
    if not bullets:
        return RuleResult(
            "bullets.length", 0, possible, "There are no bullet points.", "Write bullet points."
        )
    wrong = [number for number, text in enumerate(bullets, 1) if not low <= len(text) <= high]
    if not wrong:
        return RuleResult(
            "bullets.length",
            possible,
            possible,
            f"Every bullet point has {low} to {high} characters.",
            None,
        )
    return RuleResult(
        "bullets.length",
        _share(possible, len(bullets) - len(wrong), len(bullets)),
        possible,
        f"{len(wrong)} of {len(bullets)} bullet points are outside {low} to {high} characters.",
        f"Rewrite bullet points {_numbers(wrong)} to {low}-{high} characters each.",
    )


def _is_promotional(lowered: str) -> bool:
    for key in R.PROMOTIONAL_KEYS:  # substring tests first: far cheaper than the pattern
        if key in lowered:
            return R.PROMOTIONAL.search(lowered) is not None
    return False


def _flagged_bullets(bullets: list[str]) -> list[int]:
    """Numbers (from 1) of the bullets with a promotional phrase or a word in capitals."""
    return [
        number
        for number, text in enumerate(bullets, 1)
        if _is_promotional(text.lower()) or _caps_words(text)
    ]


def _bullet_style(bullets: list[str]) -> RuleResult:
    possible = P["bullets.style"]
    if not bullets:
        return RuleResult(
            "bullets.style", 0, possible, "There are no bullet points.", "Write bullet points."
        )
    wrong = _flagged_bullets(bullets)
    if not wrong:
        return RuleResult(
            "bullets.style",
            possible,
            possible,
            "No bullet point shouts in capitals or makes promotional claims.",
            None,
        )
    return RuleResult(
        "bullets.style",
        _share(possible, len(bullets) - len(wrong), len(bullets)),
        possible,
        f"{len(wrong)} of {len(bullets)} bullet points use capitals or promotional claims.",
        f"Rewrite bullet points {_numbers(wrong)} in sentence case, without sales claims.",
    )


def _description_length(size: int, limits: R.MarketplaceRules) -> RuleResult:
    possible, wanted, most = (
        P["description.length"],
        limits.description_recommended,
        limits.description_max,
    )
    if size == 0:
        return RuleResult(
            "description.length",
            0,
            possible,
            "There is no description.",
            f"Write a description of {wanted} to {most} characters.",
        )
    if size > most:
        return RuleResult(
            "description.length",
            0,
            possible,
            f"The description has {size} characters; the limit is {most}.",
            f"Cut the description to {most} characters or fewer.",
        )
    if size < wanted:
        return RuleResult(
            "description.length",
            _share(possible, size, wanted),
            possible,
            f"The description has {size} characters; {wanted} or more answer shoppers' questions.",
            f"Add use cases, specifications and what is in the box ({wanted - size} more"
            " characters).",
        )
    return RuleResult(
        "description.length",
        possible,
        possible,
        f"The description has {size} characters, within {most}.",
        None,
    )


# -- images -----------------------------------------------------------------------------------


def _longest_side(image: Image) -> int | None:
    if image.width is None or image.height is None:
        return None
    return max(image.width, image.height)


def _image_rules(images: tuple[Image, ...], limits: R.MarketplaceRules) -> tuple[RuleResult, ...]:
    return (_image_count(len(images), limits), _main_image(images, limits), _zoom(images, limits))


def _image_count(count: int, limits: R.MarketplaceRules) -> RuleResult:
    possible, wanted = P["images.count"], limits.images_recommended
    if count >= wanted:
        return RuleResult("images.count", possible, possible, f"{count} images.", None)
    return RuleResult(
        "images.count",
        _share(possible, count, wanted),
        possible,
        f"{count} images; {wanted} recommended (the main image and six others).",
        f"Add {wanted - count} images: details, scale, in use, packaging.",
    )


def _main_image(images: tuple[Image, ...], limits: R.MarketplaceRules) -> RuleResult:
    possible = P["images.main"]
    if not images:
        return RuleResult(
            "images.main",
            0,
            possible,
            "There is no main image.",
            f"Add a main image on pure white, {limits.image_zoom_side} pixels or more.",
        )
    side = _longest_side(images[0])
    if side is None:
        return RuleResult(
            "images.main",
            possible // 2,
            possible,
            "The main image's dimensions are not declared.",
            "Declare the main image's width and height.",
        )
    if side < limits.image_min_side:
        return RuleResult(
            "images.main",
            0,
            possible,
            f"The main image is {side} pixels on its longest side; Amazon refuses images under"
            f" {limits.image_min_side}.",
            f"Replace the main image with one of {limits.image_zoom_side} pixels or more.",
        )
    if side < limits.image_zoom_side:
        return RuleResult(
            "images.main",
            possible * 2 // 3,
            possible,
            f"The main image is {side} pixels on its longest side: too small to zoom.",
            f"Replace the main image with one of {limits.image_zoom_side} pixels or more.",
        )
    return RuleResult(
        "images.main",
        possible,
        possible,
        f"The main image is {side} pixels on its longest side.",
        None,
    )


def _zoom(images: tuple[Image, ...], limits: R.MarketplaceRules) -> RuleResult:
    possible, side = P["images.resolution"], limits.image_zoom_side
    if not images:
        return RuleResult("images.resolution", 0, possible, "There are no images.", "Add images.")
    small = [number for number, image in enumerate(images, 1) if (_longest_side(image) or 0) < side]
    if not small:
        return RuleResult(
            "images.resolution",
            possible,
            possible,
            f"Every image is {side} pixels or more on its longest side (zoom).",
            None,
        )
    return RuleResult(
        "images.resolution",
        _share(possible, len(images) - len(small), len(images)),
        possible,
        f"{len(small)} of {len(images)} images are under {side} pixels or have no declared size.",
        f"Replace or declare images {_numbers(small)} at {side} pixels or more.",
    )


# -- attributes -------------------------------------------------------------------------------


def _attribute_rules(
    content: ListingContent,
    limits: R.MarketplaceRules,
    marketplace: str,
    schema: ProductTypeSchema | None,
) -> tuple[RuleResult, ...]:
    return (
        _brand(content.brand),
        _search_terms(content.search_terms, limits),
        *_checked_attributes(content, marketplace, schema),
    )


def _brand(brand: str | None) -> RuleResult:
    possible = P["attributes.brand"]
    if brand and brand.strip():
        return RuleResult("attributes.brand", possible, possible, "The brand is set.", None)
    return RuleResult(
        "attributes.brand",
        0,
        possible,
        "There is no brand.",
        'Set the brand (or "Generic" for unbranded products).',
    )


def _search_terms(terms: str, limits: R.MarketplaceRules) -> RuleResult:
    possible, most = P["attributes.search_terms"], limits.search_terms_max_bytes
    terms = terms.strip()
    size = len(terms) if terms.isascii() else len(terms.encode())
    if size == 0:
        return RuleResult(
            "attributes.search_terms",
            0,
            possible,
            "There are no search terms.",
            f"Add search terms (synonyms, uses; up to {most} bytes).",
        )
    if size > most:
        return RuleResult(
            "attributes.search_terms",
            0,
            possible,
            f"The search terms take {size} bytes; Amazon indexes none of them past {most}.",
            f"Cut the search terms to {most} bytes (accented letters take 2 bytes or more).",
        )
    return RuleResult(
        "attributes.search_terms",
        possible,
        possible,
        f"The search terms take {size} of {most} bytes.",
        None,
    )


def _checked_attributes(
    content: ListingContent, marketplace: str, schema: ProductTypeSchema | None
) -> tuple[RuleResult, RuleResult]:
    if schema is None:
        return _without_definition(content)
    check = check_attributes(content, schema, marketplace)
    return _required(check), _valid(check)


def _without_definition(content: ListingContent) -> tuple[RuleResult, RuleResult]:
    required, valid = P["attributes.required"], P["attributes.valid"]
    filled = filled_attributes(content.attributes)
    provided = sum(1 for name in content.attributes if name not in CONTENT_KEYS)
    wanted = R.ATTRIBUTES_WITHOUT_DEFINITION
    if filled >= wanted:
        first = RuleResult(
            "attributes.required",
            required,
            required,
            f"{filled} attributes filled (checked without the product type definition).",
            None,
        )
    else:
        first = RuleResult(
            "attributes.required",
            _share(required, filled, wanted),
            required,
            f"{filled} attributes filled; {wanted} expected without the product type definition.",
            "Fill the attributes the product type requires (material, colour, size, model).",
        )
    if provided == 0:
        second = RuleResult(
            "attributes.valid", 0, valid, "There are no attributes.", "Fill the attributes."
        )
    elif filled == provided:
        second = RuleResult("attributes.valid", valid, valid, "Every attribute has a value.", None)
    else:
        second = RuleResult(
            "attributes.valid",
            _share(valid, filled, provided),
            valid,
            f"{provided - filled} of {provided} attributes are empty.",
            "Give the empty attributes a value or remove them.",
        )
    return first, second


def _required(check: AttributeCheck) -> RuleResult:
    possible = P["attributes.required"]
    total = len(check.required)
    if not check.missing:
        return RuleResult(
            "attributes.required",
            possible,
            possible,
            f"All {total} attributes {check.product_type} requires are present.",
            None,
        )
    names = ", ".join(check.missing)
    return RuleResult(
        "attributes.required",
        _share(possible, total - len(check.missing), total),
        possible,
        f"{len(check.missing)} of {total} required attributes are missing: {names}.",
        f"Fill {names}.",
    )


def _valid(check: AttributeCheck) -> RuleResult:
    possible = P["attributes.valid"]
    if check.provided == 0:
        return RuleResult(
            "attributes.valid", 0, possible, "There are no attributes.", "Fill the attributes."
        )
    if not check.invalid:
        return RuleResult(
            "attributes.valid",
            possible,
            possible,
            f"Every attribute is valid for {check.product_type}.",
            None,
        )
    details = "; ".join(f"{name}: {message}" for name, message in check.invalid)
    return RuleResult(
        "attributes.valid",
        _share(possible, check.provided - len(check.invalid), check.provided),
        possible,
        f"{len(check.invalid)} of {check.provided} attributes are invalid for"
        f" {check.product_type}: {details}",
        f"Correct {', '.join(name for name, _ in check.invalid)} to values the product type"
        " allows.",
    )
