"""The server-drawn SVG chart: points placed on the right scale, text escaped."""

from datetime import UTC, datetime, timedelta

from shelfwise.web.chart import Series, line_chart

START = datetime(2026, 12, 1, tzinfo=UTC)


def test_no_points_draw_nothing() -> None:
    assert line_chart("Empty", [Series("Price", "price", [])]) == ""


def test_price_high_is_drawn_high_and_best_rank_is_drawn_high() -> None:
    day = timedelta(days=1)
    svg = line_chart(
        "Price & <rank>",
        [
            Series("Price", "price", [(START, 10.0), (START + day, 20.0)]),
            Series("BSR", "rank", [(START, 500.0), (START + day, 100.0)], invert=True),
        ],
    )
    # x from 36 to 604; y from 52 (top) to 184 (bottom): 20 is the top, rank 100 the top too.
    assert '<polyline class="price" points="36.0,184.0 604.0,52.0"/>' in svg
    assert '<polyline class="rank" points="36.0,184.0 604.0,52.0"/>' in svg
    assert "Price: 20 (last 2 points: 10 to 20)" in svg
    assert "<title>Price &amp; &lt;rank&gt;</title>" in svg
