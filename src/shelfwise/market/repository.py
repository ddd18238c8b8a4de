"""Market queries: offer targets, snapshots, watched ASINs and sync runs, scoped to one tenant."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    DateTime,
    String,
    Uuid,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from shelfwise.catalog.models import Listing
from shelfwise.market.models import (
    OfferSnapshot,
    OfferTarget,
    RankSnapshot,
    SyncChange,
    SyncRun,
    SyncStatus,
    WatchedAsin,
)
from shelfwise.platform.ids import new_id
from shelfwise.platform.repository import TenantRepository


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# PostgreSQL statements over arrays, one row per array position (unnest zips them).
_SNAPSHOT_TYPES = {
    "id": "uuid", "organization_id": "uuid", "marketplace_account_id": "uuid", "asin": "text",
    "observed_at": "timestamptz", "confirmed_at": "timestamptz", "source": "text",
    "condition": "text", "offer_count": "integer", "currency": "text",
    "buy_box_price": "numeric", "buy_box_seller_id": "text", "lowest_price": "numeric",
    "my_price": "numeric", "offers": "text",
}  # fmt: skip
_SNAPSHOT_COLUMNS = tuple(_SNAPSHOT_TYPES)
# Built from the constant column names above, nothing else:
_INSERT_SNAPSHOTS = text(
    f"INSERT INTO offer_snapshots ({', '.join(_SNAPSHOT_COLUMNS)}) "  # noqa: S608
    f"SELECT {', '.join(n + '::jsonb' if n == 'offers' else n for n in _SNAPSHOT_COLUMNS)} "
    f"FROM unnest({', '.join(f'CAST(:{n} AS {t}[])' for n, t in _SNAPSHOT_TYPES.items())}) "
    f"AS v({', '.join(_SNAPSHOT_COLUMNS)})"
)
# The targets' columns a sweep sets, by position in unnest(...) AS v(...).
_TARGET_UPDATE: dict[str, Any] = {
    "id": Uuid(),
    "refreshed_at": DateTime(timezone=True),
    "fingerprint": String(),
    "snapshot_id": Uuid(),
    "last_error": String(),
}


def _not_newer(refreshed_at: Any) -> Any:
    """The stored refresh is not later than the one being written."""
    return or_(OfferTarget.refreshed_at.is_(None), OfferTarget.refreshed_at <= refreshed_at)


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "id"}


class WatchedAsinRepository(TenantRepository[WatchedAsin]):
    model = WatchedAsin

    def of_account(self, account_id: uuid.UUID) -> list[WatchedAsin]:
        statement = self.select().where(WatchedAsin.marketplace_account_id == account_id)
        return list(self.session.scalars(statement.order_by(WatchedAsin.asin)))

    def by_asin(self, account_id: uuid.UUID, asin: str) -> WatchedAsin | None:
        return self.session.scalar(
            self.select().where(
                WatchedAsin.marketplace_account_id == account_id, WatchedAsin.asin == asin
            )
        )


class OfferTargetRepository(TenantRepository[OfferTarget]):
    model = OfferTarget

    def align(self, account_id: uuid.UUID) -> dict[str, int]:
        """Make the account's targets its listings' ASINs plus its watched ASINs: add the new,
        update SKU and watch flags, drop the ones neither lists any more (their snapshots stay).
        """
        listed: dict[str, str] = {}
        rows = self.session.execute(
            self.scoped(select(Listing.asin, Listing.sku), Listing)
            .where(Listing.marketplace_account_id == account_id, Listing.asin.is_not(None))
            .order_by(Listing.sku)
        )
        for asin, sku in rows:
            if asin:
                listed.setdefault(asin, sku)
        watched = set(
            self.session.scalars(
                self.scoped(select(WatchedAsin.asin), WatchedAsin).where(
                    WatchedAsin.marketplace_account_id == account_id
                )
            )
        )
        existing = {
            asin: (target_id, sku, is_watched)
            for target_id, asin, sku, is_watched in self.session.execute(
                self.scoped(
                    select(OfferTarget.id, OfferTarget.asin, OfferTarget.sku, OfferTarget.watched)
                ).where(OfferTarget.marketplace_account_id == account_id)
            )
        }
        wanted = listed.keys() | watched
        added = [
            {
                "id": new_id(),
                "organization_id": self.organization_id,
                "marketplace_account_id": account_id,
                "asin": asin,
                "sku": listed.get(asin),
                "watched": asin in watched,
            }
            for asin in sorted(wanted - existing.keys())
        ]
        changed = [
            {"id": target_id, "sku": listed.get(asin), "watched": asin in watched}
            for asin, (target_id, sku, is_watched) in existing.items()
            if asin in wanted and (sku, is_watched) != (listed.get(asin), asin in watched)
        ]
        gone = [target_id for asin, (target_id, _, _) in existing.items() if asin not in wanted]
        if added:
            self.session.execute(insert(OfferTarget), added)
        if changed:
            self.session.execute(update(OfferTarget), changed)
        for start in range(0, len(gone), 1000):
            self.session.execute(
                delete(OfferTarget).where(OfferTarget.id.in_(gone[start : start + 1000]))
            )
        return {"added": len(added), "changed": len(changed), "removed": len(gone)}

    def due(self, account_id: uuid.UUID, refreshed_before: datetime) -> list[Any]:
        """The account's targets to refresh (id, asin, sku, fingerprint, snapshot id), never
        refreshed first, then the stalest."""
        statement = (
            self.scoped(
                select(
                    OfferTarget.id,
                    OfferTarget.asin,
                    OfferTarget.sku,
                    OfferTarget.fingerprint,
                    OfferTarget.snapshot_id,
                )
            )
            .where(
                OfferTarget.marketplace_account_id == account_id,
                or_(
                    OfferTarget.refreshed_at.is_(None),
                    OfferTarget.refreshed_at < refreshed_before,
                ),
            )
            .order_by(OfferTarget.refreshed_at.is_not(None), OfferTarget.refreshed_at)
        )
        return list(self.session.execute(statement))

    def record(self, updates: list[dict[str, Any]]) -> None:
        """Each target's new refreshed_at, fingerprint, snapshot_id and last_error (by id),
        unless the target was refreshed later meanwhile (a notification that arrived while a
        sweep's answer waited to be stored): the newest observation wins."""
        if not updates:
            return
        if not _is_postgresql(self.session):
            statement = (
                self.scoped(update(OfferTarget))
                .where(OfferTarget.id == bindparam("target_id"), _not_newer(bindparam("at")))
                .values({name: bindparam(name) for name in _TARGET_UPDATE if name != "id"})
            )
            rows = [{**row, "target_id": row["id"], "at": row["refreshed_at"]} for row in updates]
            self.session.connection().execute(statement, [_without_id(row) for row in rows])
            return
        arrays = [
            bindparam(name, [row[name] for row in updates], type_=ARRAY(column_type))
            for name, column_type in _TARGET_UPDATE.items()
        ]
        given = func.unnest(*arrays).table_valued(*_TARGET_UPDATE).render_derived().alias("v")
        statement = (
            self.scoped(update(OfferTarget))
            .where(OfferTarget.id == given.c.id, _not_newer(given.c.refreshed_at))
            .values({name: given.c[name] for name in _TARGET_UPDATE if name != "id"})
        )
        self.session.execute(statement)

    def due_for_ranks(self, account_id: uuid.UUID, refreshed_before: datetime) -> list[Any]:
        """(id, asin, ranks) of the account's items whose ranks are due, stalest first."""
        statement = (
            self.scoped(select(OfferTarget.id, OfferTarget.asin, OfferTarget.ranks))
            .where(
                OfferTarget.marketplace_account_id == account_id,
                or_(
                    OfferTarget.ranks_refreshed_at.is_(None),
                    OfferTarget.ranks_refreshed_at < refreshed_before,
                ),
            )
            .order_by(OfferTarget.ranks_refreshed_at.is_not(None), OfferTarget.ranks_refreshed_at)
        )
        return list(self.session.execute(statement))

    def record_ranks(self, updates: list[dict[str, Any]]) -> None:
        """Each target's ranks and ranks_refreshed_at (by id)."""
        if updates:
            self.session.execute(update(OfferTarget), updates)

    def counts(self, account_id: uuid.UUID, refreshed_before: datetime) -> tuple[int, int]:
        """(targets, of which due) of the account."""
        due = func.count().filter(
            or_(OfferTarget.refreshed_at.is_(None), OfferTarget.refreshed_at < refreshed_before)
        )
        statement = self.scoped(select(func.count(), due)).where(
            OfferTarget.marketplace_account_id == account_id
        )
        total, stale = self.session.execute(statement).one()
        return int(total), int(stale)


class OfferSnapshotRepository(TenantRepository[OfferSnapshot]):
    model = OfferSnapshot

    def add_all(self, rows: list[dict[str, Any]]) -> None:
        """Insert snapshots (dicts of every column). On PostgreSQL in one statement over arrays:
        an executemany of a sweep's thousand rows cost the writer more than all else."""
        if not rows:
            return
        if not _is_postgresql(self.session):
            self.session.execute(insert(OfferSnapshot), rows)
            return
        columns: dict[str, list[Any]] = {name: [] for name in _SNAPSHOT_COLUMNS}
        for row in rows:
            for name, values in columns.items():
                values.append(row[name])
        columns["offers"] = [orjson.dumps(offers).decode() for offers in columns["offers"]]
        self.session.execute(_INSERT_SNAPSHOTS, columns)

    def confirm(self, snapshot_ids: Sequence[uuid.UUID], at: datetime) -> None:
        """These snapshots were seen again, unchanged, at `at`."""
        if snapshot_ids:
            self.session.execute(
                self.scoped(update(OfferSnapshot))
                .where(OfferSnapshot.id.in_(snapshot_ids))
                .values(confirmed_at=at)
            )

    def previous(self, snapshot_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
        """(offers, buy box seller, offer count) of these snapshots, by id."""
        if not snapshot_ids:
            return {}
        statement = self.scoped(
            select(
                OfferSnapshot.id,
                OfferSnapshot.offers,
                OfferSnapshot.buy_box_seller_id,
                OfferSnapshot.offer_count,
            )
        ).where(OfferSnapshot.id.in_(snapshot_ids))
        return {row.id: row for row in self.session.execute(statement)}

    def history(
        self, account_id: uuid.UUID, asin: str, since: datetime, limit: int
    ) -> list[OfferSnapshot]:
        statement = (
            self.select()
            .where(
                OfferSnapshot.marketplace_account_id == account_id,
                OfferSnapshot.asin == asin,
                OfferSnapshot.confirmed_at >= since,
            )
            .order_by(OfferSnapshot.observed_at.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def latest_of(self, account_id: uuid.UUID, asins: Sequence[str]) -> dict[str, OfferSnapshot]:
        """The newest snapshot of each of `asins` on the account (ASINs never swept are absent)."""
        if not asins:
            return {}
        newest = (
            self.scoped(
                select(OfferSnapshot.asin, func.max(OfferSnapshot.observed_at).label("observed"))
            )
            .where(
                OfferSnapshot.marketplace_account_id == account_id,
                OfferSnapshot.asin.in_(asins),
            )
            .group_by(OfferSnapshot.asin)
            .subquery()
        )
        statement = (
            self.select()
            .join(
                newest,
                (OfferSnapshot.asin == newest.c.asin)
                & (OfferSnapshot.observed_at == newest.c.observed),
            )
            .where(OfferSnapshot.marketplace_account_id == account_id)
        )
        return {row.asin: row for row in self.session.scalars(statement)}

    def count(self, account_id: uuid.UUID) -> int:
        statement = self.scoped(select(func.count())).where(
            OfferSnapshot.marketplace_account_id == account_id
        )
        return int(self.session.scalar(statement) or 0)


class RankSnapshotRepository(TenantRepository[RankSnapshot]):
    model = RankSnapshot

    def add_all(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(RankSnapshot), rows)

    def history(
        self, account_id: uuid.UUID, asin: str, since: datetime, limit: int
    ) -> list[RankSnapshot]:
        statement = (
            self.select()
            .where(
                RankSnapshot.marketplace_account_id == account_id,
                RankSnapshot.asin == asin,
                RankSnapshot.observed_at >= since,
            )
            .order_by(RankSnapshot.observed_at.desc(), RankSnapshot.category_id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))


class SyncRunRepository(TenantRepository[SyncRun]):
    model = SyncRun

    def recent(self, account_id: uuid.UUID, limit: int) -> list[SyncRun]:
        statement = (
            self.select()
            .where(SyncRun.marketplace_account_id == account_id)
            .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def latest_per_dataset(self, account_id: uuid.UUID) -> list[SyncRun]:
        newest = (
            self.scoped(select(SyncRun.dataset, func.max(SyncRun.started_at).label("started")))
            .where(SyncRun.marketplace_account_id == account_id)
            .group_by(SyncRun.dataset)
            .subquery()
        )
        statement = (
            self.select()
            .join(
                newest,
                (SyncRun.dataset == newest.c.dataset) & (SyncRun.started_at == newest.c.started),
            )
            .where(SyncRun.marketplace_account_id == account_id)
            .order_by(SyncRun.dataset)
        )
        return list(self.session.scalars(statement))

    def running(self, account_id: uuid.UUID, dataset: str, since: datetime) -> SyncRun | None:
        """A run of `dataset` on the account started since `since` and not finished."""
        statement = self.select().where(
            SyncRun.marketplace_account_id == account_id,
            SyncRun.dataset == dataset,
            SyncRun.status == SyncStatus.RUNNING,
            SyncRun.started_at >= since,
        )
        return self.session.scalars(statement.limit(1)).first()

    def add_changes(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(SyncChange), rows)

    def changes(self, run_id: uuid.UUID, limit: int) -> list[SyncChange]:
        statement = (
            self.scoped(select(SyncChange), SyncChange)
            .where(SyncChange.sync_run_id == run_id)
            .order_by(SyncChange.changed_at, SyncChange.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))
