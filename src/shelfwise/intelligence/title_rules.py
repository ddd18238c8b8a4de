"""Title rules: length per marketplace, forbidden characters, repeated words, capitals and
promotional phrases (limits and sources in rules.py)."""

from collections import Counter

from shelfwise.intelligence import rules as R
from shelfwise.intelligence.scorecard import ListingContent, RuleResult, share

P = R.RULE_POINTS
EMPTY_TITLE_FIX = "Write a title: brand, product type, key feature, then size or quantity."


def title_rules(
    content: ListingContent, limits: R.MarketplaceRules, marketplace: str
) -> tuple[RuleResult, ...]:
    """The title section's five rule results."""
    title = content.title.strip()
    if not title:
        return tuple(
            RuleResult(rule, 0, P[rule], "There is no title.", EMPTY_TITLE_FIX)
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
            share(possible, size, limits.title_recommended),
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


def caps_words(text: str) -> list[str]:
    """Words of ALL_CAPS_MIN_LETTERS or more letters written in capitals."""
    if text.isascii() and not R.ASCII_CAPS_RUN.search(text):
        return []
    return [word for word in R.ALL_CAPS_WORD.findall(text) if word.isupper()]


def _all_caps(title: str) -> RuleResult:
    possible = P["title.all_caps"]
    shouted = caps_words(title)
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
    found = R.PROMOTIONAL.findall(lowered) if is_promotional(lowered) else []
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


def is_promotional(lowered: str) -> bool:
    """Whether lower-cased text holds a promotional phrase."""
    for key in R.PROMOTIONAL_KEYS:  # substring tests first: far cheaper than the pattern
        if key in lowered:
            return R.PROMOTIONAL.search(lowered) is not None
    return False
