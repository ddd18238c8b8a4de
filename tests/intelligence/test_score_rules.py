"""The rules module: marketplace limits and the alert thresholds."""

import pytest

from shelfwise.intelligence import rules
from shelfwise.intelligence.rules import drop_severity


@pytest.mark.parametrize(
    ("marketplace", "title_max", "search_terms_max_bytes"),
    [("amazon.com", 200, 249), ("amazon.de", 200, 249), ("ebay.co.uk", 80, 249),
     ("kaufland.de", 150, 249), ("example.com", 200, 249)],
    ids=["amazon-us", "amazon-de", "ebay", "kaufland", "unknown-gets-amazon"],
)  # fmt: skip
def test_marketplace_limits(marketplace: str, title_max: int, search_terms_max_bytes: int) -> None:
    limits = rules.rules_for(marketplace)
    assert (limits.title_max, limits.search_terms_max_bytes) == (title_max, search_terms_max_bytes)


def test_the_forbidden_characters_are_amazons_list() -> None:
    found = rules.AMAZON.forbidden_pattern.findall("a!b$c?d_e{f}g^h¬i¦j-k&l")
    assert found == ["!", "$", "?", "_", "{", "}", "^", "¬", "¦"]


def test_promotional_keys_cover_every_phrase() -> None:
    for phrase in rules.PROMOTIONAL_PHRASES:
        assert any(key in phrase for key in rules.PROMOTIONAL_KEYS), phrase


@pytest.mark.parametrize(
    ("previous", "new", "expected"),
    [
        (None, 10, None),
        (0, 0, None),
        (100, 100, None),
        (100, 120, None),
        (100, 80, None),
        (100, 79, "warning"),
        (50, 39, "warning"),
        (100, 61, "warning"),
        (100, 60, "critical"),
        (10, 0, "critical"),
    ],
    ids=lambda value: str(value),
)
def test_drop_severity(previous: int | None, new: int, expected: str | None) -> None:
    assert drop_severity(previous, new) == expected
