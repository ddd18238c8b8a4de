"""The event bus: events recorded with the change, delivered to each subscriber as a job at least
once, never when the change rolls back, readable per organization and replayable."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfwise.accounts.models import Role
from shelfwise.events import registry
from shelfwise.events.models import Event
from shelfwise.events.registry import subscribe
from shelfwise.events.service import delivery_arguments, publish
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.registry import job
from shelfwise.jobs.service import enqueue
from shelfwise.jobs.system import JobSystem
from shelfwise.platform.context import AppContext
from tests.accounts.conftest import problem
from tests.factories import Tenant, create_tenant
from tests.jobs.conftest import load_job, wait_for

LISTING_UPDATED = "testlisting.updated"
PRICE_CHANGED = "testprice.changed"
UNSUBSCRIBED = "testlisting.archived"
INDEX_LISTING = "testevents.index_listing"  # subscribes to LISTING_UPDATED
NOTIFY_SELLER = "testevents.notify_seller"  # subscribes to LISTING_UPDATED
REPRICE = "testevents.reprice"  # subscribes to PRICE_CHANGED
SUBSCRIBERS = (INDEX_LISTING, NOTIFY_SELLER, REPRICE)


@job(INDEX_LISTING)
def index_listing(context: JobContext) -> dict[str, Any]:
    return dict(context.arguments)


@job(NOTIFY_SELLER)
def notify_seller(context: JobContext) -> dict[str, Any]:
    return dict(context.arguments)


@job(REPRICE)
def reprice(context: JobContext) -> dict[str, Any]:
    return dict(context.arguments)


@pytest.fixture
def subscriptions() -> Iterator[None]:
    saved = {event_type: set(names) for event_type, names in registry.SUBSCRIPTIONS.items()}
    subscribe(INDEX_LISTING, LISTING_UPDATED)
    subscribe(NOTIFY_SELLER, LISTING_UPDATED)
    subscribe(REPRICE, PRICE_CHANGED)
    yield
    registry.SUBSCRIPTIONS.clear()
    registry.SUBSCRIPTIONS.update(saved)


def publish_events(
    context: AppContext, organization_id: uuid.UUID, *events: tuple[str, dict[str, Any]]
) -> list[Event]:
    """Publish `events` in one transaction of `organization_id`."""
    with context.database.unit_of_work(organization_id=organization_id) as session:
        return [publish(session, organization_id, kind, payload) for kind, payload in events]


def deliveries(context: AppContext, organization_id: uuid.UUID) -> list[Job]:
    """The organization's subscriber jobs, in the order they were queued."""
    with context.database.unit_of_work(write=False) as session:
        statement = (
            select(Job)
            .where(Job.organization_id == organization_id, Job.kind.in_(SUBSCRIBERS))
            .order_by(Job.created_at, Job.kind)
        )
        return list(session.scalars(statement))


def delivered_pairs(jobs: list[Job]) -> list[tuple[str, str]]:
    return sorted((job.kind, job.arguments["event_id"]) for job in jobs)


def wait_until_finished(context: AppContext, jobs: list[Job]) -> list[Job]:
    ids = [job.id for job in jobs]
    wait_for(lambda: all(load_job(context, job_id).status.is_terminal for job_id in ids))
    return [load_job(context, job_id) for job_id in ids]


def as_listed(event: Event) -> dict[str, Any]:
    return {
        "position": event.position,
        "id": str(event.id),
        "type": event.type,
        "payload": event.payload,
        "created_at": event.created_at.isoformat(),
    }


def test_each_subscriber_gets_each_event_as_a_job(
    context: AppContext, job_system: JobSystem, subscriptions: None, tenant: Tenant
) -> None:
    listing, price, archived = publish_events(
        context,
        tenant.organization_id,
        (LISTING_UPDATED, {"listing_id": "L-1", "fields": ["title"]}),
        (PRICE_CHANGED, {"listing_id": "L-1", "price": {"amount": "12.48", "currency": "GBP"}}),
        (UNSUBSCRIBED, {"listing_id": "L-1"}),
    )
    queued = deliveries(context, tenant.organization_id)
    assert delivered_pairs(queued) == sorted(
        [
            (INDEX_LISTING, str(listing.id)),
            (NOTIFY_SELLER, str(listing.id)),
            (REPRICE, str(price.id)),
        ]
    )
    assert sorted(str(job.dedupe_key) for job in queued) == sorted(
        [
            f"event:{INDEX_LISTING}:{listing.id}",
            f"event:{NOTIFY_SELLER}:{listing.id}",
            f"event:{REPRICE}:{price.id}",
        ]
    )
    assert {job.created_by for job in queued} == {
        f"event:{LISTING_UPDATED}",
        f"event:{PRICE_CHANGED}",
    }
    finished = wait_until_finished(context, queued)
    events = {str(listing.id): listing, str(price.id): price}
    for done in finished:
        event = events[done.arguments["event_id"]]
        assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 1)
        assert done.result == {
            "event_id": str(event.id),
            "position": event.position,
            "type": event.type,
            "payload": event.payload,
        }
    assert archived.position == price.position + 1 == listing.position + 2


