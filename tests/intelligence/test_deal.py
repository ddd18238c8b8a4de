"""The deal score's terms, each alone and together, with exact values."""

from decimal import Decimal

import pytest

from shelfwise.intelligence.deal import PriceRange, deal_score


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param({"price": None}, None, id="no-price"),
        pytest.param({"price": Decimal("10")}, None, id="price-alone-has-no-term"),
        pytest.param({"price": Decimal("50"), "list_price": Decimal("100")}, "10.0", id="half-off"),
        pytest.param(
            {"price": Decimal("40"), "list_price": Decimal("100")}, "10.0", id="over-half"
        ),
        pytest.param({"price": Decimal("80"), "list_price": Decimal("100")}, "4.0", id="20-off"),
        pytest.param({"price": Decimal("120"), "list_price": Decimal("100")}, "0.0", id="above"),
        pytest.param({"price": Decimal("9"), "rating": 4.5}, "7.5", id="rating-4.5"),
        pytest.param({"price": Decimal("9"), "rating": 2.0}, "0.0", id="rating-under-3"),
        pytest.param({"price": Decimal("9"), "review_count": 99}, "5.0", id="99-reviews"),
        pytest.param({"price": Decimal("9"), "review_count": 0}, "0.0", id="no-reviews"),
        pytest.param({"price": Decimal("9"), "review_count": 50_000}, "10.0", id="many-reviews"),
        pytest.param(
            {"price": Decimal("30"), "history": PriceRange(Decimal("25"), Decimal("45"))},
            "7.5",
            id="history-quarter-up",
        ),
        pytest.param(
            {"price": Decimal("30"), "history": PriceRange(Decimal("30"), Decimal("30"))},
            None,
            id="flat-history-has-no-term",
        ),
        pytest.param(
            {
                "price": Decimal("79.99"),
                "list_price": Decimal("99.99"),
                "rating": 4.6,
                "review_count": 1234,
            },
            # discount 4 x 0.40004 = 1.60016; rating 3 x 0.8 = 2.4; reviews 2 x 0.77289 = 1.54578
            # 5.54594 of 9 possible -> 6.162
            "6.2",
            id="all-but-history",
        ),
        pytest.param(
            {
                "price": Decimal("25"),
                "list_price": Decimal("50"),
                "rating": 5.0,
                "review_count": 9999,
                "history": PriceRange(Decimal("25"), Decimal("40")),
            },
            "10.0",
            id="perfect",
        ),
    ],
)
def test_deal_score(arguments: dict[str, object], expected: str | None) -> None:
    score = deal_score(**arguments)  # type: ignore[arg-type]
    assert score == (Decimal(expected) if expected is not None else None)
