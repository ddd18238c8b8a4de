"""SP-API notifications from a (fake) SQS queue into offer snapshots, events and receipts, on
SQLite and PostgreSQL: once per notification, in order, nothing lost, nothing kept forever."""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shelfwise.events.models import Event
from shelfwise.integrations.errors import RetryableError
from shelfwise.integrations.sqs.client import SqsQueue
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.jobs.service import enqueue
from shelfwise.market.models import (
    NotificationReceipt,
    OfferSnapshot,
    OfferTarget,
    SyncChange,
    SyncRun,
    SyncStatus,
)
from shelfwise.market.notification_tasks import RECEIVE
from shelfwise.market.notifications import (
    DIRECTORY_REFRESH_SECONDS,
    MOST_DELIVERIES,
    RETRY_FAILED_AFTER_SECONDS,
    Accounts,
    Counts,
    NotificationConsumer,
    Recipient,
)
from shelfwise.market.observations import OFFERS_CHANGED
from shelfwise.market.pricing_health import PRICING_HEALTH_EVENT
from shelfwise.market.repository import OfferTargetRepository
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_account, create_listing, unique
from tests.fakes.sqs.server import FakeSqs, Fault
from tests.market.notification_messages import (
    any_offer_changed,
    offer,
    pricing_health,
    schema_validators,
)

ASIN = "B0NOTIFY01"
OTHER_ASIN = "B0NOTIFY02"
RIVAL = "ARIVAL000001"
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass
class Queue:
    """A fake SQS queue; every notification posted is first checked against its schema."""

    sqs: FakeSqs
    url: str
    validators: dict[str, jsonschema.Draft7Validator]

    def post(self, message: dict[str, Any]) -> str:
        kind = message.get("NotificationType") or message.get("notificationType")
        self.validators[str(kind)].validate(message)
        return self.sqs.send(self.url, json.dumps(message))

    def post_raw(self, body: str) -> str:
        return self.sqs.send(self.url, body)

    def client(self) -> SqsQueue:
        return SqsQueue(
            self.url,
            region=self.sqs.region,
            endpoint_url=self.sqs.url,
            access_key_id=self.sqs.access_key_id,
            secret_access_key=self.sqs.secret_access_key,
            read_timeout_seconds=5,
        )

    def consume(self, context: AppContext) -> Counts:
        consumer = NotificationConsumer(
            context.database, self.client(), wait_seconds=0, visibility_seconds=30
        )
        return consumer.run(budget_seconds=20)

    def left(self) -> int:
        return len(self.sqs.messages(self.url))


@pytest.fixture
def queue(shared_data: Path) -> Iterator[Queue]:
    with FakeSqs() as sqs:
        yield Queue(sqs, sqs.create_queue("spapi-notifications"), schema_validators(shared_data))


@dataclass
class Seller:
    tenant: Tenant
    seller_id: str
    account_id: uuid.UUID


def tracked_seller(
    context: AppContext, client: TestClient, tenant: Tenant, seller_id: str | None = None
) -> Seller:
    """An amazon.com account listing ASIN, its offer targets aligned as a sweep aligns them."""
    seller_id = seller_id or unique("ASELLER").upper()
    account = create_account(client, tenant, marketplace="amazon.com", seller_id=seller_id)
    account_id = uuid.UUID(account["id"])
    create_listing(client, tenant, marketplace_account_id=account["id"], sku="MUG-1", asin=ASIN)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        OfferTargetRepository(session, tenant.organization_id).align(account_id)
    return Seller(tenant, seller_id, account_id)


def rows(context: AppContext, tenant: Tenant, statement: Any) -> list[Any]:
    """The tenant's rows (filtered here too: SQLite has no row-level security)."""
    model = statement.column_descriptions[0]["entity"]
    scoped = statement.where(model.organization_id == tenant.organization_id)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        return list(session.scalars(scoped))


