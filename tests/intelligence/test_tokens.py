"""Tokens of listing text: normalisation, units, stop words per language, n-grams."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shelfwise.intelligence.tokens import STOP_WORDS, language_of, segments, text_terms


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        pytest.param(
            "Bosch Professional Akku-Bohrschrauber GSR 18V-55 für Holz und Metall, mit 2 Akkus "
            "(2,0 Ah) im Koffer",
            "de",
            [
                ["bosch", "professional", "akku", "bohrschrauber", "gsr", "18v", "55"],
                ["holz"],
                ["metall"],
                ["2", "akkus"],
                ["2.0ah"],
                ["koffer"],
            ],
            id="german-compound-hyphen-stop-words-decimal-comma",
        ),
        pytest.param(
            "Straßenbesen STRASSE", "de", [["strassenbesen", "strasse"]], id="german-sharp-s-folds"
        ),
        pytest.param(
            "Perceuse-visseuse sans fil 18 V avec 2 batteries 2,0Ah et chargeur",
            "fr",
            [["perceuse", "visseuse"], ["fil", "18v"], ["2", "batteries", "2.0ah"], ["chargeur"]],
            id="french-spaced-unit-joined",
        ),
        pytest.param(
            "Taladro atornillador inalámbrico 18V con 2 baterías de 2,0 Ah",
            "es",
            [["taladro", "atornillador", "inalámbrico", "18v"], ["2", "baterías"], ["2.0ah"]],
            id="spanish-accents-kept",
        ),
        pytest.param(
            "Trapano avvitatore a batteria 18V con 2 batterie da 2,0 Ah e valigetta",
            "it",
            [
                ["trapano", "avvitatore"],
                ["batteria", "18v"],
                ["2", "batterie"],
                ["2.0ah"],
                ["valigetta"],
            ],
            id="italian",
        ),
        pytest.param(
            # Full-width BOSCH, an en dash, the fi ligature.
            "\uff22\uff2f\uff33\uff23\uff28 Cordless Drill 1,500 RPM \u2013 2-in-1 "
            "with \ufb01tted case",
            "en",
            [["bosch", "cordless", "drill", "1500rpm"], ["2"], ["1"], ["fitted", "case"]],
            id="english-nfkc-thousands-spaced-dash-separates",
        ),
        pytest.param(
            "Battery 5000mAh, 2.0Ah; 2,5 Ah",
            "en",
            [["battery", "5000mah"], ["2.0ah"], ["2.5ah"]],
            id="units-kept-whole",
        ),
        pytest.param("", "en", [], id="empty"),
        pytest.param("the and with", "en", [], id="only-stop-words"),
        pytest.param("mit und für", "pl", [["mit", "und", "für"]], id="no-list-no-stop-words"),
    ],
)
def test_segments(text: str, language: str, expected: list[list[str]]) -> None:
    assert segments(text, language) == expected


def test_terms_are_one_to_three_grams_within_segments_without_bare_numbers() -> None:
    assert text_terms("Akku-Bohrschrauber 18 V mit LED, 2 x Akku", "de") == [
        "akku",
        "bohrschrauber",
        "18v",
        "akku bohrschrauber",
        "bohrschrauber 18v",
        "akku bohrschrauber 18v",
        "led",
        "2x",
        "akku",
        "2x akku",
    ]


@pytest.mark.parametrize(
    ("marketplace", "language"),
    [
        ("amazon.de", "de"),
        ("kaufland.at", "de"),
        ("amazon.fr", "fr"),
        ("amazon.com.be", "fr"),
        ("amazon.es", "es"),
        ("amazon.com.mx", "es"),
        ("amazon.it", "it"),
        ("amazon.co.uk", "en"),
        (" Amazon.COM ", "en"),
        ("demo", "en"),
    ],
)
def test_language_of_marketplace(marketplace: str, language: str) -> None:
    assert language_of(marketplace) == language


@given(text=st.text(max_size=300), language=st.sampled_from(["en", "de", "fr", "es", "it", "pl"]))
def test_segments_hold_only_content_tokens(text: str, language: str) -> None:
    for segment in segments(text, language):
        assert segment
        for token in segment:
            assert token
            assert token not in STOP_WORDS.get(language, frozenset())
            assert token == token.strip() and " " not in token
