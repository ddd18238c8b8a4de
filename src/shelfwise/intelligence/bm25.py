"""Okapi BM25 over documents given as term frequencies (Robertson and Zaragoza, "The
Probabilistic Relevance Framework: BM25 and Beyond", 2009), written out here: it is a few lines,
and the libraries that offer it (rank-bm25) bring NumPy and their own tokenisation along.

idf is Lucene's form, ln(1 + (N - n + 0.5) / (n + 0.5)): unlike the original it never goes
negative for a term in most documents, so every score is finite and >= 0.
"""

import math
from collections.abc import Iterable, Mapping, Sequence

K1 = 1.2  # how fast repeats stop counting; the usual 1.2
B = 0.75  # how much a long document is discounted; the usual 0.75


class Corpus:
    """Documents (term -> frequency; weighted frequencies allowed) and their statistics."""

    def __init__(self, documents: Sequence[Mapping[str, float]]) -> None:
        self.documents = documents
        self._document_frequency: dict[str, int] = {}
        for document in documents:
            for term in document:
                self._document_frequency[term] = self._document_frequency.get(term, 0) + 1
        self._lengths = [sum(document.values()) for document in documents]
        self._average_length = sum(self._lengths) / len(self._lengths) if documents else 0.0

    def document_frequency(self, term: str) -> int:
        return self._document_frequency.get(term, 0)

    def idf(self, term: str) -> float:
        count = self.document_frequency(term)
        return math.log(1 + (len(self.documents) - count + 0.5) / (count + 0.5))

    def saturation(self, term: str, index: int) -> float:
        """BM25's term-frequency part: 0 for an absent term, below K1 + 1 for any."""
        frequency = self.documents[index].get(term, 0.0)
        if frequency <= 0:
            return 0.0
        length, average = self._lengths[index], self._average_length
        norm = 1 - B + B * (length / average if average > 0 else 1.0)
        return frequency * (K1 + 1) / (frequency + K1 * norm)

    def score(self, query: Iterable[str], index: int) -> float:
        """BM25 of document `index` for the distinct terms of `query` (summed in sorted order:
        set order varies between processes, and float sums with it)."""
        return sum(self.idf(term) * self.saturation(term, index) for term in sorted(set(query)))
