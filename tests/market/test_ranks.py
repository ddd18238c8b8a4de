"""Best Sellers Rank series from Catalog Items, on SQLite and PostgreSQL: stored when they
change, logged, jumps published; the history endpoint."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from shelfwise.events.models import Event
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.jobs.service import enqueue
from shelfwise.market.models import OfferTarget, RankSnapshot, SyncChange, SyncRun
from shelfwise.market.ranks import RANKS_CHANGED, Rank, item_ranks
from shelfwise.market.tasks import SYNC_RANKS
from shelfwise.platform.context import AppContext
from tests.factories import Tenant
from tests.fakes.spapi.examples import ASIN
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE
from tests.market.seller import WATCHED, rows, seller_account
from tests.sellers import fake_settings


def sales_ranks(kitchen: int, kettles: int) -> list[dict[str, Any]]:
    return [
        {
            "marketplaceId": US_MARKETPLACE,
            "classificationRanks": [
                {"classificationId": "289935", "title": "Electric Kettles", "rank": kettles}
            ],
            "displayGroupRanks": [
                {"websiteDisplayGroup": "kitchen_display_on_website", "title": "Kitchen",
                 "rank": kitchen}
            ],
        }
    ]  # fmt: skip


def run_rank_sync(
    context: AppContext, tenant: Tenant, fake: FakeSellingPartnerApi, account_id: str
) -> Job:
    settings = fake_settings(context, fake)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        session.execute(
            update(OfferTarget)
            .where(OfferTarget.organization_id == tenant.organization_id)
            .values(ranks_refreshed_at=None)
        )  # due again, as an hour later
        job_id = enqueue(
            session, SYNC_RANKS, {"account_id": account_id}, organization_id=tenant.organization_id
        )
    JobRunner(context.database, settings).execute(str(job_id))
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def test_ranks_are_stored_when_they_change_and_jumps_are_published(
    context: AppContext, client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    fake.state.catalog_items[ASIN]["salesRanks"] = sales_ranks(kitchen=4_210, kettles=35)
    first = run_rank_sync(context, tenant, fake, account_id)
    assert first.status is JobStatus.SUCCEEDED, first.error
    assert first.result is not None
    assert (first.result["refreshed"], first.result["changed"]) == (2, 1)  # the watched has none

    fake.state.catalog_items[ASIN]["salesRanks"] = sales_ranks(kitchen=4_100, kettles=12)
    second = run_rank_sync(context, tenant, fake, account_id)
    assert second.result is not None and second.result["changed"] == 1
    third = run_rank_sync(context, tenant, fake, account_id)  # nothing moved: nothing stored
    assert third.result is not None and third.result["changed"] == 0

    in_order = select(RankSnapshot).order_by(RankSnapshot.observed_at, RankSnapshot.category_id)
    assert [(r.category_id, r.rank) for r in rows(context, tenant, in_order)] == [
        ("classification:289935", 35),
        ("group:kitchen_display_on_website", 4_210),
        ("classification:289935", 12),
        ("group:kitchen_display_on_website", 4_100),
    ]
    events = rows(context, tenant, select(Event).where(Event.type == RANKS_CHANGED))
    assert len(events) == 1  # 35 -> 12 is a jump; 4,210 -> 4,100 is not
    (jump,) = events[0].payload["changes"]
    assert (jump["old"], jump["new"], jump["severity"]) == (35, 12, "high")
    runs = rows(context, tenant, select(SyncRun).where(SyncRun.dataset == "ranks"))
    second_run = next(run for run in runs if str(run.job_id) == str(second.id))
    changes = rows(
        context, tenant, select(SyncChange).where(SyncChange.sync_run_id == second_run.id)
    )
    assert {(c.field, c.old, c.new) for c in changes} == {
        ("rank:classification:289935", 35, 12),
        ("rank:group:kitchen_display_on_website", 4_210, 4_100),
    }

    history = client.get(
        f"/api/marketplace-accounts/{account_id}/ranks/{ASIN}/history", headers=tenant.headers
    )
    assert history.status_code == 200, history.text
    assert [entry["rank"] for entry in history.json()] == [12, 4_100, 35, 4_210]
    assert (
        client.get(
            f"/api/marketplace-accounts/{account_id}/ranks/{WATCHED}/history",
            headers=tenant.headers,
        ).json()
        == []
    )


def test_item_ranks_keep_the_marketplace_and_refuse_what_is_no_rank() -> None:
    item = {
        "asin": ASIN,
        "salesRanks": [
            *sales_ranks(kitchen=10, kettles=2),
            {"marketplaceId": "A1PA6795UKMFR9", "classificationRanks": [
                {"classificationId": "1", "title": "Wasserkocher", "rank": 1}]},
            {"marketplaceId": US_MARKETPLACE, "classificationRanks": [
                {"classificationId": "2", "title": "Zero", "rank": 0},
                {"classificationId": "3", "title": "Text", "rank": "5"},
                {"title": "No id", "rank": 7},
            ]},
        ],
    }  # fmt: skip
    assert item_ranks(item, US_MARKETPLACE) == {
        "classification:289935": Rank("Electric Kettles", 2),
        "group:kitchen_display_on_website": Rank("Kitchen", 10),
    }
    assert item_ranks({"asin": ASIN}, US_MARKETPLACE) == {}
