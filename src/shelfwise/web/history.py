"""An item's offers and Best Sellers Ranks over time on one marketplace account, with the chart
drawn from them: the listing page and the competitor page show the same picture."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup
from sqlalchemy.orm import Session

from shelfwise.market.models import OfferSnapshot, RankSnapshot
from shelfwise.market.repository import OfferSnapshotRepository, RankSnapshotRepository
from shelfwise.platform.types import utcnow
from shelfwise.web.chart import Series, as_float, line_chart

HISTORY_DAYS = 30
SNAPSHOTS_READ = 200
RANKS_READ = 500


@dataclass(frozen=True)
class ItemHistory:
    offers: list[OfferSnapshot]  # newest first
    ranks: list[RankSnapshot]  # newest first
    chart: Markup


def item_history(
    session: Session, organization_id: uuid.UUID, account_id: uuid.UUID, asin: str
) -> ItemHistory:
    since = utcnow() - timedelta(days=HISTORY_DAYS)
    offers = OfferSnapshotRepository(session, organization_id).history(
        account_id, asin, since, SNAPSHOTS_READ
    )
    ranks = RankSnapshotRepository(session, organization_id).history(
        account_id, asin, since, RANKS_READ
    )
    prices = [(o.observed_at, as_float(o.buy_box_price or o.lowest_price)) for o in offers]
    chart = line_chart(
        f"Price and Best Sellers Rank, last {HISTORY_DAYS} days",
        [
            Series("Buy Box price", "price", [(t, v) for t, v in prices if v is not None]),
            Series("BSR", "rank", [(r.observed_at, float(r.rank)) for r in ranks], True),
        ],
    )
    return ItemHistory(offers, ranks, Markup(chart))  # noqa: S704 - chart.py escapes every text
