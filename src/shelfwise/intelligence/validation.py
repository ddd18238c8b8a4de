"""Checks on a model's rewrite before it becomes a proposal.

The rule for claims: a rewrite may rephrase, reorder and shorten, never add facts. A number
(with or without a unit: 5000mAh, 2-pack, 12 GB) whose digits appear nowhere in the source
(title, bullets, description, attribute names and values, brand), or a claim word from
`CLAIM_TERMS` (waterproof, certified, FDA…) absent from the source, is invented: the title
loses the word that carries it, a bullet or a description sentence that carries it is dropped.
Forbidden characters and promotional terms are removed and lengths trimmed to the
marketplace's limits. Every change is written down in the notes kept with the proposal.
"""

import re
from dataclasses import dataclass

from shelfwise.intelligence.content import ProposedContent, SourceContent
from shelfwise.intelligence.rules import MarketplaceRules
from shelfwise.intelligence.text import (
    collapse,
    remove_characters,
    remove_terms,
    term_pattern,
    trim_words,
)

# Claims a buyer relies on and a marketplace holds the seller to.
CLAIM_TERMS = (
    "waterproof",
    "water-resistant",
    "water resistant",
    "shockproof",
    "fireproof",
    "certified",
    "certification",
    "fda",
    "ce marked",
    "approved",
    "organic",
    "vegan",
    "gluten-free",
    "bpa-free",
    "bpa free",
    "hypoallergenic",
    "non-toxic",
    "eco-friendly",
    "biodegradable",
    "warranty",
    "guarantee",
    "guaranteed",
    "clinically",
    "patented",
    "award-winning",
    "medical grade",
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORDY = re.compile(r"\w")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


class EmptyRewriteError(ValueError):
    """Nothing usable was left of the rewrite's title after the checks."""


@dataclass(frozen=True)
class Checked:
    content: ProposedContent
    notes: tuple[str, ...]


def _numbers(text: str) -> set[str]:
    return {match.replace(",", ".") for match in _NUMBER.findall(text)}


class ClaimCheck:
    """What the source states, to judge the claims of a rewrite."""

    def __init__(self, source: SourceContent) -> None:
        facts = source.facts_text()
        self._numbers = _numbers(facts)
        self._absent_terms = tuple(
            term for term in CLAIM_TERMS if not term_pattern(term).search(facts)
        )

    def invented(self, text: str) -> list[str]:
        """The claims in `text` the source does not make."""
        claims = sorted(_numbers(text) - self._numbers)
        claims += [term for term in self._absent_terms if term_pattern(term).search(text)]
        return claims

    def strip_words(self, text: str) -> tuple[str, list[str]]:
        """`text` without the words that carry invented claims (a title keeps the rest)."""
        removed: list[str] = []
        for term in self._absent_terms:
            if term_pattern(term).search(text):
                removed.append(term)
                text = term_pattern(term).sub(" ", text)
        kept = []
        for token in collapse(text).split(" "):
            new_numbers = _numbers(token) - self._numbers
            if new_numbers:
                removed.append(token)
                continue
            kept.append(token)
        return collapse(" ".join(kept)), removed


def _clean(text: str, rules: MarketplaceRules, notes: list[str], where: str) -> str:
    """`text` without forbidden characters and terms; empty when no word is left of it."""
    cleaned = remove_characters(collapse(text), rules.forbidden_title_characters)
    if cleaned != collapse(text):
        notes.append(f"{where}: forbidden characters removed")
    cleaned, terms = remove_terms(cleaned, rules.forbidden_terms)
    if terms:
        notes.append(f"{where}: promotional terms removed ({', '.join(terms)})")
    return cleaned if _WORDY.search(cleaned) else ""


def check_rewrite(
    proposed: ProposedContent, source: SourceContent, rules: MarketplaceRules
) -> Checked:
    """The rewrite made safe to propose, with a note per change; raises `EmptyRewriteError`
    when no title is left."""
    notes: list[str] = []
    claims = ClaimCheck(source)

    title = _clean(proposed.title, rules, notes, "title")
    title, removed = claims.strip_words(title)
    if removed:
        notes.append(f"title: invented claims removed ({', '.join(removed)})")
    if len(title) > rules.title_max:
        notes.append(f"title: trimmed to {rules.title_max} characters")
    title = trim_words(title, rules.title_max)
    if not title:
        raise EmptyRewriteError("The rewrite's title had nothing left after the checks.")

    bullets: list[str] = []
    for index, bullet in enumerate(proposed.bullets, start=1):
        cleaned = _clean(bullet, rules, notes, f"bullet {index}")
        invented = claims.invented(cleaned)
        if invented:
            notes.append(f"bullet {index}: dropped, invented claims ({', '.join(invented)})")
            continue
        if len(cleaned) > rules.bullet_max:
            notes.append(f"bullet {index}: trimmed to {rules.bullet_max} characters")
        cleaned = trim_words(cleaned, rules.bullet_max)
        if cleaned:
            bullets.append(cleaned)
    if len(bullets) > rules.bullets_recommended:
        notes.append(f"bullets: kept the first {rules.bullets_recommended}")
        bullets = bullets[: rules.bullets_recommended]

    description = None
    if proposed.description:
        cleaned = _clean(proposed.description, rules, notes, "description")
        sentences = []
        for sentence in _SENTENCE.split(cleaned):
            invented = claims.invented(sentence)
            if invented:
                notes.append(f"description: sentence dropped, invented ({', '.join(invented)})")
                continue
            sentences.append(sentence)
        joined = " ".join(sentences)
        if len(joined) > rules.description_max:
            notes.append(f"description: trimmed to {rules.description_max} characters")
        description = trim_words(joined, rules.description_max) or None
    return Checked(ProposedContent(title, tuple(bullets), description), tuple(notes))