def test_a_second_delivery_of_the_same_event_to_a_subscriber_is_deduplicated(
    context: AppContext, job_system: JobSystem, subscriptions: None, tenant: Tenant
) -> None:
    (event,) = publish_events(context, tenant.organization_id, (PRICE_CHANGED, {"price": "9.99"}))
    (delivery,) = wait_until_finished(context, deliveries(context, tenant.organization_id))
    assert (delivery.status, delivery.attempts) == (JobStatus.SUCCEEDED, 1)

    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        again = enqueue(
            session,
            REPRICE,
            delivery_arguments(event),
            organization_id=tenant.organization_id,
            dedupe_key=f"event:{REPRICE}:{event.id}",
        )
    assert again is None
    # The broker delivering the finished job's message a second time changes nothing.
    job_system.runner.execute(str(delivery.id))

    (unchanged,) = deliveries(context, tenant.organization_id)
    assert (unchanged.id, unchanged.status, unchanged.attempts) == (
        delivery.id,
        JobStatus.SUCCEEDED,
        1,
    )
    assert unchanged.finished_at == delivery.finished_at


def test_nothing_is_delivered_when_the_publishing_transaction_rolls_back(
    context: AppContext, job_system: JobSystem, subscriptions: None, tenant: Tenant
) -> None:
    class Abort(Exception):
        pass

    with (
        pytest.raises(Abort),
        context.database.unit_of_work(organization_id=tenant.organization_id) as session,
    ):
        rolled_back = publish(session, tenant.organization_id, LISTING_UPDATED, {"n": 1})
        rolled_back_id = rolled_back.id
        queued = select(func.count()).where(Job.dedupe_key.like(f"event:%:{rolled_back_id}"))
        assert session.scalar(queued) == 2
        raise Abort
    (marker,) = publish_events(context, tenant.organization_id, (PRICE_CHANGED, {"n": 2}))
    finished = wait_until_finished(context, deliveries(context, tenant.organization_id))

    assert [(job.kind, job.arguments["event_id"], job.status) for job in finished] == [
        (REPRICE, str(marker.id), JobStatus.SUCCEEDED)
    ]
    with context.database.unit_of_work(write=False) as session:
        assert session.scalar(select(func.count()).where(Event.id == rolled_back_id)) == 0
        assert (
            session.scalar(
                select(func.count()).where(Job.dedupe_key.like(f"event:%:{rolled_back_id}"))
            )
            == 0
        )


