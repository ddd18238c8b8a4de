"""Attribute rules: brand, search terms' bytes, and required and valid attributes (against the
Amazon product type definition when there is one)."""

from shelfwise.intelligence import rules as R
from shelfwise.intelligence.product_types import (
    CONTENT_KEYS,
    AttributeCheck,
    ProductTypeSchema,
    check_attributes,
    filled_attributes,
)
from shelfwise.intelligence.scorecard import ListingContent, RuleResult, share

P = R.RULE_POINTS


def attribute_rules(
    content: ListingContent,
    limits: R.MarketplaceRules,
    marketplace: str,
    schema: ProductTypeSchema | None,
) -> tuple[RuleResult, ...]:
    """The attributes section's four rule results."""
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
            share(required, filled, wanted),
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
            share(valid, filled, provided),
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
        share(possible, total - len(check.missing), total),
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
        share(possible, check.provided - len(check.invalid), check.provided),
        possible,
        f"{len(check.invalid)} of {check.provided} attributes are invalid for"
        f" {check.product_type}: {details}",
        f"Correct {', '.join(name for name, _ in check.invalid)} to values the product type"
        " allows.",
    )
