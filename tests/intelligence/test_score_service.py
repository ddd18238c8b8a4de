"""Storing scores: the current score and its history, the listing's quality_score, and
`score.changed` on drops of more than 20% (warning; critical from 40%), none on smaller ones."""

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.catalog.models import Listing
from shelfwise.intelligence.score_models import ListingScore, ListingScoreHistory
from shelfwise.intelligence.score_service import SCORE_CHANGED, score
from shelfwise.platform.context import AppContext
from tests.factories import Tenant
from tests.intelligence.conftest import create_scored_listing, edit, events_of


def recompute(context: AppContext, tenant: Tenant, listing_id: str) -> int:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        return score.recompute(session, tenant.organization_id, uuid.UUID(listing_id)).score


def stored_rows(
    context: AppContext, tenant: Tenant, listing_id: str
) -> tuple[list[tuple[int, int]], list[tuple[int, int | None, int]], int | None]:
    """(current rows as (score, version), history as (score, previous, version), quality_score)."""
    listing_uuid = uuid.UUID(listing_id)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        current = [
            (row.score, row.content_version)
            for row in session.scalars(
                select(ListingScore).where(ListingScore.listing_id == listing_uuid)
            )
        ]
        history = [
            (row.score, row.previous_score, row.content_version)
            for row in session.scalars(
                select(ListingScoreHistory)
                .where(ListingScoreHistory.listing_id == listing_uuid)
                .order_by(ListingScoreHistory.computed_at)
            )
        ]
        listing = session.get(Listing, listing_uuid)
        assert listing is not None
        return current, history, listing.quality_score


def test_a_score_is_stored_with_its_history_and_on_the_listing(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listing = create_scored_listing(client, tenant)
    assert recompute(context, tenant, listing["id"]) == 100
    edit(client, tenant, listing["id"], description="d" * 500)  # description 5 of 10
    assert recompute(context, tenant, listing["id"]) == 95
    assert stored_rows(context, tenant, listing["id"]) == (
        [(95, 2)],
        [(100, None, 1), (95, 100, 2)],
        95,
    )


def payloads(context: AppContext, tenant: Tenant) -> list[dict[str, Any]]:
    return [event.payload for event in events_of(context, tenant.organization_id, SCORE_CHANGED)]


@pytest.mark.parametrize(
    ("changes", "new_score", "severity"),
    [
        ({"images": [], "description": "d" * 500}, 75, "warning"),  # -20 images, -5 description
        ({"images": [], "bullets": []}, 60, "critical"),  # -20 images, -20 bullets
    ],
    ids=["drop-25-percent-warning", "drop-40-percent-critical"],
)
def test_a_drop_of_more_than_20_percent_publishes_score_changed(
    client: TestClient,
    context: AppContext,
    tenant: Tenant,
    changes: dict[str, Any],
    new_score: int,
    severity: str,
) -> None:
    listing = create_scored_listing(client, tenant)
    recompute(context, tenant, listing["id"])
    edit(client, tenant, listing["id"], **changes)
    assert recompute(context, tenant, listing["id"]) == new_score
    assert payloads(context, tenant) == [
        {
            "listing_id": listing["id"],
            "previous_score": 100,
            "score": new_score,
            "drop_percent": 100 - new_score,
            "severity": severity,
            "content_version": 2,
        }
    ]


@pytest.mark.parametrize(
    "changes",
    [{"description": ""}, {"images": []}],
    ids=["drop-10-percent", "drop-exactly-20-percent"],
)
def test_a_drop_of_20_percent_or_less_publishes_nothing(
    client: TestClient, context: AppContext, tenant: Tenant, changes: dict[str, Any]
) -> None:
    listing = create_scored_listing(client, tenant)
    recompute(context, tenant, listing["id"])
    edit(client, tenant, listing["id"], **changes)
    assert recompute(context, tenant, listing["id"]) in (90, 80)
    assert payloads(context, tenant) == []


def test_a_rise_and_a_first_score_publish_nothing(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listing = create_scored_listing(client, tenant, images=[])
    assert recompute(context, tenant, listing["id"]) == 80
    edit(client, tenant, listing["id"], images=["https://images.example.com/1.jpg"])
    assert recompute(context, tenant, listing["id"]) == 93  # images: count 1, main 6, zoom 6
    assert payloads(context, tenant) == []


def test_the_current_score_follows_new_content_before_its_rescore_runs(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listing = create_scored_listing(client, tenant)
    assert recompute(context, tenant, listing["id"]) == 100
    # The edit queues the rescore job; it has not run here, so the stored row is version 1's.
    edit(client, tenant, listing["id"], description="d" * 500)
    listing_id = uuid.UUID(listing["id"])
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        current = score.current(session, tenant.organization_id, listing_id)
    assert (current.score, current.content_version, current.is_stored) == (95, 2, False)
    assert stored_rows(context, tenant, listing["id"])[0] == [(100, 1)]  # nothing written
    assert recompute(context, tenant, listing["id"]) == 95
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        stored = score.current(session, tenant.organization_id, listing_id)
    assert (stored.score, stored.content_version, stored.is_stored) == (95, 2, True)
