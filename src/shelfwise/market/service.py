"""Market use cases: sync runs and account connection status, offer sweeps, watched ASINs."""

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from shelfwise.accounts.repository import AccountsRepository
from shelfwise.audit.service import ActsForOrganization, audit
from shelfwise.catalog.models import ConnectionStatus, MarketplaceAccount, Platform
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.integrations.offers import OfferLane
from shelfwise.jobs.service import enqueue
from shelfwise.market.models import SyncRun, SyncStatus, WatchedAsin
from shelfwise.market.repository import (
    OfferTargetRepository,
    SyncRunRepository,
    WatchedAsinRepository,
)
from shelfwise.market.sweep import Due, OfferSweep, Progress, SweepCounts
from shelfwise.platform.actor import Actor
from shelfwise.platform.db import Database
from shelfwise.platform.errors import ConflictError, NotFoundError
from shelfwise.platform.types import utcnow


@dataclass(frozen=True)
class SweepOutcome:
    run_id: uuid.UUID | None  # None: another sweep of the account is running; this one did not
    due: int
    counts: SweepCounts


def start_sync(
    session: Session,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    dataset: str,
    trigger: str,
    job_id: uuid.UUID | None = None,
) -> SyncRun:
    return SyncRunRepository(session, organization_id).add(
        SyncRun(
            marketplace_account_id=account_id,
            dataset=dataset,
            trigger=trigger,
            job_id=job_id,
            status=SyncStatus.RUNNING,
            started_at=utcnow(),
            counts={},
        )
    )


def finish_sync(
    database: Database,
    organization_id: uuid.UUID,
    run_id: uuid.UUID,
    status: SyncStatus,
    counts: dict[str, int],
    error: str | None = None,
) -> None:
    with database.unit_of_work(organization_id=organization_id) as session:
        run = SyncRunRepository(session, organization_id).get(run_id)
        if run is not None:
            run.status = status
            run.counts = counts
            run.error = error[:2000] if error else None
            run.finished_at = utcnow()


def record_connection(
    database: Database,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    disconnected: AccountDisconnectedError | None,
) -> None:
    """What the last call said about the account's authorization; a change is audited."""
    with database.unit_of_work(organization_id=organization_id) as session:
        account = MarketplaceAccountRepository(session, organization_id).get(account_id)
        if account is not None:
            set_connection(session, _System(organization_id), account, disconnected)


def set_connection(
    session: Session,
    who: ActsForOrganization,
    account: MarketplaceAccount,
    disconnected: AccountDisconnectedError | None,
) -> None:
    """The account's connection as a call just found it, in the caller's transaction."""
    status = ConnectionStatus.DISCONNECTED if disconnected else ConnectionStatus.CONNECTED
    error = disconnected.detail[:1000] if disconnected else None
    before = account.connection_status
    account.connection_status = status
    account.connection_error = error
    account.connection_checked_at = utcnow()
    if before != status:
        audit(
            session,
            who,
            f"marketplace_account.{status.value}",
            "marketplace_account",
            account.id,
            before={"connection_status": before.value},
            after={"connection_status": status.value, "connection_error": error},
        )


SYNC_ACTOR = Actor("automation", "market.sync")


@dataclass(frozen=True)
class _System:
    """The integration itself as the audit log's actor."""

    organization_id: uuid.UUID
    actor: Actor = SYNC_ACTOR


