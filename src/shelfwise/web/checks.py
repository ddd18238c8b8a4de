"""Content checks of a listing against its marketplace's rules, each with the fix to make.

The listing page shows them beside the stored quality score: the score is one number, these say
what to change. The rules are the ones the optimizers follow (intelligence/rules.py)."""

import re
from collections import Counter
from dataclasses import dataclass

from shelfwise.catalog.models import Listing
from shelfwise.intelligence.rules import rules_for

WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    fix: str


def _promotional(text: str, terms: tuple[str, ...]) -> list[str]:
    lowered = text.lower()
    return [term for term in terms if re.search(rf"\b{re.escape(term)}\b", lowered)]


def content_checks(listing: Listing) -> list[Check]:
    rules = rules_for(listing.marketplace)
    title, bullets = listing.title, list(listing.bullets)
    description = listing.description or ""
    bad_characters = sorted({c for c in title if c in rules.forbidden_characters})
    repeated = sorted(
        word
        for word, count in Counter(w.lower() for w in WORD.findall(title) if len(w) > 2).items()
        if count > rules.max_word_repeats
    )
    promotional = _promotional(" ".join([title, *bullets, description]), rules.forbidden_terms)
    long_bullets = [n for n, bullet in enumerate(bullets, 1) if len(bullet) > rules.bullet_max]
    return [
        Check(
            f"Title within {rules.title_max} characters",
            len(title) <= rules.title_max,
            f"Shorten the title by {len(title) - rules.title_max} characters.",
        ),
        Check(
            "Title without forbidden characters",
            not bad_characters,
            f"Remove {' '.join(bad_characters)} from the title.",
        ),
        Check(
            f"No word more than {rules.max_word_repeats} times in the title",
            not repeated,
            f"Repeat less: {', '.join(repeated)}.",
        ),
        Check(
            f"{rules.bullet_count} bullet points",
            len(bullets) >= rules.bullet_count,
            f"Add {rules.bullet_count - len(bullets)} bullet points (features, size, material,"
            " what is in the box).",
        ),
        Check(
            f"Bullet points within {rules.bullet_max} characters",
            not long_bullets,
            f"Shorten bullet points {', '.join(map(str, long_bullets))}.",
        ),
        Check(
            "A description",
            bool(description.strip()),
            "Write a description: what it is, who it is for, how it is used.",
        ),
        Check(
            f"Description within {rules.description_max} characters",
            len(description) <= rules.description_max,
            f"Shorten the description by {len(description) - rules.description_max} characters.",
        ),
        Check(
            "No promotional phrases",
            not promotional,
            f"Remove: {', '.join(promotional)}.",
        ),
        Check("At least one image", bool(listing.images), "Add a main image."),
    ]
