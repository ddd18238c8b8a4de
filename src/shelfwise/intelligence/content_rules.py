"""Bullet and description rules: how many bullets, their length and style, and the
description's length (limits and sources in rules.py)."""

from shelfwise.intelligence import rules as R
from shelfwise.intelligence.scorecard import ListingContent, RuleResult, numbers, share
from shelfwise.intelligence.title_rules import caps_words, is_promotional

P = R.RULE_POINTS


def content_rules(content: ListingContent, limits: R.MarketplaceRules) -> tuple[RuleResult, ...]:
    """The bullets and description section's four rule results."""
    bullets = [bullet.strip() for bullet in content.bullets]
    bullets = [bullet for bullet in bullets if bullet]
    return (
        _bullet_count(len(bullets), limits),
        _bullet_length(bullets, limits),
        _bullet_style(bullets),
        _description_length(len(content.description.strip()), limits),
    )


def _bullet_count(count: int, limits: R.MarketplaceRules) -> RuleResult:
    possible, wanted = P["bullets.count"], limits.bullets_recommended
    if count >= wanted:
        return RuleResult("bullets.count", possible, possible, f"{count} bullet points.", None)
    return RuleResult(
        "bullets.count",
        share(possible, count, wanted),
        possible,
        f"{count} bullet points; {wanted} are shown on the detail page.",
        f"Add {wanted - count} bullet points: benefits, materials, size, compatibility, care.",
    )


def _bullet_length(bullets: list[str], limits: R.MarketplaceRules) -> RuleResult:
    possible, low, high = P["bullets.length"], limits.bullet_min, limits.bullet_max
    if not bullets:
        return RuleResult(
            "bullets.length", 0, possible, "There are no bullet points.", "Write bullet points."
        )
    wrong = [number for number, text in enumerate(bullets, 1) if not low <= len(text) <= high]
    if not wrong:
        return RuleResult(
            "bullets.length",
            possible,
            possible,
            f"Every bullet point has {low} to {high} characters.",
            None,
        )
    return RuleResult(
        "bullets.length",
        share(possible, len(bullets) - len(wrong), len(bullets)),
        possible,
        f"{len(wrong)} of {len(bullets)} bullet points are outside {low} to {high} characters.",
        f"Rewrite bullet points {numbers(wrong)} to {low}-{high} characters each.",
    )


def _flagged_bullets(bullets: list[str]) -> list[int]:
    """Numbers (from 1) of the bullets with a promotional phrase or a word in capitals."""
    return [
        number
        for number, text in enumerate(bullets, 1)
        if is_promotional(text.lower()) or caps_words(text)
    ]


def _bullet_style(bullets: list[str]) -> RuleResult:
    possible = P["bullets.style"]
    if not bullets:
        return RuleResult(
            "bullets.style", 0, possible, "There are no bullet points.", "Write bullet points."
        )
    wrong = _flagged_bullets(bullets)
    if not wrong:
        return RuleResult(
            "bullets.style",
            possible,
            possible,
            "No bullet point shouts in capitals or makes promotional claims.",
            None,
        )
    return RuleResult(
        "bullets.style",
        share(possible, len(bullets) - len(wrong), len(bullets)),
        possible,
        f"{len(wrong)} of {len(bullets)} bullet points use capitals or promotional claims.",
        f"Rewrite bullet points {numbers(wrong)} in sentence case, without sales claims.",
    )


def _description_length(size: int, limits: R.MarketplaceRules) -> RuleResult:
    possible, wanted, most = (
        P["description.length"],
        limits.description_recommended,
        limits.description_max,
    )
    if size == 0:
        return RuleResult(
            "description.length",
            0,
            possible,
            "There is no description.",
            f"Write a description of {wanted} to {most} characters.",
        )
    if size > most:
        return RuleResult(
            "description.length",
            0,
            possible,
            f"The description has {size} characters; the limit is {most}.",
            f"Cut the description to {most} characters or fewer.",
        )
    if size < wanted:
        return RuleResult(
            "description.length",
            share(possible, size, wanted),
            possible,
            f"The description has {size} characters; {wanted} or more answer shoppers' questions.",
            f"Add use cases, specifications and what is in the box ({wanted - size} more"
            " characters).",
        )
    return RuleResult(
        "description.length",
        possible,
        possible,
        f"The description has {size} characters, within {most}.",
        None,
    )
