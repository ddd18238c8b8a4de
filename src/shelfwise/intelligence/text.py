"""Small text rules both optimizers share: casing, forbidden characters and terms, trimming."""

import re

from shelfwise.intelligence.rules import MarketplaceRules

# Upper-case words kept as they are: acronyms, units and standards buyers search for.
ACRONYMS = frozenset(
    [
        "AC",
        "AI",
        "AMD",
        "AMOLED",
        "ANC",
        "ANSI",
        "BPA",
        "CD",
        "CPU",
        "DC",
        "DIY",
        "DJ",
        "DSLR",
        "DVD",
        "EU",
        "FBA",
        "FHD",
        "GPS",
        "GPU",
        "HD",
        "HDMI",
        "HDR",
        "HEPA",
        "IP",
        "IPS",
        "LCD",
        "LED",
        "LTE",
        "MP",
        "NFC",
        "OLED",
        "PC",
        "PD",
        "PS",
        "PVC",
        "QLED",
        "RAM",
        "RGB",
        "SD",
        "SSD",
        "SUV",
        "TV",
        "UHD",
        "UK",
        "UL",
        "UPF",
        "US",
        "USA",
        "USB",
        "UV",
        "VGA",
        "WIFI",
        "WLAN",
        "XL",
        "XS",
        "XXL",
        "XXXL",
    ]
)
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = "\"'.,:;()[]/-"
_TRAILING = re.compile("[\\s,;:/\\-\u2013\u2014|+&(]+$")  # dashes: en and em too


def collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def remove_characters(text: str, characters: str) -> str:
    """Forbidden characters become spaces (so the words they joined stay apart)."""
    if not characters:
        return text
    return collapse(text.translate({ord(character): " " for character in characters}))


def fix_casing(text: str, keep: frozenset[str] = frozenset()) -> str:
    """ALL CAPS words of four letters or more become Capitalized, unless they are known
    acronyms or `keep` (the brand's own spelling); shorter ones are too often acronyms, and
    tokens with digits or inner punctuation (part numbers such as SDSQQNR-256G) stay as written."""

    def fix(token: str) -> str:
        core = token.strip(_EDGE_PUNCTUATION)
        if len(core) < 4 or not core.isalpha() or not core.isupper():
            return token
        if core in ACRONYMS or core in keep:
            return token
        return token.replace(core, core[0] + core[1:].lower(), 1)

    return " ".join(fix(token) for token in text.split(" "))


def term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)


def remove_terms(text: str, terms: tuple[str, ...]) -> tuple[str, list[str]]:
    """`text` without the forbidden terms, and the terms found."""
    found = []
    for term in terms:
        pattern = term_pattern(term)
        if pattern.search(text):
            found.append(term)
            text = pattern.sub(" ", text)
    return collapse(text), found


def trim_words(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary, with no dangling separator or
    unclosed parenthesis."""
    text = collapse(text)
    if len(text) > limit:
        cut = text[: limit + 1]
        space = cut.rfind(" ")
        text = cut[:space] if space > 0 else text[:limit]
    while True:  # until neither cut changes it: one may expose what the other removes
        before = text
        if text.count("(") > text.count(")"):
            text = text[: text.rfind("(")]
        text = _TRAILING.sub("", text)
        if text == before:
            return text


def limit_repeats(text: str, max_repeats: int) -> str:
    """Drop a word's occurrences past the `max_repeats`th (case-insensitive); words of three
    letters or fewer (de, and, for) are left alone, as the marketplaces' rules do."""
    counts: dict[str, int] = {}
    kept = []
    for token in text.split(" "):
        key = token.strip(",.:()[]/").lower()
        if len(key) > 3:
            counts[key] = counts.get(key, 0) + 1
            if counts[key] > max_repeats:
                continue
        kept.append(token)
    return collapse(" ".join(kept))


def clean_line(text: str, rules: MarketplaceRules, limit: int, keep: frozenset[str]) -> str:
    text = remove_characters(collapse(text), rules.forbidden_title_characters)
    text, _found = remove_terms(text, rules.forbidden_terms)
    return trim_words(fix_casing(text, keep), limit)
