"""Keyword analysis: ranking, missing terms, determinism, and robustness on any text."""

import json
import math
import subprocess
import sys
from dataclasses import asdict

from hypothesis import given, settings
from hypothesis import strategies as st

from shelfwise.intelligence.keywords import (
    Candidate,
    CompetitorRelevance,
    CompetitorText,
    ListingContent,
    MissingTerm,
    Usage,
    analyse_keywords,
    key_attribute_text,
)
from shelfwise.intelligence.semantic import LexicalEmbedder

LISTING = ListingContent(
    title="Bosch Akku-Bohrschrauber 18V",
    bullets=["Zwei Akkus mit 2,0 Ah"],
    description="Für Holz und Metall.",
    search_terms="bohrmaschine",
    attributes={"brand": "Bosch", "voltage": "18 V", "bullets": ["not a key fact"], "new": True},
)
COMPETITORS = [
    CompetitorText(
        "B0MAKITA01",
        "Makita Akku-Bohrschrauber 18V bürstenloser Motor",
        ["LED Arbeitslicht", "Bürstenloser Motor für lange Laufzeit"],
    ),
    CompetitorText(
        "B0DEWALT01",
        "DeWalt Akkubohrschrauber 18V, bürstenloser Motor",
        ["LED Arbeitslicht", "Bohrmaschine mit Koffer"],
    ),
    CompetitorText("B0HOSE0001", "Gartenschlauch 30m", ["Knickfest"], "Für Garten und Balkon."),
]


def test_report_ranks_candidates_and_finds_missing_terms() -> None:
    report = analyse_keywords(LISTING, COMPETITORS, "amazon.de", limit=8)
    assert (report.language, report.method) == ("de", "bm25")
    # The Makita shares the listing's words; the DeWalt writes the compound as one word, so
    # only "18v" matches; the garden hose shares nothing.
    assert report.competitors == (
        CompetitorRelevance("B0MAKITA01", 0.4971),
        CompetitorRelevance("B0DEWALT01", 0.121),
        CompetitorRelevance("B0HOSE0001", 0.0),
    )
    assert report.candidates == (
        Candidate("18v", 2.1217, 2, True),
        Candidate("akku", 1.9548, 1, True),
        Candidate("akku bohrschrauber", 1.9548, 1, True),
        Candidate("akku bohrschrauber 18v", 1.9548, 1, True),
        Candidate("bohrschrauber", 1.9548, 1, True),
        Candidate("bohrschrauber 18v", 1.9548, 1, True),
        Candidate("bosch", 1.3788, 0, True),
        Candidate("bosch akku", 1.3788, 0, True),
    )
    # "bohrmaschine" is in the search terms; "bürstenloser" and "motor" alone are inside
    # "bürstenloser motor" with the same competitors; "koffer" has one competitor only.
    assert report.missing == (
        MissingTerm(
            "bürstenloser motor",
            0.8508,
            (Usage("B0MAKITA01", ("title", "bullets")), Usage("B0DEWALT01", ("title",))),
        ),
        MissingTerm(
            "led arbeitslicht",
            0.5125,
            (Usage("B0MAKITA01", ("bullets",)), Usage("B0DEWALT01", ("bullets",))),
        ),
    )


def test_the_only_competitor_is_enough_and_a_longer_term_keeps_its_parts_used_elsewhere() -> None:
    listing = ListingContent(title="Cordless drill")
    competitors = [
        CompetitorText("B000000001", "Cordless drill brushless motor"),
        CompetitorText("B000000002", "Cordless drill, motor"),
    ]
    one = analyse_keywords(listing, competitors[:1], "amazon.com")
    assert [term.term for term in one.missing] == [
        "cordless drill brushless",
        "drill brushless motor",
    ]
    two = analyse_keywords(listing, competitors, "amazon.com")
    assert [(term.term, [use.asin for use in term.used_by]) for term in two.missing] == [
        ("motor", ["B000000001", "B000000002"])
    ]


