"""Listings that score 100 through the API, and running the jobs their changes queue."""

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.events.models import Event
from shelfwise.jobs.models import Job
from shelfwise.jobs.runtime import JobRunner
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_listing
from tests.intelligence.listings import ATTRIBUTES, BULLETS, DESCRIPTION, TITLE

IMAGES = [f"https://images.example.com/{number}.jpg" for number in range(1, 8)]


def create_scored_listing(client: TestClient, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    """A listing whose content earns every point (100) on amazon.co.uk."""
    attributes = {
        **ATTRIBUTES,
        "brand": "Acme",
        "product_type": "BRACELET",
        "search_terms": "charm bracelet silver women gift",
        "image_dimensions": {url: {"width": 1600, "height": 1600} for url in IMAGES},
    }
    body = {
        "title": TITLE,
        "bullets": list(BULLETS),
        "description": DESCRIPTION,
        "images": IMAGES,
        "attributes": attributes,
    } | overrides
    return create_listing(client, tenant, **body)


def edit(client: TestClient, tenant: Tenant, listing_id: str, **changes: Any) -> dict[str, Any]:
    response = client.patch(f"/api/listings/{listing_id}", json=changes, headers=tenant.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def jobs_of(context: AppContext, organization_id: uuid.UUID, kind: str) -> list[Job]:
    with context.database.unit_of_work(write=False) as session:
        statement = (
            select(Job)
            .where(Job.organization_id == organization_id, Job.kind == kind)
            .order_by(Job.created_at)
        )
        found = list(session.scalars(statement))
        session.expunge_all()
        return found


def run_job(context: AppContext, job_id: uuid.UUID) -> Job:
    JobRunner(context.database, context.settings).execute(str(job_id))
    with context.database.unit_of_work(write=False) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def events_of(context: AppContext, organization_id: uuid.UUID, event_type: str) -> list[Event]:
    with context.database.unit_of_work(organization_id=organization_id, write=False) as session:
        statement = (
            select(Event)
            .where(Event.organization_id == organization_id, Event.type == event_type)
            .order_by(Event.position)
        )
        found = list(session.scalars(statement))
        session.expunge_all()
        return found