def receipts(context: AppContext, tenant: Tenant) -> list[NotificationReceipt]:
    statement = select(NotificationReceipt).order_by(NotificationReceipt.received_at)
    return rows(context, tenant, statement)


def snapshots(context: AppContext, tenant: Tenant) -> list[OfferSnapshot]:
    return rows(context, tenant, select(OfferSnapshot).order_by(OfferSnapshot.observed_at))


def target(context: AppContext, tenant: Tenant, asin: str = ASIN) -> OfferTarget:
    found: OfferTarget = rows(context, tenant, select(OfferTarget).where(OfferTarget.asin == asin))[
        0
    ]
    return found


def mine_winning(seller: Seller, changed_at: datetime, **overrides: Any) -> dict[str, Any]:
    offers = [
        offer(seller.seller_id, "19.99", is_buy_box_winner=True),
        offer(RIVAL, "21.00", "2.50", is_fba=True),
    ]
    return any_offer_changed(seller.seller_id, ASIN, offers, changed_at, **overrides)


def rival_winning(seller: Seller, changed_at: datetime, **overrides: Any) -> dict[str, Any]:
    offers = [
        offer(seller.seller_id, "19.99"),
        offer(RIVAL, "17.00", is_buy_box_winner=True, is_fba=True),
    ]
    return any_offer_changed(seller.seller_id, ASIN, offers, changed_at, **overrides)


def test_the_fixtures_follow_the_published_schemas(queue: Queue) -> None:
    message = any_offer_changed("ASELLER", ASIN, [offer("ASELLER", "1.00")], T0)
    queue.validators["ANY_OFFER_CHANGED"].validate(message)
    queue.validators["PRICING_HEALTH"].validate(pricing_health("ASELLER", ASIN, T0))
    del message["NotificationMetadata"]["NotificationId"]
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        queue.validators["ANY_OFFER_CHANGED"].validate(message)