def test_events_are_listed_after_a_position_for_the_callers_organization_only(
    context: AppContext, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    first, second, third = publish_events(
        context,
        tenant.organization_id,
        (LISTING_UPDATED, {"listing_id": "L-1"}),
        (PRICE_CHANGED, {"listing_id": "L-1", "price": "10.00"}),
        (LISTING_UPDATED, {"listing_id": "L-2"}),
    )

    def listed(tenant: Tenant, **params: Any) -> Any:
        response = client.get("/api/events", params=params, headers=tenant.headers)
        assert response.status_code == 200, response.text
        return response.json()

    assert listed(tenant) == [as_listed(first), as_listed(second), as_listed(third)]
    assert listed(tenant, after=first.position) == [as_listed(second), as_listed(third)]
    assert listed(tenant, after=third.position) == []
    assert listed(tenant, type=LISTING_UPDATED) == [as_listed(first), as_listed(third)]
    assert listed(tenant, after=first.position, limit=1) == [as_listed(second)]
    assert listed(other_tenant) == []
    assert listed(other_tenant, after=first.position - 1) == []


def test_replay_delivers_events_from_a_position_again(
    context: AppContext,
    client: TestClient,
    job_system: JobSystem,
    subscriptions: None,
    tenant: Tenant,
    other_tenant: Tenant,
) -> None:
    first, _price, third = publish_events(
        context,
        tenant.organization_id,
        (LISTING_UPDATED, {"listing_id": "L-1"}),
        (PRICE_CHANGED, {"listing_id": "L-1", "price": "10.00"}),
        (LISTING_UPDATED, {"listing_id": "L-2"}),
    )
    (foreign,) = publish_events(context, other_tenant.organization_id, (LISTING_UPDATED, {}))
    (fourth,) = publish_events(context, tenant.organization_id, (LISTING_UPDATED, {"n": 4}))
    originals = wait_until_finished(context, deliveries(context, tenant.organization_id))
    assert len(originals) == 7  # 3 listing events x 2 subscribers + 1 price event

    response = client.post(
        "/api/events/replay",
        json={"subscriber": INDEX_LISTING, "from_position": third.position},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"queued": 2}  # third and fourth; not the other organization's
    original_ids = {job.id for job in originals}
    replayed = [
        job for job in deliveries(context, tenant.organization_id) if job.id not in original_ids
    ]
    assert delivered_pairs(replayed) == [
        (INDEX_LISTING, str(third.id)),
        (INDEX_LISTING, str(fourth.id)),
    ]
    assert len({job.created_by for job in replayed}) == 1
    assert str(replayed[0].created_by).startswith("replay:")
    expected = {str(event.id): delivery_arguments(event) for event in (third, fourth)}
    for done in wait_until_finished(context, replayed):
        assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 1)
        assert done.result == expected[done.arguments["event_id"]]

    response = client.post(
        "/api/events/replay",
        json={
            "subscriber": INDEX_LISTING,
            "from_position": first.position,
            "to_position": third.position,
        },
        headers=tenant.headers,
    )
    assert response.json() == {"queued": 2}  # first and third, again
    everything = wait_until_finished(context, deliveries(context, tenant.organization_id))
    assert len(everything) == 11
    assert [job for job in everything if job.status != JobStatus.SUCCEEDED] == []
    assert [job.arguments["event_id"] for job in everything].count(str(first.id)) == 3
    assert foreign.id not in {job.arguments["event_id"] for job in everything}
    assert delivered_pairs(deliveries(context, other_tenant.organization_id)) == sorted(
        [(INDEX_LISTING, str(foreign.id)), (NOTIFY_SELLER, str(foreign.id))]
    )


@pytest.mark.parametrize(
    "subscriber",
    [
        pytest.param("testevents.nobody", id="no-such-job"),
        pytest.param("testjobs.noop", id="a-job-that-subscribes-to-nothing"),
    ],
)
def test_replay_to_an_unknown_subscriber_is_422(
    context: AppContext,
    client: TestClient,
    subscriptions: None,
    tenant: Tenant,
    subscriber: str,
) -> None:
    publish_events(context, tenant.organization_id, (LISTING_UPDATED, {}))
    before = delivered_pairs(deliveries(context, tenant.organization_id))
    response = client.post(
        "/api/events/replay",
        json={"subscriber": subscriber, "from_position": 0},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert problem(response) == {
        "type": "about:blank",
        "title": "Unprocessable content",
        "status": 422,
        "detail": "Unknown subscriber.",
        "instance": "/api/events/replay",
        "errors": [{"field": "body.subscriber", "message": "no job subscribes by that name"}],
    }
    assert delivered_pairs(deliveries(context, tenant.organization_id)) == before


def test_a_viewer_reads_events_but_cannot_replay_them(
    context: AppContext, client: TestClient, subscriptions: None
) -> None:
    viewer = create_tenant(context, client, Role.VIEWER)
    (event,) = publish_events(context, viewer.organization_id, (LISTING_UPDATED, {"n": 1}))
    before = delivered_pairs(deliveries(context, viewer.organization_id))
    assert len(before) == 2

    listed = client.get("/api/events", headers=viewer.headers)
    assert (listed.status_code, listed.json()) == (200, [as_listed(event)])
    response = client.post(
        "/api/events/replay",
        json={"subscriber": INDEX_LISTING, "from_position": 0},
        headers=viewer.headers,
    )
    assert response.status_code == 403
    assert problem(response)["detail"] == "This action needs the admin role or higher."
    assert delivered_pairs(deliveries(context, viewer.organization_id)) == before
