"""SP-API notifications from the queue into offer snapshots and events, each applied once.

One Shelfwise install is one SP-API application with one queue for all its sellers: a message
names a seller and a marketplace, which select the account in each organization that connected
that seller. For each such account one transaction inserts the message's receipt (unique per
organization and notification id, so a redelivered message is recognised) together with its
effects: an ANY_OFFER_CHANGED stores the item's offers as the sweeps do (`record_offers`); a
PRICING_HEALTH publishes `offers.pricing_health` and logs a sync change. Only after every
transaction of a message committed is the message deleted, so a crash at any point redelivers
it and the receipt makes the second delivery a no-op. A message no account claims, or that no
one can read, is logged, counted and deleted; one that is wrong but names a known account is
kept as a rejected receipt (with its payload, for replay). The offer sweeps remain the
reconciling pass for anything a notification missed.
"""

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.accounts.repository import AccountsRepository
from shelfwise.catalog.marketplaces import marketplace
from shelfwise.integrations.amazon_spapi.notifications import (
    ANY_OFFER_CHANGED,
    PRICING_HEALTH,
    NotificationRejected,
    OfferChange,
    PricingHealth,
    decode,
    envelope,
    offer_change,
    pricing_health,
    route_of,
)
from shelfwise.integrations.errors import RetryableError, VendorRejectedError
from shelfwise.integrations.sqs.client import MessageQueue, Received
from shelfwise.market.models import SyncStatus
from shelfwise.market.notification_repository import (
    NotificationAccountRepository,
    NotificationReceiptRepository,
    NotificationTargetRepository,
)
from shelfwise.market.observations import Observed, Target, record_offers
from shelfwise.market.pricing_health import record_pricing_health
from shelfwise.market.service import finish_sync, start_sync
from shelfwise.platform.db import Database
from shelfwise.platform.ids import new_id
from shelfwise.platform.logging import get_logger
from shelfwise.platform.types import utcnow

TRACKED_CONDITION = "new"  # what the sweeps fetch; other conditions would interleave series
# A message delivered this often never committed (each delivery failed before its receipt):
# it is kept as a rejected receipt instead of being tried forever.
MOST_DELIVERIES = 5
RETRY_FAILED_AFTER_SECONDS = 30  # a message whose transaction failed shows again this soon
logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Recipient:
    organization_id: uuid.UUID
    account_id: uuid.UUID


Directory = dict[tuple[str, str], list[Recipient]]  # (seller id, marketplace id) -> accounts
DIRECTORY_REFRESH_SECONDS = 10.0  # a seller connected meanwhile is found on a miss after this


def account_directory(database: Database) -> Directory:
    """Every organization's active Amazon accounts by (seller id, Amazon marketplace id)."""
    with database.unit_of_work(write=False) as session:
        organization_ids = AccountsRepository(session).all_organization_ids()
    directory: Directory = {}
    for organization_id in organization_ids:
        with database.unit_of_work(organization_id=organization_id, write=False) as session:
            accounts = NotificationAccountRepository(session, organization_id).amazon_sellers()
        for account_id, code, seller_id in accounts:
            known = marketplace(code)
            if known is None or known.amazon_marketplace_id is None:
                continue
            key = (seller_id, known.amazon_marketplace_id)
            directory.setdefault(key, []).append(Recipient(organization_id, account_id))
    return directory


