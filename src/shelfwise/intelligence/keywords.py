"""Keywords (DESIGN 1.5): candidate search terms of a listing and its competitors, ranked by
relevance to the listing's product, and the high-value terms the listing lacks.

How a score comes about:
1. Every document (the listing, each competitor) becomes term frequencies over its 1- to
   3-grams (tokens.py); a title occurrence counts TITLE_WEIGHT times, as a title is what
   marketplace search weighs most (BM25F's field weights, in their simplest form).
2. The query is the words of the listing's title and key attributes. BM25 scores each
   competitor for it; divided by the listing's own BM25 (the best a document can match its own
   product) and capped at 1, that is the competitor's relevance: a competitor selling something
   else counts little.
3. A term's lexical score is the sum over documents of relevance x BM25's saturated term
   frequency (the listing's relevance is 1): terms many relevant competitors use, repeatedly
   and in short texts, come first. No idf at this step: a term every competitor shares is the
   most valuable one, not the least.
4. With an embedder (semantic.py), score = lexical x (1 - SEMANTIC_WEIGHT + SEMANTIC_WEIGHT x
   similarity), similarity = the cosine of term and query, floored at 0: the embedding re-weighs
   terms by meaning, it never brings in a term no document uses. Only the SEMANTIC_POOL best
   lexical terms are embedded; the rest take similarity 0, and as every pool term keeps at
   least (1 - SEMANTIC_WEIGHT) of a lexical score no lower than theirs, none overtakes one.

A missing term is one the listing's title, bullets, description and search terms lack that at
least MIN_COMPETITORS competitors (or the only one) use. A missing term inside a longer missing
term used by the same competitors is left out: it adds nothing. Ties sort by term, so the same
input always gives the same report.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shelfwise.intelligence.bm25 import Corpus
from shelfwise.intelligence.semantic import Embedder, cosine
from shelfwise.intelligence.tokens import language_of, text_terms

TITLE_WEIGHT = 2.0
SEMANTIC_WEIGHT = 0.5
SEMANTIC_POOL = 300  # terms embedded per analysis: a model on a CPU takes ~1 ms a term
MIN_COMPETITORS = 2
MAX_ATTRIBUTE_CHARS = 100  # longer attribute values are prose, not key facts of the product
# Attributes that are not facts about the product (or are the search terms themselves).
_NOT_KEY_ATTRIBUTES = frozenset({"search_terms", "generic_keyword", "bullets", "price", "demo"})
SEARCH_TERM_ATTRIBUTES = ("search_terms", "generic_keyword")  # Amazon calls them generic_keyword


@dataclass(frozen=True)
class ListingContent:
    title: str
    bullets: Sequence[str] = ()
    description: str = ""
    search_terms: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CompetitorText:
    asin: str
    title: str = ""
    bullets: Sequence[str] = ()
    description: str = ""


@dataclass(frozen=True)
class CompetitorRelevance:
    asin: str
    relevance: float


@dataclass(frozen=True)
class Candidate:
    term: str
    score: float
    competitor_count: int
    in_listing: bool


@dataclass(frozen=True)
class Usage:
    asin: str
    fields: tuple[str, ...]  # title, bullets, description


@dataclass(frozen=True)
class MissingTerm:
    term: str
    score: float
    used_by: tuple[Usage, ...]


@dataclass(frozen=True)
class KeywordReport:
    language: str
    method: str  # "bm25", or "bm25+" and the embedder's name
    competitors: tuple[CompetitorRelevance, ...]
    candidates: tuple[Candidate, ...]
    missing: tuple[MissingTerm, ...]


def key_attribute_text(attributes: Mapping[str, Any]) -> str:
    """Short scalar attribute values (brand, colour, voltage …), in key order."""
    values = [
        str(attributes[name])
        for name in sorted(attributes)
        if name not in _NOT_KEY_ATTRIBUTES
        and isinstance(attributes[name], str | int | float)
        and not isinstance(attributes[name], bool)
        and len(str(attributes[name])) <= MAX_ATTRIBUTE_CHARS
    ]
    return " . ".join(values)


def _fields_terms(fields: Mapping[str, str], language: str) -> dict[str, list[str]]:
    return {name: text_terms(text, language) for name, text in fields.items() if text}


def _frequencies(fields_terms: Mapping[str, list[str]]) -> dict[str, float]:
    frequencies: dict[str, float] = {}
    for name, found in fields_terms.items():
        weight = TITLE_WEIGHT if name == "title" else 1.0
        for term in found:
            frequencies[term] = frequencies.get(term, 0.0) + weight
    return frequencies


def _usage(asin: str, fields_terms: Mapping[str, list[str]], term: str) -> Usage:
    return Usage(asin, tuple(name for name, found in fields_terms.items() if term in found))


def _without_parts(terms: list[str], users: Mapping[str, list[int]]) -> list[str]:
    """`terms` less those inside a longer one of them used by the same competitors."""
    present = set(terms)
    covered = set()
    for term in terms:
        words = term.split(" ")
        for size in range(1, len(words)):
            for start in range(len(words) - size + 1):
                part = " ".join(words[start : start + size])
                if part in present and users[part] == users[term]:
                    covered.add(part)
    return [term for term in terms if term not in covered]


def _reweigh(scores: dict[str, float], query_text: str, embedder: Embedder) -> None:
    """Blend in the cosine of each of the SEMANTIC_POOL best terms with the query (step 4)."""
    pool = sorted(scores, key=lambda term: (-round(scores[term], 9), term))[:SEMANTIC_POOL]
    vectors = embedder.embed([query_text, *pool])
    similarities = {
        term: max(0.0, cosine(vectors[0], vector))
        for term, vector in zip(pool, vectors[1:], strict=True)
    }
    for term in scores:
        factor = 1 - SEMANTIC_WEIGHT + SEMANTIC_WEIGHT * similarities.get(term, 0.0)
        scores[term] *= factor


def analyse_keywords(
    listing_content: ListingContent,
    competitor_texts: Sequence[CompetitorText],
    marketplace: str,
    *,
    embedder: Embedder | None = None,
    limit: int = 50,
) -> KeywordReport:
    """Ranked candidate terms and the missing high-value terms of one listing."""
    language = language_of(marketplace)
    listing_fields = _fields_terms(
        {
            "title": listing_content.title,
            "bullets": "\n".join(listing_content.bullets),
            "description": listing_content.description,
            "search_terms": listing_content.search_terms,
        },
        language,
    )
    competitor_fields = [
        _fields_terms(
            {
                "title": competitor.title,
                "bullets": "\n".join(competitor.bullets),
                "description": competitor.description,
            },
            language,
        )
        for competitor in competitor_texts
    ]
    corpus = Corpus([_frequencies(listing_fields)] + [_frequencies(f) for f in competitor_fields])
    query_text = f"{listing_content.title} . {key_attribute_text(listing_content.attributes)}"
    query = [term for term in text_terms(query_text, language) if " " not in term]
    own = corpus.score(query, 0)
    relevances = [1.0] + [
        min(1.0, corpus.score(query, index) / own) if own > 0 else 0.0
        for index in range(1, len(corpus.documents))
    ]
    scores: dict[str, float] = {}
    for index, document in enumerate(corpus.documents):
        for term in document:
            gain = relevances[index] * corpus.saturation(term, index)
            scores[term] = scores.get(term, 0.0) + gain
    method = "bm25"
    if embedder is not None and scores:
        method = f"bm25+{embedder.name}"
        _reweigh(scores, query_text, embedder)
    scores = {term: value for term, value in scores.items() if value > 0 and math.isfinite(value)}
    users: dict[str, list[int]] = {term: [] for term in scores}
    for index, document in enumerate(corpus.documents[1:]):
        for term in document:
            if term in users:
                users[term].append(index)
    ranked = sorted(scores, key=lambda term: (-round(scores[term], 9), term))
    candidates = tuple(
        Candidate(term, round(scores[term], 4), len(users[term]), term in corpus.documents[0])
        for term in ranked[:limit]
    )
    needed = min(MIN_COMPETITORS, len(competitor_texts))
    lacking = [
        term
        for term in ranked
        if term not in corpus.documents[0] and needed > 0 and len(users[term]) >= needed
    ]
    missing = tuple(
        MissingTerm(
            term,
            round(scores[term], 4),
            tuple(
                _usage(competitor_texts[index].asin, competitor_fields[index], term)
                for index in users[term]
            ),
        )
        for term in _without_parts(lacking, users)[:limit]
    )
    competitors = tuple(
        CompetitorRelevance(competitor.asin, round(relevance, 4))
        for competitor, relevance in zip(competitor_texts, relevances[1:], strict=True)
    )
    return KeywordReport(language, method, competitors, candidates, missing)
