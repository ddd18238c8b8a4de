"""The deal score (S0's "DXM score"): how good a buy an item is now, 0 to 10.

Four terms, each with a maximum; the score is 10 x (points earned / maximum of the terms that
have data), rounded half-up to one decimal, so an item is not punished for what its source
cannot know (SP-API gives no ratings). No price: no score.

- discount (max 4): depth under the list price, linear, full at 50 % off or more:
  4 x min(1, (list - price) / list / 0.5); no list price: no term.
- rating (max 3): stars above 3, linear, full at 5 stars: 3 x clamp((rating - 3) / 2, 0, 1);
  3 stars or fewer earn nothing (most items sit at 4 or more).
- reviews (max 2): confidence in the rating, logarithmic, full at 9,999 reviews:
  2 x min(1, log10(reviews + 1) / 4); no count: no term.
- price history (max 1): where today's price sits in the range the organization's offer
  snapshots saw: 1 x (high - price) / (high - low), clamped; 1 at or under the lowest seen.
  No history or a flat one: no term.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DISCOUNT_POINTS = Decimal(4)
FULL_DISCOUNT = Decimal("0.5")
RATING_POINTS = Decimal(3)
REVIEW_POINTS = Decimal(2)
FULL_REVIEWS_LOG10 = Decimal(4)  # log10(9,999 + 1)
HISTORY_POINTS = Decimal(1)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class PriceRange:
    """The lowest and highest price the organization observed for the item."""

    low: Decimal
    high: Decimal


def _clamp(value: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), value))


def deal_score(
    price: Decimal | None,
    list_price: Decimal | None = None,
    rating: float | None = None,
    review_count: int | None = None,
    history: PriceRange | None = None,
) -> Decimal | None:
    """The score, 0.0 to 10.0; None without a price."""
    if price is None or price <= 0:
        return None
    earned, possible = Decimal(0), Decimal(0)
    if list_price is not None and list_price > 0:
        depth = (list_price - price) / list_price
        earned += DISCOUNT_POINTS * _clamp(depth / FULL_DISCOUNT)
        possible += DISCOUNT_POINTS
    if rating is not None:
        earned += RATING_POINTS * _clamp((Decimal(str(rating)) - 3) / 2)
        possible += RATING_POINTS
    if review_count is not None and review_count >= 0:
        earned += REVIEW_POINTS * _clamp(Decimal(review_count + 1).log10() / FULL_REVIEWS_LOG10)
        possible += REVIEW_POINTS
    if history is not None and history.high > history.low:
        earned += HISTORY_POINTS * _clamp((history.high - price) / (history.high - history.low))
        possible += HISTORY_POINTS
    if not possible:
        return None
    return (10 * earned / possible).quantize(TENTH, rounding=ROUND_HALF_UP)
