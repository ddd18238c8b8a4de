"""Best Sellers Ranks of tracked items over time, from Catalog Items (searchCatalogItems, 20
ASINs a call at 2 calls a second: 49,000 items in about 20 minutes).

Ranks are stored when they change (a row per item and category from that moment on); each
change goes to the sync log, and a jump of more than 30% in either direction is published as a
`ranks.changed` event (severity high beyond a factor of two) for alerts and charts.
"""

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.events.service import publish
from shelfwise.integrations.errors import RetryableError
from shelfwise.market.repository import (
    OfferTargetRepository,
    RankSnapshotRepository,
    SyncRunRepository,
)
from shelfwise.platform.db import Database
from shelfwise.platform.ids import new_id
from shelfwise.platform.types import utcnow

RANKS_CHANGED = "ranks.changed"
JUMP = 1.3  # a rank this many times better or worse is a jump
HIGH = 2.0
IDENTIFIERS_PER_CALL = 20

# ASINs in, catalog items (with salesRanks) out: SellingPartnerClient.search_catalog_items.
CatalogSearch = Callable[[Sequence[str]], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Rank:
    category: str
    rank: int


def item_ranks(item: dict[str, Any], marketplace_id: str) -> dict[str, Rank]:
    """{category id: Rank} of a Catalog Items 2022-04-01 item in one marketplace; category ids
    are "classification:<id>" (browse nodes) or "group:<website display group>"."""
    ranks: dict[str, Rank] = {}
    for entry in item.get("salesRanks") or []:
        if entry.get("marketplaceId") != marketplace_id:
            continue
        for found in entry.get("classificationRanks") or []:
            _add(ranks, f"classification:{found.get('classificationId')}", found)
        for found in entry.get("displayGroupRanks") or []:
            _add(ranks, f"group:{found.get('websiteDisplayGroup')}", found)
    return ranks


def _add(ranks: dict[str, Rank], key: str, found: dict[str, Any]) -> None:
    rank = found.get("rank")
    if isinstance(rank, int) and not isinstance(rank, bool) and rank > 0 and ":None" not in key:
        ranks[key[:100]] = Rank(str(found.get("title") or key)[:200], rank)


@dataclass
class RankCounts:
    calls: int = 0
    items: int = 0
    changed: int = 0
    missing: int = 0  # asked for, not in Amazon's answer

    def as_dict(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "refreshed": self.items,
            "changed": self.changed,
            "missing": self.missing,
        }


@dataclass
class RankSync:
    database: Database
    organization_id: uuid.UUID
    account_id: uuid.UUID
    marketplace_id: str
    run_id: uuid.UUID
    search: CatalogSearch
    deadline: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def run(self, due: Sequence[Any]) -> RankCounts:
        """Refresh `due` ((target id, asin, last ranks) rows) until done or the deadline."""
        counts = RankCounts()
        position = 0
        while position < len(due) and self.clock() < self.deadline:
            chunk = due[position : position + IDENTIFIERS_PER_CALL]
            try:
                items = self.search([row.asin for row in chunk])
            except RetryableError as deferred:
                pause = deferred.defer_seconds or 0.0
                if self.clock() + pause >= self.deadline:
                    break
                self.sleep(pause)
                continue
            counts.calls += 1
            self._store(chunk, {str(item.get("asin")): item for item in items}, counts)
            position += len(chunk)
        return counts

    def _store(self, chunk: Sequence[Any], items: dict[str, Any], counts: RankCounts) -> None:
        now = utcnow()
        organization_id = self.organization_id
        with self.database.unit_of_work(organization_id=organization_id) as session:
            rows: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for target in chunk:
                item = items.get(target.asin)
                if item is None:
                    counts.missing += 1
                    updates.append(
                        {"id": target.id, "ranks": target.ranks, "ranks_refreshed_at": now}
                    )
                    continue
                counts.items += 1
                ranks = item_ranks(item, self.marketplace_id)
                before = {key: int(value) for key, value in (target.ranks or {}).items()}
                after = {key: rank.rank for key, rank in ranks.items()}
                updates.append({"id": target.id, "ranks": after, "ranks_refreshed_at": now})
                if after == before:
                    continue
                counts.changed += 1
                rows += [
                    {
                        "id": new_id(),
                        "organization_id": organization_id,
                        "marketplace_account_id": self.account_id,
                        "asin": target.asin,
                        "observed_at": now,
                        "category_id": key,
                        "category": rank.category,
                        "rank": rank.rank,
                    }
                    for key, rank in ranks.items()
                    if before.get(key) != rank.rank
                ]
                self._log(session, target.asin, before, ranks, now)
            RankSnapshotRepository(session, organization_id).add_all(rows)
            OfferTargetRepository(session, organization_id).record_ranks(updates)

    def _log(
        self,
        session: Session,
        asin: str,
        before: dict[str, int],
        ranks: dict[str, Rank],
        now: datetime,
    ) -> None:
        changes = [
            (key, before.get(key), ranks[key].rank if key in ranks else None)
            for key in sorted(before.keys() | ranks.keys())
            if before.get(key) != (ranks[key].rank if key in ranks else None)
        ]
        SyncRunRepository(session, self.organization_id).add_changes(
            [
                {
                    "id": new_id(),
                    "organization_id": self.organization_id,
                    "sync_run_id": self.run_id,
                    "item": asin,
                    "field": f"rank:{key}",
                    "old": old,
                    "new": new,
                    "changed_at": now,
                }
                for key, old, new in changes
            ]
        )
        jumps = [
            {
                "category_id": key,
                "category": ranks[key].category,
                "old": old,
                "new": new,
                "severity": "high" if max(old / new, new / old) >= HIGH else "normal",
            }
            for key, old, new in changes
            if old and new and max(old / new, new / old) >= JUMP
        ]
        if jumps:
            publish(
                session,
                self.organization_id,
                RANKS_CHANGED,
                {
                    "account_id": str(self.account_id),
                    "asin": asin,
                    "observed_at": now.isoformat(),
                    "changes": jumps,
                },
            )
