"""Observed offers into the time series: the one place sweeps and notifications store them.

For each observation of a target: a failure marks the target with the reason; offers equal to
the target's last snapshot (same fingerprint) confirm that snapshot; different offers add a
snapshot, and when there was a previous one, the differences go to the sync log and one
`offers.changed` event per item. All in the caller's transaction.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.events.service import publish
from shelfwise.integrations.offers import ItemOffers
from shelfwise.market.repository import (
    OfferSnapshotRepository,
    OfferTargetRepository,
    SyncRunRepository,
)
from shelfwise.market.snapshots import SnapshotValues, offer_changes, snapshot_values
from shelfwise.platform.ids import new_id

OFFERS_CHANGED = "offers.changed"


@dataclass(frozen=True, slots=True)
class Target:
    """An item whose offers are tracked, with what its last refresh saw."""

    target_id: uuid.UUID
    asin: str
    sku: str | None
    fingerprint: str | None = None
    snapshot_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Observed:
    target: Target
    offers: ItemOffers | None  # None: the source had no offers for it (`error` says why)
    error: str | None
    source: str  # the operation or notification type
    observed_at: datetime


@dataclass(frozen=True, slots=True)
class Recorded:
    refreshed: int  # stored: a new snapshot or a confirmed one
    changed: int  # of which differed from their previous snapshot
    failed: int


def record_offers(
    session: Session,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    sync_run_id: uuid.UUID,
    observations: Sequence[Observed],
) -> Recorded:
    new_rows: list[dict[str, Any]] = []
    confirmed: list[uuid.UUID] = []
    updates: list[dict[str, Any]] = []
    compared: list[tuple[Target, uuid.UUID, SnapshotValues, dict[str, Any]]] = []
    failed = 0
    for observed in observations:
        target = observed.target
        # Every update names the same columns: a bulk UPDATE takes its SET list from one.
        kept = {
            "id": target.target_id,
            "refreshed_at": observed.observed_at,
            "fingerprint": target.fingerprint,
            "snapshot_id": target.snapshot_id,
        }
        if observed.offers is None:
            failed += 1
            error = observed.error or "no offers in the answer"
            updates.append(kept | {"last_error": error[:300]})
            continue
        values = snapshot_values(observed.offers)
        if target.snapshot_id is not None and target.fingerprint == values.fingerprint:
            confirmed.append(target.snapshot_id)
            updates.append(kept | {"last_error": None})
            continue
        row = _snapshot_row(organization_id, account_id, observed, values)
        new_rows.append(row)
        updates.append(
            kept | {"fingerprint": values.fingerprint, "snapshot_id": row["id"], "last_error": None}
        )
        if target.snapshot_id is not None:
            compared.append((target, target.snapshot_id, values, row))
    changed = _log_changes(session, organization_id, account_id, sync_run_id, compared)
    snapshots = OfferSnapshotRepository(session, organization_id)
    snapshots.add_all(new_rows)
    if confirmed:
        snapshots.confirm(confirmed, max(o.observed_at for o in observations))
    OfferTargetRepository(session, organization_id).record(updates)
    return Recorded(len(updates) - failed, changed, failed)


def _snapshot_row(
    organization_id: uuid.UUID, account_id: uuid.UUID, observed: Observed, values: SnapshotValues
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "organization_id": organization_id,
        "marketplace_account_id": account_id,
        "asin": observed.target.asin,
        "observed_at": observed.observed_at,
        "confirmed_at": observed.observed_at,
        "source": observed.source,
        "condition": values.condition,
        "offer_count": values.offer_count,
        "currency": values.currency,
        "buy_box_price": values.buy_box_price,
        "buy_box_seller_id": values.buy_box_seller_id,
        "lowest_price": values.lowest_price,
        "my_price": values.my_price,
        "offers": values.offers,
    }


def _log_changes(
    session: Session,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    sync_run_id: uuid.UUID,
    compared: list[tuple[Target, uuid.UUID, SnapshotValues, dict[str, Any]]],
) -> int:
    """Sync log rows and one `offers.changed` event per item that changed."""
    if not compared:
        return 0
    previous = OfferSnapshotRepository(session, organization_id).previous(
        [snapshot_id for _, snapshot_id, _, _ in compared]
    )
    change_rows: list[dict[str, Any]] = []
    changed_items = 0
    for target, previous_id, values, row in compared:
        before = previous.get(previous_id)
        if before is None:
            continue
        changes = offer_changes(before.offers, before.buy_box_seller_id, before.offer_count, values)
        if not changes:
            continue
        changed_items += 1
        change_rows += [
            {
                "id": new_id(),
                "organization_id": organization_id,
                "sync_run_id": sync_run_id,
                "item": target.asin,
                "field": change.field,
                "old": change.old,
                "new": change.new,
                "changed_at": row["observed_at"],
            }
            for change in changes
        ]
        publish(
            session,
            organization_id,
            OFFERS_CHANGED,
            {
                "account_id": str(account_id),
                "asin": target.asin,
                "sku": target.sku,
                "snapshot_id": str(row["id"]),
                "source": row["source"],
                "observed_at": row["observed_at"].isoformat(),
                "changes": [change.as_payload() for change in changes],
            },
        )
    SyncRunRepository(session, organization_id).add_changes(change_rows)
    return changed_items
