"""A line chart drawn as inline SVG on the server: no chart library, no third-party JS."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import escape

WIDTH, HEIGHT, PAD = 640, 220, 36
TOP = 52  # room above the lines for the series' labels


@dataclass(frozen=True)
class Series:
    label: str
    css_class: str
    points: Sequence[tuple[datetime, float]]
    invert: bool = False  # Best Sellers Rank: 1 is best, so drawn at the top


def _scale(values: Sequence[float], invert: bool) -> list[float]:
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    inner = HEIGHT - TOP - PAD
    return [
        TOP + ((value - low) / span if invert else (high - value) / span) * inner
        for value in values
    ]


def line_chart(title: str, series: Sequence[Series]) -> str:
    """One SVG with a polyline per series (each on its own vertical scale), time along x."""
    drawn = [each for each in series if len(each.points) >= 1]
    if not drawn:
        return ""
    times = [point[0].timestamp() for each in drawn for point in each.points]
    start, end = min(times), max(times)
    width = (end - start) or 1.0
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" '
        f'y2="{HEIGHT - PAD}"/>',
    ]
    for index, each in enumerate(drawn):
        ordered = sorted(each.points)
        ys = _scale([value for _, value in ordered], each.invert)
        xs = [PAD + (t.timestamp() - start) / width * (WIDTH - 2 * PAD) for t, _ in ordered]
        coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
        parts.append(f'<polyline class="{each.css_class}" points="{coordinates}"/>')
        values = [value for _, value in ordered]
        # No axis ticks: the latest value and the range say what the line's height means.
        parts.append(
            f'<text class="{each.css_class}" x="{PAD}" y="{18 + 18 * index}">'
            f"{escape(each.label)}: {values[-1]:g} (last {len(values)} points: "
            f"{min(values):g} to {max(values):g})</text>"
        )
    first = datetime.fromtimestamp(start).strftime("%d %b")
    last_day = datetime.fromtimestamp(end).strftime("%d %b")
    parts.append(f'<text class="tick" x="{PAD}" y="{HEIGHT - 10}">{first}</text>')
    parts.append(
        f'<text class="tick" x="{WIDTH - PAD}" y="{HEIGHT - 10}" text-anchor="end">'
        f"{last_day}</text></svg>"
    )
    return "".join(parts)


def as_float(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)
