"""Quality score throughput: `score_listing` over 40,000 generated listings on one core.

Run from the project root:

    .venv/bin/python bench/score.py [--listings 40000] [--rounds 5] [--seed 7]

What it does, in a few seconds, with no network and no database:
1. generates --listings listings with a seeded random generator, before any timing: titles of
   20-220 characters (some with forbidden characters, repeated words, capitals or promotional
   phrases), 0-7 bullets, descriptions of 0-2,400 characters, 0-9 images with and without
   declared sizes, 0-8 attributes, search terms of 0-300 bytes (some accented), five Amazon
   marketplaces and eBay;
2. runs --rounds rounds, each a full pass then a baseline pass (alternated, so both share the
   machine's load as it drifts), timed with `time.process_time()` (CPU seconds of this process,
   so other work on the machine does not count):
   - full: `score_listing(content, marketplace)` for every listing, the score's breakdown built
     (sections, rules, reasons and fixes) but not serialised;
   - baseline: a bare pass over the same listings doing only field access and len() of every
     field the score reads (title, each bullet, description, images, attributes, search terms);
3. checks the scores span the range (a scorer that shortcuts would show one value).

It prints each round, then the best round of each side (the least disturbed), listings/s and
`ratio` = full CPU time / baseline CPU time (how many bare passes one scoring costs). Target:
all 40,000 in under 2 s of CPU. The last line printed is one JSON object. Product type
definitions are not used here: validating attributes against a JSON Schema costs about 5 ms a
listing and runs in the rescore jobs, not in bulk.
"""

import argparse
import json
import random
import statistics
import time

from shelfwise.intelligence.scoring import Image, ListingContent, score_listing

WORDS = (
    "acme", "silver", "bracelet", "charm", "women", "adjustable", "chain", "gift", "box",
    "sterling", "steel", "cordless", "drill", "battery", "charger", "kettle", "cotton", "shirt",
    "organic", "stainless", "waterproof", "hiking", "boots", "leather",
)  # fmt: skip
SPICE = (
    "!",
    "BEST SELLER",
    "free shipping",
    "SILVER",
    "silver silver silver",
    "?",
    "100% guaranteed",
)
MARKETPLACES = ("amazon.com", "amazon.co.uk", "amazon.de", "amazon.co.jp", "amazon.fr", "ebay.com")


def sentence(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS) if rng.random() > 0.03 else rng.choice(SPICE)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def generate(count: int, seed: int) -> list[tuple[ListingContent, str]]:
    rng = random.Random(seed)
    listings = []
    for number in range(count):
        images = tuple(
            Image(f"https://images.example/{number}/{index}.jpg", *(
                (rng.randint(300, 3000), rng.randint(300, 3000)) if rng.random() < 0.7
                else (None, None)
            ))
            for index in range(rng.randint(0, 9))
        )  # fmt: skip
        terms = sentence(rng, rng.randint(0, 300))
        listings.append(
            (
                ListingContent(
                    title=sentence(rng, rng.randint(20, 220)),
                    bullets=tuple(
                        sentence(rng, rng.randint(5, 300)) for _ in range(rng.randint(0, 7))
                    ),
                    description=sentence(rng, rng.randint(0, 2400)),
                    images=images,
                    attributes={
                        f"attribute_{index}": rng.choice(("", "value", None, "Silver"))
                        for index in range(rng.randint(0, 8))
                    },
                    search_terms=terms if rng.random() < 0.8 else terms.replace("e", "é"),
                    product_type=rng.choice((None, "BRACELET", "DRILL")),
                    brand=rng.choice((None, "Acme", "BOSCH", "")),
                ),
                rng.choice(MARKETPLACES),
            )
        )
    return listings


def full_pass(listings: list[tuple[ListingContent, str]]) -> list[int]:
    return [score_listing(content, marketplace).score for content, marketplace in listings]


def baseline_pass(listings: list[tuple[ListingContent, str]]) -> list[int]:
    """Field access and len() of everything the score reads: the least any scorer must do."""
    out = []
    for content, marketplace in listings:
        total = len(content.title) + len(marketplace)
        for bullet in content.bullets:
            total += len(bullet)
        total += len(content.description) + len(content.images) + len(content.attributes)
        total += len(content.search_terms) + len(content.brand or "")
        out.append(total)
    return out


def timed(function: object, listings: list[tuple[ListingContent, str]]) -> tuple[float, list[int]]:
    started = time.process_time()
    result = function(listings)  # type: ignore[operator]
    return time.process_time() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--listings", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    listings = generate(arguments.listings, arguments.seed)
    full_times, baseline_times = [], []
    scores: list[int] = []
    for number in range(1, arguments.rounds + 1):
        full_seconds, scores = timed(full_pass, listings)
        baseline_seconds, _ = timed(baseline_pass, listings)
        full_times.append(full_seconds)
        baseline_times.append(baseline_seconds)
        print(
            f"round {number}: full {full_seconds:.3f} s CPU "
            f"({len(listings) / full_seconds:,.0f} listings/s), baseline {baseline_seconds:.3f} s"
        )
    best_full, best_baseline = min(full_times), min(baseline_times)
    result = {
        "bench": "score",
        "listings": len(listings),
        "cpu_seconds": round(best_full, 3),
        "cpu_seconds_median": round(statistics.median(full_times), 3),
        "listings_per_second": round(len(listings) / best_full),
        "baseline_cpu_seconds": round(best_baseline, 4),
        "ratio": round(best_full / best_baseline, 1),
        "score_min": min(scores),
        "score_max": max(scores),
        "score_mean": round(statistics.fmean(scores), 1),
        "target_cpu_seconds": 2.0,
        "target_met": best_full < 2.0,
    }
    print(
        f"best: {result['listings_per_second']:,} listings/s, {best_full:.3f} s CPU for "
        f"{len(listings):,} (target < 2 s); {result['ratio']} x the bare pass; scores "
        f"{result['score_min']}-{result['score_max']}, mean {result['score_mean']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