class Accounts:
    """The directory of one consumer run, read again on a miss (at most every 10 s), so a
    message for a seller connected during the run is not taken for a stranger's."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], float] = time.monotonic,
        entries: Directory | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self._entries = account_directory(database) if entries is None else entries
        self._read_at = clock()

    def of(self, seller_id: str, marketplace_id: str) -> list[Recipient]:
        found = self._entries.get((seller_id, marketplace_id))
        if not found and self.clock() - self._read_at >= DIRECTORY_REFRESH_SECONDS:
            self._entries = account_directory(self.database)
            self._read_at = self.clock()
            found = self._entries.get((seller_id, marketplace_id))
        return found or []


@dataclass
class Counts:
    receives: int = 0  # ReceiveMessage calls
    received: int = 0  # messages
    applied: int = 0  # receipts stored with effects (or nothing to do), per account
    changed: int = 0  # items whose offers changed
    stale: int = 0  # older than the target's last refresh
    not_tracked: int = 0
    duplicates: int = 0  # already received by the account's organization
    rejected: int = 0  # unreadable or wrong (with or without a receipt)
    unknown_account: int = 0  # named no account Shelfwise knows
    deleted: int = 0
    delete_failed: int = 0  # stay in the queue; their next delivery is a duplicate

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass(frozen=True, slots=True)
class _Parsed:
    notification_id: str
    notification_type: str
    published_at: datetime | None
    document: dict[str, Any]
    change: OfferChange | None = None
    health: PricingHealth | None = None
    rejected: str | None = None


@dataclass
class _Run:
    """The sync run of one account in one batch (created by its first applied message)."""

    organization_id: uuid.UUID
    run_id: uuid.UUID
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class NotificationConsumer:
    database: Database
    queue: MessageQueue
    batch_size: int = 10
    wait_seconds: int = 20
    visibility_seconds: int = 120
    job_id: uuid.UUID | None = None
    clock: Callable[[], float] = time.monotonic
    counts: Counts = field(default_factory=Counts)

    def run(self, budget_seconds: float) -> Counts:
        """Receive and store batches until the queue is empty or `budget_seconds` passed."""
        deadline = self.clock() + budget_seconds
        directory = Accounts(self.database, self.clock)
        while (remaining := deadline - self.clock()) > 0:
            # A long poll never outlasts the budget (the job runs again next minute).
            wait = max(0, min(self.wait_seconds, int(remaining)))
            messages = self.queue.receive(self.batch_size, wait, self.visibility_seconds)
            self.counts.receives += 1
            if not messages:
                break
            self.consume(messages, directory)
        return self.counts

    def consume(self, messages: Sequence[Received], directory: Accounts) -> None:
        """Store one batch, then delete what committed (also when a message failed)."""
        runs: dict[uuid.UUID, _Run] = {}
        done: list[Received] = []
        try:
            for message in messages:
                self.counts.received += 1
                self._message(message, directory, runs)
                done.append(message)
        except BaseException as error:
            self._release(messages[len(done) :])
            self._delete(done, best_effort=True)
            self._finish(runs, SyncStatus.FAILED, f"{type(error).__name__}: {error}")
            raise
        self._finish(runs, None, None)
        self._delete(done)

    # -- one message ----------------------------------------------------------------------------

    def _message(self, message: Received, directory: Accounts, runs: dict[uuid.UUID, _Run]) -> None:
        try:
            document = decode(message.body)
        except NotificationRejected as rejected:
            self._unreceipted(message, "notification.rejected", rejected.reason)
            return
        route = route_of(document)
        if route is None:
            reason = "names no seller and marketplace (payload sellerId, marketplaceId)"
            self._unreceipted(message, "notification.rejected", reason)
            return
        recipients = directory.of(route.seller_id, route.marketplace_id)
        if not recipients:
            self.counts.unknown_account += 1
            logger.warning(
                "notification.unknown_account",
                message_id=message.message_id,
                seller_id=route.seller_id,
                marketplace_id=route.marketplace_id,
            )
            return
        parsed = _parse(message, document)
        for recipient in recipients:
            self._store(recipient, parsed, runs)

    def _unreceipted(self, message: Received, event: str, reason: str) -> None:
        self.counts.rejected += 1
        logger.warning(event, message_id=message.message_id, reason=reason, body=message.body[:500])

    def _store(self, recipient: Recipient, parsed: _Parsed, runs: dict[uuid.UUID, _Run]) -> None:
        organization_id, account_id = recipient.organization_id, recipient.account_id
        run = runs.get(account_id)
        new_run: uuid.UUID | None = None
        with self.database.unit_of_work(organization_id=organization_id) as session:
            status, detail, outcome = self._decide(session, recipient, parsed)
            receipt = {
                "id": new_id(),
                "marketplace_account_id": account_id,
                "notification_id": parsed.notification_id,
                "notification_type": parsed.notification_type[:64],
                "published_at": parsed.published_at,
                "received_at": utcnow(),
                "status": status,
                "detail": detail[:1000] if detail else None,
                "payload": parsed.document,
            }
            if not NotificationReceiptRepository(session, organization_id).claim(receipt):
                outcome = "duplicates"
            elif outcome in ("applied", "changed"):
                if run is None:
                    new_run = start_sync(
                        session, organization_id, account_id, "offers", "notification",
                        self.job_id,
                    ).id  # fmt: skip
                run_id = run.run_id if run is not None else new_run
                assert run_id is not None
                outcome = self._apply(session, recipient, run_id, parsed)
        # Committed: only now count it (a rolled back transaction counts nothing).
        if new_run is not None:
            run = runs[account_id] = _Run(organization_id, new_run)
        setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)
        if outcome == "changed":
            self.counts.applied += 1
        if run is not None:
            run.counts[outcome] = run.counts.get(outcome, 0) + 1
        if outcome == "rejected":
            logger.warning(
                "notification.rejected",
                notification_id=parsed.notification_id,
                account_id=str(account_id),
                reason=parsed.rejected,
            )

    def _decide(
        self, session: Session, recipient: Recipient, parsed: _Parsed
    ) -> tuple[str, str | None, str]:
        """(receipt status, detail, outcome) before the receipt is claimed."""
        if parsed.rejected is not None:
            return "rejected", parsed.rejected, "rejected"
        change = parsed.change
        if change is None:
            return "applied", None, "applied"  # PRICING_HEALTH: always applied
        if change.condition != TRACKED_CONDITION:
            return "applied", f"not tracked: condition {change.condition}", "not_tracked"
        targets = NotificationTargetRepository(session, recipient.organization_id)
        target = targets.by_asin(recipient.account_id, change.asin)
        if target is None:
            return "applied", "not tracked", "not_tracked"
        if target.refreshed_at is not None and change.changed_at < target.refreshed_at:
            return "applied", "older than the last refresh", "stale"
        return "applied", None, "applied"

    def _apply(
        self, session: Session, recipient: Recipient, run_id: uuid.UUID, parsed: _Parsed
    ) -> str:
        organization_id, account_id = recipient.organization_id, recipient.account_id
        targets = NotificationTargetRepository(session, organization_id)
        if parsed.change is not None:
            change = parsed.change
            row = targets.by_asin(account_id, change.asin)
            assert row is not None  # _decide found it in this transaction
            target = Target(row.id, row.asin, row.sku, row.fingerprint, row.snapshot_id)
            observed = Observed(target, change.offers, None, ANY_OFFER_CHANGED, change.changed_at)
            recorded = record_offers(session, organization_id, account_id, run_id, [observed])
            return "changed" if recorded.changed else "applied"
        health = parsed.health
        assert health is not None
        target_row = targets.by_asin(account_id, health.asin)
        record_pricing_health(
            session, organization_id, account_id, run_id, parsed.notification_id, health,
            target_row.sku if target_row is not None else None,
        )  # fmt: skip
        return "applied"

    # -- the queue ------------------------------------------------------------------------------

    def _delete(self, messages: Sequence[Received], *, best_effort: bool = False) -> None:
        if not messages:
            return
        try:
            outcome = self.queue.delete(messages)
        except RetryableError as error:
            if not best_effort:
                raise
            logger.warning("notification.delete_failed", count=len(messages), error=str(error))
            self.counts.delete_failed += len(messages)
            return
        self.counts.deleted += len(outcome.deleted)
        self.counts.delete_failed += len(outcome.failed)
        for message_id, reason in outcome.failed.items():
            logger.warning("notification.delete_failed", message_id=message_id, reason=reason)

    def _release(self, messages: Sequence[Received]) -> None:
        """After a failure: the failed message shows again soon, the untouched ones at once."""
        for index, message in enumerate(messages):
            delay = RETRY_FAILED_AFTER_SECONDS if index == 0 else 0
            try:
                self.queue.change_visibility(message, min(delay, self.visibility_seconds))
            except RetryableError:
                return  # the queue is down: their visibility timeout brings them back
            except VendorRejectedError as refused:  # e.g. no longer in flight: visible already
                logger.warning("notification.release_failed", reason=refused.detail)

    def _finish(
        self, runs: dict[uuid.UUID, _Run], status: SyncStatus | None, error: str | None
    ) -> None:
        for run in runs.values():
            final = status or (
                SyncStatus.PARTIAL if run.counts.get("rejected") else SyncStatus.SUCCEEDED
            )
            finish_sync(self.database, run.organization_id, run.run_id, final, run.counts, error)


def _parse(message: Received, document: dict[str, Any]) -> _Parsed:
    """The message as what it asks for, or why it is rejected (account independent)."""
    fallback_type = document.get("NotificationType", document.get("notificationType"))
    notification_type = fallback_type if isinstance(fallback_type, str) else "(none)"
    # Without a notification id, the queue's message id keys the receipt: a redelivery of the
    # same malformed message is still recognised.
    notification_id = f"sqs:{message.message_id}"
    published_at = None
    try:
        head = envelope(document)
        notification_id, notification_type = head.notification_id, head.notification_type
        published_at = head.published_at
        if message.receive_count > MOST_DELIVERIES:
            raise NotificationRejected(
                f"delivered {message.receive_count} times and never stored; kept for replay"
            )
        if head.notification_type == ANY_OFFER_CHANGED:
            change = offer_change(document)
            return _Parsed(notification_id[:100], notification_type, published_at, document,
                           change=change)  # fmt: skip
        if head.notification_type == PRICING_HEALTH:
            health = pricing_health(document)
            return _Parsed(notification_id[:100], notification_type, published_at, document,
                           health=health)  # fmt: skip
        raise NotificationRejected(f"unsupported notification type {head.notification_type!r}")
    except NotificationRejected as rejected:
        return _Parsed(
            notification_id[:100], notification_type, published_at, document,
            rejected=rejected.reason,
        )  # fmt: skip