def sweep_offers(
    database: Database,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    lanes: list[OfferLane],
    *,
    refresh_interval_seconds: float,
    slice_seconds: float,
    trigger: str,
    job_id: uuid.UUID | None = None,
    progress: Progress | None = None,
    set_total: Callable[[int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    threads_per_lane: int = 1,
) -> SweepOutcome:
    """Refresh the account's due offers, calling for at most `slice_seconds` (on `clock`)."""
    with database.unit_of_work(organization_id=organization_id) as session:
        # Two sweeps of one account would split its quota and fetch items twice. A run left
        # "running" by a killed worker stops blocking once two slices have passed.
        recent = utcnow() - timedelta(seconds=2 * slice_seconds)
        MarketplaceAccountRepository(session, organization_id).lock(account_id)
        if SyncRunRepository(session, organization_id).running(account_id, "offers", recent):
            return SweepOutcome(None, 0, SweepCounts())
        targets = OfferTargetRepository(session, organization_id)
        targets.align(account_id)
        cutoff = utcnow() - timedelta(seconds=refresh_interval_seconds)
        due = [Due(*row) for row in targets.due(account_id, cutoff)]
        run_id = start_sync(session, organization_id, account_id, "offers", trigger, job_id).id
    if set_total is not None:
        set_total(len(due))
    deadline = clock() + slice_seconds
    lock = threading.Lock()

    def locked_progress(session: Session, items: int) -> None:
        if progress is not None:
            with lock:
                progress(session, items)

    sweep = OfferSweep(
        database,
        organization_id,
        account_id,
        run_id,
        lanes,
        deadline,
        progress=locked_progress,
        clock=clock,
        sleep=sleep,
        threads_per_lane=threads_per_lane,
    )
    try:
        counts = sweep.run(due)
    except AccountDisconnectedError as disconnected:
        record_connection(database, organization_id, account_id, disconnected)
        finish_sync(
            database,
            organization_id,
            run_id,
            SyncStatus.FAILED,
            sweep.counts.as_dict(),
            disconnected.detail,
        )
        raise
    except Exception as error:
        finish_sync(
            database, organization_id, run_id, SyncStatus.FAILED, sweep.counts.as_dict(), str(error)
        )
        raise
    if counts.calls:
        record_connection(database, organization_id, account_id, None)
    status = SyncStatus.PARTIAL if counts.failed else SyncStatus.SUCCEEDED
    summary = counts.as_dict() | {"due": len(due)}
    finish_sync(database, organization_id, run_id, status, summary)
    return SweepOutcome(run_id, len(due), counts)


def sweepable_accounts(session: Session, organization_id: uuid.UUID) -> list[MarketplaceAccount]:
    """The organization's Amazon accounts a scheduled sweep should refresh."""
    return [
        account
        for account in MarketplaceAccountRepository(session, organization_id).all()
        if account.platform is Platform.AMAZON
        and account.is_active
        and account.credential_id is not None
        and account.connection_status is not ConnectionStatus.DISCONNECTED
    ]


def queue_for_accounts(database: Database, job_name: str, tick: str) -> int:
    """Queue `job_name` for every sweepable account of every organization, once per `tick`
    (the scheduler's tick time: a tick fired twice queues nothing more)."""
    with database.unit_of_work() as session:
        organization_ids = AccountsRepository(session).all_organization_ids()
    queued = 0
    for organization_id in organization_ids:
        with database.unit_of_work(organization_id=organization_id) as session:
            for account in sweepable_accounts(session, organization_id):
                queued += 1
                enqueue(
                    session,
                    job_name,
                    {"account_id": str(account.id), "trigger": "schedule"},
                    organization_id=organization_id,
                    created_by="scheduler",
                    dedupe_key=f"{job_name}:{account.id}:{tick}",
                )
    return queued


class WatchlistService:
    def add(
        self,
        session: Session,
        who: ActsForOrganization,
        account_id: uuid.UUID,
        asin: str,
        note: str | None,
    ) -> WatchedAsin:
        self.account(session, who, account_id)
        repository = WatchedAsinRepository(session, who.organization_id)
        if repository.by_asin(account_id, asin) is not None:
            raise ConflictError(f"{asin} is already watched on this account.")
        watched = repository.add(
            WatchedAsin(marketplace_account_id=account_id, asin=asin, note=note)
        )
        audit(session, who, "watched_asin.added", "watched_asin", watched.id, after={"asin": asin})
        return watched

    def remove(
        self, session: Session, who: ActsForOrganization, account_id: uuid.UUID, asin: str
    ) -> None:
        repository = WatchedAsinRepository(session, who.organization_id)
        watched = repository.by_asin(account_id, asin)
        if watched is None:
            raise NotFoundError(f"{asin} is not watched on this account.")
        repository.delete(watched)
        audit(
            session, who, "watched_asin.removed", "watched_asin", watched.id, before={"asin": asin}
        )

    def list(
        self, session: Session, who: ActsForOrganization, account_id: uuid.UUID
    ) -> list[WatchedAsin]:
        self.account(session, who, account_id)
        return WatchedAsinRepository(session, who.organization_id).of_account(account_id)

    def account(
        self, session: Session, who: ActsForOrganization, account_id: uuid.UUID
    ) -> MarketplaceAccount:
        account = MarketplaceAccountRepository(session, who.organization_id).get(account_id)
        if account is None:
            raise NotFoundError("No such marketplace account.")
        return account
