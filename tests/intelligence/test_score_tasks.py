"""Rescoring through the event bus: a content change publishes `listing.content_changed`, the
rescore job it queues stores the score (and raises `score.changed` on a large drop); a price
change queues nothing; the organization-wide rescore scores every listing."""

import uuid

from fastapi.testclient import TestClient

from shelfwise.catalog.service import LISTING_CONTENT_CHANGED
from shelfwise.intelligence.score_service import SCORE_CHANGED, score
from shelfwise.intelligence.score_tasks import RESCORE_LISTING, RESCORE_ORGANIZATION
from shelfwise.jobs.models import JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.platform.context import AppContext
from tests.factories import Tenant
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.intelligence.conftest import (
    create_scored_listing,
    edit,
    events_of,
    jobs_of,
    run_job,
)
from tests.sellers import connected_account, fake_settings


def test_a_content_change_rescores_the_listing_through_the_bus(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listing = create_scored_listing(client, tenant)
    created = events_of(context, tenant.organization_id, LISTING_CONTENT_CHANGED)
    assert [event.payload for event in created] == [
        {"listing_id": listing["id"], "content_version": 1, "origin": "create"}
    ]
    [first] = jobs_of(context, tenant.organization_id, RESCORE_LISTING)
    done = run_job(context, first.id)
    assert (done.status, done.result) == (
        JobStatus.SUCCEEDED,
        {"listing_id": listing["id"], "score": 100, "severity": None},
    )

    edit(client, tenant, listing["id"], images=[], description="d" * 500)
    queued = jobs_of(context, tenant.organization_id, RESCORE_LISTING)
    assert len(queued) == 2
    done = run_job(context, queued[1].id)
    assert done.result == {"listing_id": listing["id"], "score": 75, "severity": "warning"}
    [changed] = events_of(context, tenant.organization_id, SCORE_CHANGED)
    assert changed.payload["severity"] == "warning"

    shown = client.get(f"/api/listings/{listing['id']}/score", headers=tenant.headers).json()
    assert (shown["score"], shown["is_stored"], shown["previous_score"]) == (75, True, None)
    history = client.get(f"/api/listings/{listing['id']}/score/history", headers=tenant.headers)
    assert [(entry["score"], entry["content_version"]) for entry in history.json()] == [
        (75, 2),
        (100, 1),
    ]


def test_running_a_rescore_twice_stores_the_same_score_and_alerts_once(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listing = create_scored_listing(client, tenant)
    run_job(context, jobs_of(context, tenant.organization_id, RESCORE_LISTING)[0].id)
    edit(client, tenant, listing["id"], images=[], bullets=[])
    second = jobs_of(context, tenant.organization_id, RESCORE_LISTING)[1]
    run_job(context, second.id)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        again = score.recompute(session, tenant.organization_id, uuid.UUID(listing["id"]))
    assert (again.score, again.previous_score, again.severity) == (60, 60, None)
    assert len(events_of(context, tenant.organization_id, SCORE_CHANGED)) == 1


def test_a_price_change_is_not_a_content_change(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listing = create_scored_listing(client, tenant)
    edit(client, tenant, listing["id"], price={"amount": "79.99", "currency": "GBP"})
    assert len(jobs_of(context, tenant.organization_id, RESCORE_LISTING)) == 1  # the create


def test_the_organization_rescore_scores_every_listing(
    client: TestClient, context: AppContext, tenant: Tenant, other_tenant: Tenant
) -> None:
    listings = [
        create_scored_listing(client, tenant),
        create_scored_listing(client, tenant, images=[]),
    ]
    create_scored_listing(client, other_tenant)
    queued = client.post("/api/scores/recompute", headers=tenant.headers)
    assert queued.status_code == 202, queued.text
    again = client.post("/api/scores/recompute", headers=tenant.headers)
    assert again.status_code in (202, 409)  # 409 within the same minute: one rescore queued
    done = run_job(context, uuid.UUID(queued.json()["job_id"]))
    assert (done.status, done.result) == (JobStatus.SUCCEEDED, {"scored": 2})
    scores = [
        client.get(f"/api/listings/{listing['id']}/score", headers=tenant.headers).json()
        for listing in listings
    ]
    assert [(entry["score"], entry["is_stored"]) for entry in scores] == [(100, True), (80, True)]
    assert jobs_of(context, other_tenant.organization_id, RESCORE_ORGANIZATION) == []


def test_the_job_checks_attributes_against_the_fetched_definition_then_the_cached_one(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    with FakeSellingPartnerApi() as fake:
        account = connected_account(client, tenant, fake, fake.credentials.selling_partner_id)
        listing = create_scored_listing(client, tenant, marketplace_account_id=account["id"])
        runner = JobRunner(context.database, fake_settings(context, fake))
        first = jobs_of(context, tenant.organization_id, RESCORE_LISTING)[0]
        runner.execute(str(first.id))
        edit(client, tenant, listing["id"], description="d" * 500)
        runner.execute(str(jobs_of(context, tenant.organization_id, RESCORE_LISTING)[1].id))
        assert fake.total("getDefinitionsProductType").accepted == 1  # the second: cached
    shown = client.get(f"/api/listings/{listing['id']}/score", headers=tenant.headers).json()
    attributes = shown["sections"][3]
    assert [(rule["rule"], rule["earned"]) for rule in attributes["rules"]] == [
        ("attributes.brand", 4),
        ("attributes.search_terms", 4),
        ("attributes.required", 1),  # 5 of 22: floor(8 x 5 / 22)
        ("attributes.valid", 4),
    ]
    assert attributes["rules"][2]["reason"] == (
        "17 of 22 required attributes are missing: country_of_origin,"
        " supplier_declared_dg_hz_regulation, externally_assigned_product_identifier,"
        " merchant_suggested_asin, department, cpsia_cautionary_statement,"
        " jewelry_material_categorization, gem_type, stones, part_number, item_length,"
        " fulfillment_availability, condition_type, list_price, item_package_dimensions,"
        " item_package_weight, batteries_required."
    )