def test_offer_changes_are_stored_as_the_sweeps_store_offers(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    first = mine_winning(seller, T0)
    queue.post(first)
    counts = queue.consume(context)
    assert (counts.received, counts.applied, counts.changed, counts.deleted) == (1, 1, 0, 1)
    (snapshot,) = snapshots(context, tenant)
    assert (snapshot.source, snapshot.asin, snapshot.offer_count) == ("ANY_OFFER_CHANGED", ASIN, 2)
    assert snapshot.buy_box_seller_id == seller.seller_id
    assert (snapshot.my_price, snapshot.lowest_price) == (Decimal("19.99"), Decimal("19.99"))
    assert snapshot.buy_box_price == Decimal("19.99")
    assert {o["seller_id"]: o["fulfillment"] for o in snapshot.offers} == {
        seller.seller_id: "merchant",
        RIVAL: "amazon",
    }
    assert target(context, tenant).refreshed_at == T0
    assert target(context, tenant).snapshot_id == snapshot.id

    queue.post(rival_winning(seller, T0 + timedelta(minutes=5)))
    counts = queue.consume(context)
    assert (counts.applied, counts.changed) == (1, 1)
    assert len(snapshots(context, tenant)) == 2
    events = rows(context, tenant, select(Event).where(Event.type == OFFERS_CHANGED))
    assert len(events) == 1
    assert events[0].payload["source"] == "ANY_OFFER_CHANGED"
    assert events[0].payload["sku"] == "MUG-1"
    assert [c["kind"] for c in events[0].payload["changes"]] == ["buy_box.lost", "price.dropped"]
    runs = rows(context, tenant, select(SyncRun).order_by(SyncRun.started_at))
    assert [(r.dataset, r.trigger, r.status) for r in runs] == [
        ("offers", "notification", SyncStatus.SUCCEEDED),
        ("offers", "notification", SyncStatus.SUCCEEDED),
    ]
    assert runs[1].counts == {"changed": 1}
    changes = rows(context, tenant, select(SyncChange).where(SyncChange.sync_run_id == runs[1].id))
    assert {(c.item, c.field, c.old, c.new) for c in changes} == {
        (ASIN, "buy_box_seller", seller.seller_id, RIVAL),
        (ASIN, f"offer:{RIVAL}", "23.50", "17.00"),
    }
    stored = receipts(context, tenant)
    assert next((r.notification_id, r.status, r.detail) for r in stored) == (
        first["NotificationMetadata"]["NotificationId"],
        "applied",
        None,
    )
    assert stored[0].payload == first  # kept for replay
    assert stored[0].published_at == T0
    assert queue.left() == 0


def test_a_notification_delivered_twice_is_applied_once_and_deleted(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    message = mine_winning(seller, T0)
    queue.post(message)
    queue.post(message)  # SQS is at-least-once: the same notification as a second message
    counts = queue.consume(context)
    assert (counts.received, counts.applied, counts.duplicates, counts.deleted) == (2, 1, 1, 2)
    assert len(snapshots(context, tenant)) == 1
    assert len(receipts(context, tenant)) == 1
    assert queue.left() == 0


def test_a_crash_after_commit_before_delete_redelivers_and_the_receipt_dedupes(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    queue.post(mine_winning(seller, T0))
    queue.sqs.inject(Fault(500), operation="DeleteMessageBatch")
    with pytest.raises(RetryableError):
        queue.consume(context)
    assert len(receipts(context, tenant)) == 1  # committed…
    assert queue.left() == 1  # …and not deleted: it comes back
    queue.sqs.advance(31)
    counts = queue.consume(context)
    assert (counts.received, counts.duplicates, counts.applied, counts.deleted) == (1, 1, 0, 1)
    assert len(snapshots(context, tenant)) == 1
    assert queue.left() == 0


def test_a_crash_before_commit_redelivers_and_applies_once(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    queue.post(mine_winning(seller, T0))
    (taken,) = queue.client().receive(10, 0, 30)  # a consumer that died right after receiving
    assert receipts(context, tenant) == []
    queue.sqs.advance(31)
    counts = queue.consume(context)
    assert (counts.received, counts.applied, counts.deleted) == (1, 1, 1)
    assert len(snapshots(context, tenant)) == 1
    assert queue.left() == 0
    assert taken.receive_count == 1


def test_a_message_that_never_commits_is_kept_as_rejected_after_a_few_deliveries(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    message = mine_winning(seller, T0)
    queue.post(message)
    for _ in range(MOST_DELIVERIES):  # every delivery so far died before committing
        queue.client().receive(10, 0, 30)
        queue.sqs.advance(31)
    counts = queue.consume(context)
    assert (counts.rejected, counts.deleted) == (1, 1)
    (receipt,) = receipts(context, tenant)
    assert (receipt.status, receipt.detail) == (
        "rejected",
        f"delivered {MOST_DELIVERIES + 1} times and never stored; kept for replay",
    )
    assert receipt.payload == message
    assert snapshots(context, tenant) == []
    assert queue.left() == 0


def test_a_failed_message_shows_again_soon_and_the_rest_of_its_batch_at_once(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    queue.post(mine_winning(seller, T0))
    queue.post(rival_winning(seller, T0 + timedelta(minutes=1)))
    consumer = NotificationConsumer(
        context.database, queue.client(), wait_seconds=0, visibility_seconds=600
    )
    messages = queue.client().receive(10, 0, 600)
    assert len(messages) == 2
    # The account was deleted after the consumer looked accounts up: its receipt cannot be
    # inserted, and the batch stops there.
    gone = {(seller.seller_id, "ATVPDKIKX0DER"): [Recipient(tenant.organization_id, uuid.uuid4())]}
    with pytest.raises(IntegrityError):
        consumer.consume(messages, Accounts(context.database, entries=gone))
    assert receipts(context, tenant) == []
    assert [m.body for m in queue.client().receive(10, 0, 600)] == [messages[1].body]
    queue.sqs.advance(RETRY_FAILED_AFTER_SECONDS + 1)  # not the 600 s visibility timeout
    counts = queue.consume(context)  # with the accounts as they are now
    assert (counts.received, counts.applied, counts.deleted) == (1, 1, 1)
    queue.sqs.advance(600)
    assert queue.consume(context).applied == 1
    assert len(snapshots(context, tenant)) == 2
    assert queue.left() == 0


def test_an_offer_change_older_than_the_last_refresh_changes_nothing(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    queue.post(rival_winning(seller, T0 + timedelta(minutes=10)))
    queue.consume(context)
    late = mine_winning(seller, T0)  # happened before, delivered after
    queue.post(late)
    counts = queue.consume(context)
    assert (counts.stale, counts.applied, counts.deleted) == (1, 0, 1)
    (snapshot,) = snapshots(context, tenant)
    assert snapshot.buy_box_seller_id == RIVAL
    assert target(context, tenant).refreshed_at == T0 + timedelta(minutes=10)
    stale = receipts(context, tenant)[1]
    assert stale.notification_id == late["NotificationMetadata"]["NotificationId"]
    assert (stale.status, stale.detail) == ("applied", "older than the last refresh")


@pytest.mark.parametrize(
    ("asin", "condition", "detail"),
    [
        pytest.param(OTHER_ASIN, "New", "not tracked", id="asin-not-tracked"),
        pytest.param(ASIN, "Used", "not tracked: condition used", id="used-condition"),
    ],
)
def test_an_item_the_account_does_not_track_is_receipted_and_creates_no_target(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    queue: Queue,
    asin: str,
    condition: str,
    detail: str,
) -> None:
    seller = tracked_seller(context, client, tenant)
    offers = [offer(RIVAL, "5.00", is_buy_box_winner=True)]
    queue.post(any_offer_changed(seller.seller_id, asin, offers, T0, condition=condition))
    counts = queue.consume(context)
    assert (counts.not_tracked, counts.applied, counts.deleted) == (1, 0, 1)
    assert [(r.status, r.detail) for r in receipts(context, tenant)] == [("applied", detail)]
    assert snapshots(context, tenant) == []
    assert [t.asin for t in rows(context, tenant, select(OfferTarget))] == [ASIN]
    assert target(context, tenant).refreshed_at is None


def test_a_message_for_no_known_seller_is_logged_counted_and_deleted(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    tracked_seller(context, client, tenant)
    stranger = unique("ASTRANGER").upper()
    queue.post(any_offer_changed(stranger, ASIN, [offer(stranger, "9.99")], T0))
    counts = queue.consume(context)
    assert (counts.received, counts.unknown_account, counts.deleted) == (1, 1, 1)
    assert counts.applied == 0
    assert receipts(context, tenant) == []
    assert queue.left() == 0


def test_a_seller_connected_during_a_run_is_found_on_a_miss(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    now = [0.0]
    accounts = Accounts(context.database, clock=lambda: now[0])
    seller = tracked_seller(context, client, tenant)  # connected after the run read accounts
    assert accounts.of(seller.seller_id, "ATVPDKIKX0DER") == []  # read again at most every 10 s
    now[0] += DIRECTORY_REFRESH_SECONDS
    assert accounts.of(seller.seller_id, "ATVPDKIKX0DER") == [
        Recipient(tenant.organization_id, seller.account_id)
    ]


def _amount_as_text(message: dict[str, Any]) -> None:
    notification = message["Payload"]["AnyOfferChangedNotification"]
    notification["Offers"][0]["ListingPrice"]["Amount"] = "19.99"


def _time_in_words(message: dict[str, Any]) -> None:
    notification = message["Payload"]["AnyOfferChangedNotification"]
    notification["OfferChangeTrigger"]["TimeOfOfferChange"] = "yesterday"


def _other_type(message: dict[str, Any]) -> None:
    message["NotificationType"] = "B2B_ANY_OFFER_CHANGED"


def _no_offers(message: dict[str, Any]) -> None:
    del message["Payload"]["AnyOfferChangedNotification"]["Offers"]


def _no_notification_id(message: dict[str, Any]) -> None:
    del message["NotificationMetadata"]["NotificationId"]


@pytest.mark.parametrize(
    ("damage", "detail"),
    [
        pytest.param(
            _amount_as_text,
            "Payload.AnyOfferChangedNotification.Offers[0].ListingPrice.Amount: expected a "
            "number, got a string",
            id="amount-as-text",
        ),
        pytest.param(
            _time_in_words,
            "Payload.AnyOfferChangedNotification.OfferChangeTrigger.TimeOfOfferChange: "
            "'yesterday' is not an ISO 8601 time",
            id="time-in-words",
        ),
        pytest.param(
            _other_type, "unsupported notification type 'B2B_ANY_OFFER_CHANGED'", id="other-type"
        ),
        pytest.param(
            _no_offers, "Payload.AnyOfferChangedNotification.Offers: missing", id="no-offers"
        ),
        pytest.param(
            _no_notification_id, "NotificationMetadata.NotificationId: missing", id="no-id"
        ),
    ],
)
def test_a_wrong_message_for_a_known_account_is_a_rejected_receipt_and_deleted(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    queue: Queue,
    damage: Any,
    detail: str,
) -> None:
    seller = tracked_seller(context, client, tenant)
    message = mine_winning(seller, T0)
    damage(message)
    message_id = queue.post_raw(json.dumps(message))
    counts = queue.consume(context)
    assert (counts.rejected, counts.applied, counts.deleted) == (1, 0, 1)
    (receipt,) = receipts(context, tenant)
    assert (receipt.status, receipt.detail) == ("rejected", detail)
    assert receipt.payload == message
    expected_id = message["NotificationMetadata"].get("NotificationId", f"sqs:{message_id}")
    assert receipt.notification_id == expected_id
    assert snapshots(context, tenant) == []
    assert target(context, tenant).refreshed_at is None
    assert queue.left() == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param("[1, 2]", id="json-array"),
        pytest.param('{"NotificationType": "ANY_OFFER_CHANGED", "Payload": {}}', id="no-seller"),
    ],
)
def test_a_message_naming_no_account_is_logged_counted_and_deleted(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue, body: str
) -> None:
    tracked_seller(context, client, tenant)
    queue.post_raw(body)
    counts = queue.consume(context)
    assert (counts.received, counts.rejected, counts.deleted) == (1, 1, 1)
    assert receipts(context, tenant) == []
    assert queue.left() == 0


def test_pricing_health_publishes_an_event_and_logs_a_change(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    message = pricing_health(seller.seller_id, ASIN, T0)
    queue.post(message)
    counts = queue.consume(context)
    assert (counts.applied, counts.deleted) == (1, 1)
    (event,) = rows(context, tenant, select(Event).where(Event.type == PRICING_HEALTH_EVENT))
    usd = "USD"
    assert event.payload == {
        "account_id": str(seller.account_id),
        "asin": ASIN,
        "sku": "MUG-1",
        "notification_id": message["notificationMetadata"]["notificationId"],
        "issue_type": "BuyBoxDisqualification",
        "changed_at": T0.isoformat(),
        "offer": {
            "condition": "new",
            "fulfillment": "MFN",
            "listing_price": {"amount": "26.50", "currency": usd},
            "shipping": {"amount": "4.49", "currency": usd},
            "landed_price": {"amount": "30.99", "currency": usd},
        },
        "buy_box_price": {"amount": "22.00", "currency": usd},
        "reference_prices": {
            "average_selling_price": {"amount": "23.50", "currency": usd},
            "competitive_price_threshold": {"amount": "24.00", "currency": usd},
            "msrp_price": {"amount": "29.99", "currency": usd},
        },
    }
    (change,) = rows(context, tenant, select(SyncChange))
    assert (change.item, change.field, change.old) == (ASIN, "pricing_health", None)
    assert change.new["issue_type"] == "BuyBoxDisqualification"
    assert change.new["landed_price"] == {"amount": "30.99", "currency": usd}
    (receipt,) = receipts(context, tenant)
    assert (receipt.notification_type, receipt.status) == ("PRICING_HEALTH", "applied")
    assert snapshots(context, tenant) == []  # a pricing health message carries no offer list


def test_a_pricing_health_with_a_wrong_fulfillment_type_is_rejected(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    queue.post_raw(json.dumps(pricing_health(seller.seller_id, ASIN, T0, fulfillment="FBM")))
    counts = queue.consume(context)
    assert counts.rejected == 1
    (receipt,) = receipts(context, tenant)
    assert receipt.detail == "payload.merchantOffer.fulfillmentType: expected AFN or MFN, got 'FBM'"
    assert rows(context, tenant, select(Event).where(Event.type == PRICING_HEALTH_EVENT)) == []


def test_a_notification_reaches_only_the_organizations_that_connected_its_seller(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    queue: Queue,
) -> None:
    mine = tracked_seller(context, client, tenant)
    theirs = tracked_seller(context, client, other_tenant)
    queue.post(mine_winning(mine, T0))
    queue.consume(context)
    assert len(snapshots(context, tenant)) == 1 and len(receipts(context, tenant)) == 1
    assert snapshots(context, other_tenant) == [] and receipts(context, other_tenant) == []

    # An agency and the seller itself both connected one seller: each organization gets it once.
    shared = tracked_seller(context, client, other_tenant, seller_id=mine.seller_id)
    message = rival_winning(mine, T0 + timedelta(minutes=1))
    queue.post(message)
    queue.post(message)
    counts = queue.consume(context)
    # Applied in both organizations; a change only where a previous snapshot existed.
    assert (counts.received, counts.applied, counts.changed, counts.duplicates) == (2, 2, 1, 2)
    assert len(snapshots(context, tenant)) == 2
    assert [s.marketplace_account_id for s in snapshots(context, other_tenant)] == [
        shared.account_id
    ]
    assert len(receipts(context, other_tenant)) == 1
    assert theirs.account_id != shared.account_id
    assert queue.left() == 0


def run_job(context: AppContext, queue: Queue | None) -> Job:
    overrides: dict[str, Any] = {"notifications_wait_seconds": 0}
    if queue is not None:
        overrides |= {
            "notifications_queue_url": queue.url,
            "notifications_endpoint_url": queue.sqs.url,
            "notifications_region": queue.sqs.region,
            "notifications_access_key_id": queue.sqs.access_key_id,
            "notifications_secret_access_key": queue.sqs.secret_access_key,
        }
    settings = context.settings.model_validate(context.settings.model_dump() | overrides)
    with context.database.unit_of_work() as session:
        job_id = enqueue(session, RECEIVE, {}, organization_id=None)
    assert job_id is not None
    JobRunner(context.database, settings).execute(str(job_id))
    with context.database.unit_of_work() as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def test_the_job_defers_while_the_queue_is_down_and_loses_nothing(
    context: AppContext, client: TestClient, tenant: Tenant, queue: Queue
) -> None:
    seller = tracked_seller(context, client, tenant)
    queue.post(mine_winning(seller, T0))
    queue.sqs.refuse_connections()
    down = run_job(context, queue)
    assert down.status is JobStatus.QUEUED  # retried later, by the queue's policy
    assert down.error is not None and down.error.startswith("RetryableError: SQS ReceiveMessage")
    assert receipts(context, tenant) == []
    queue.sqs.accept_connections()
    up = run_job(context, queue)
    assert up.status is JobStatus.SUCCEEDED, up.error
    assert up.result is not None
    assert (up.result["enabled"], up.result["applied"], up.result["deleted"]) == (True, 1, 1)
    assert len(snapshots(context, tenant)) == 1
    assert queue.left() == 0


def test_the_job_does_nothing_without_a_queue(context: AppContext) -> None:
    job = run_job(context, None)
    assert (job.status, job.result) == (JobStatus.SUCCEEDED, {"enabled": False})