def test_without_competitors_the_listing_ranks_its_own_terms() -> None:
    report = analyse_keywords(ListingContent(title="Garden hose 30m"), [], "amazon.co.uk", limit=3)
    assert report.competitors == ()
    assert report.missing == ()
    assert [candidate.term for candidate in report.candidates] == ["30m", "garden", "garden hose"]


def test_a_listing_of_stop_words_gives_competitors_no_relevance() -> None:
    report = analyse_keywords(
        ListingContent(title="with the and"), [CompetitorText("B000000001", "Drill")], "amazon.com"
    )
    assert report.competitors == (CompetitorRelevance("B000000001", 0.0),)
    assert report.candidates == ()
    assert report.missing == ()


def test_key_attributes_are_short_scalars_in_key_order() -> None:
    attributes = {"voltage": "18 V", "brand": "Bosch", "weight_kg": 1.5, "new": True,
                  "notes": "x" * 101, "search_terms": "hidden", "colours": ["blue"]}  # fmt: skip
    assert key_attribute_text(attributes) == "Bosch . 18 V . 1.5"


def test_an_embedder_reweighs_but_never_adds_terms() -> None:
    lexical = analyse_keywords(LISTING, COMPETITORS, "amazon.de", limit=200)
    blended = analyse_keywords(
        LISTING, COMPETITORS, "amazon.de", limit=200, embedder=LexicalEmbedder()
    )
    assert blended.method == "bm25+lexical"
    assert {c.term for c in blended.candidates} == {c.term for c in lexical.candidates}
    by_term = {candidate.term: candidate.score for candidate in lexical.candidates}
    for candidate in blended.candidates:
        assert 0.5 * by_term[candidate.term] - 1e-4 <= candidate.score <= by_term[candidate.term]
    assert [term.term for term in blended.missing] == ["bürstenloser motor", "led arbeitslicht"]


SCRIPT = """
import json, sys
from dataclasses import asdict
from tests.intelligence.test_keywords import LISTING, COMPETITORS
from shelfwise.intelligence.keywords import analyse_keywords
print(json.dumps(asdict(analyse_keywords(LISTING, COMPETITORS, "amazon.de", limit=200))))
"""


def test_the_same_input_gives_the_same_report_in_any_process() -> None:
    """String hashing differs between processes; the order of the report must not."""
    outputs = {
        subprocess.run(
            [sys.executable, "-c", SCRIPT],
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    report = analyse_keywords(LISTING, COMPETITORS, "amazon.de", limit=200)
    assert json.loads(outputs.pop()) == json.loads(json.dumps(asdict(report)))


TEXT = st.text(max_size=200)


@settings(max_examples=150, deadline=None)
@given(
    title=TEXT,
    bullets=st.lists(TEXT, max_size=3),
    competitors=st.lists(st.tuples(TEXT, st.lists(TEXT, max_size=2), TEXT), max_size=4),
    marketplace=st.sampled_from(["amazon.com", "amazon.de", "amazon.fr", "amazon.es", "ebay.it"]),
    blended=st.booleans(),
)
def test_any_text_analyses_with_finite_non_negative_scores(
    title: str,
    bullets: list[str],
    competitors: list[tuple[str, list[str], str]],
    marketplace: str,
    blended: bool,
) -> None:
    report = analyse_keywords(
        ListingContent(title=title, bullets=bullets, attributes={"colour": title[:20]}),
        [
            CompetitorText(f"B{index:09d}", text, texts, description)
            for index, (text, texts, description) in enumerate(competitors)
        ],
        marketplace,
        embedder=LexicalEmbedder() if blended else None,
    )
    scores = [c.score for c in report.candidates] + [m.score for m in report.missing]
    scores += [competitor.relevance for competitor in report.competitors]
    assert all(math.isfinite(score) and score >= 0 for score in scores)
    assert all(competitor.relevance <= 1 for competitor in report.competitors)
    ranked = [candidate.score for candidate in report.candidates]
    assert ranked == sorted(ranked, reverse=True)
