"""BM25 on a small hand-made corpus: idf, saturation, length normalisation, ranking."""

import math

import pytest

from shelfwise.intelligence.bm25 import Corpus

DOCUMENTS = [
    {"cordless": 1.0, "drill": 1.0},  # short and on topic
    {"cordless": 3.0, "drill": 2.0, "battery": 1.0},  # longer, repeats the query words
    {"garden": 1.0, "hose": 1.0},
    {"drill": 1.0, "bits": 1.0, "set": 1.0},
    {"cordless": 1.0, "drill": 1.0, "with": 1.0, "many": 1.0, "more": 1.0, "words": 1.0},
]


def test_idf_is_lucenes_and_never_negative() -> None:
    corpus = Corpus(DOCUMENTS)
    assert corpus.idf("cordless") == pytest.approx(math.log(1 + (5 - 3 + 0.5) / (3 + 0.5)))
    assert corpus.idf("hose") == pytest.approx(math.log(1 + (5 - 1 + 0.5) / (1 + 0.5)))
    assert corpus.idf("absent") == pytest.approx(math.log(1 + 5.5 / 0.5))
    assert Corpus([{"a": 1.0}, {"a": 1.0}]).idf("a") == pytest.approx(math.log(1 + 0.5 / 2.5))


def test_saturation_by_hand() -> None:
    corpus = Corpus(DOCUMENTS)
    average = (2 + 6 + 2 + 3 + 6) / 5
    norm = 1 - 0.75 + 0.75 * 6 / average
    assert corpus.saturation("cordless", 1) == pytest.approx(3 * 2.2 / (3 + 1.2 * norm))
    assert corpus.saturation("cordless", 2) == 0.0


def test_ranking_of_the_corpus_for_a_query() -> None:
    corpus = Corpus(DOCUMENTS)
    scores = [corpus.score(["cordless", "drill", "drill"], index) for index in range(5)]
    order = sorted(range(5), key=lambda index: -scores[index])
    # The repeats win over the short document; the same words among padding come third.
    assert order == [1, 0, 4, 3, 2]
    assert scores[2] == 0.0
    short = (
        (corpus.idf("cordless") + corpus.idf("drill")) * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / 3.8))
    )
    assert scores[0] == pytest.approx(short)


def test_empty_corpus_and_empty_query() -> None:
    assert Corpus([]).idf("anything") == pytest.approx(math.log(1 + 0.5 / 0.5))
    assert Corpus(DOCUMENTS).score([], 0) == 0.0
    assert Corpus([{}]).saturation("a", 0) == 0.0
