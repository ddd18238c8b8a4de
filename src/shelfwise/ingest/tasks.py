"""Ingestion jobs: processing a stored webhook delivery, and expiring idempotency keys."""

import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from shelfwise.accounts.repository import AccountsRepository
from shelfwise.catalog.repository import ProductRepository
from shelfwise.catalog.schemas import ProductCreate, ProductUpdate
from shelfwise.catalog.service import ProductService
from shelfwise.ingest.models import WebhookEventStatus
from shelfwise.ingest.pipeline import run_import
from shelfwise.ingest.reports import run_report_import
from shelfwise.ingest.repository import IdempotencyKeyRepository, WebhookEventRepository
from shelfwise.ingest.schemas import WebhookProduct
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import JobGone, PermanentJobError
from shelfwise.jobs.registry import job, periodic
from shelfwise.operations.json_body import DuplicateKeyError, _unique_keys
from shelfwise.operations.problems import field_path
from shelfwise.platform.actor import Actor
from shelfwise.platform.types import utcnow

IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
products = ProductService()


@dataclass(frozen=True)
class Automation:
    """A job acting for its organization (recorded as the actor in the audit log)."""

    organization_id: uuid.UUID
    actor: Actor


def payload_items(body: bytes) -> list[Any]:
    """A JSON object is one product, an array is several; anything else is refused."""
    try:
        document = json.loads(body, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError, DuplicateKeyError) as error:
        raise PermanentJobError(f"The payload is not valid JSON: {error}") from error
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list):
        return document
    raise PermanentJobError("The payload must be a JSON object or an array of objects.")


def upsert_product(session: Session, who: Automation, item: WebhookProduct) -> str:
    """Create or update the product keyed by (source platform, source id); an older
    `source_updated_at` than the stored one changes nothing. Returns the outcome."""
    values = item.model_dump(exclude_unset=True, exclude={"price"})
    existing = ProductRepository(session, who.organization_id).by_source(
        item.source_platform, item.source_id
    )
    if item.price is not None:
        attributes = values.get("attributes", existing.attributes if existing else {})
        values["attributes"] = {**attributes, "price": item.price.model_dump(mode="json")}
    if existing is None:
        products.create(session, who, ProductCreate.model_validate(values))
        return "created"
    stored, incoming = existing.source_updated_at, item.source_updated_at
    if stored is not None and incoming is not None and incoming < stored:
        return "stale"
    del values["source_platform"], values["source_id"]
    products.update(session, who, existing.id, ProductUpdate.model_validate(values))
    return "updated"


@job("ingest.process_webhook")
def process_webhook(context: JobContext) -> dict[str, Any]:
    """Validate a stored delivery's products and upsert them, in one transaction; each invalid
    item is an item error with its field."""
    if context.organization_id is None:
        raise PermanentJobError("A webhook job belongs to an organization.")
    who = Automation(context.organization_id, context.actor)
    event_id = uuid.UUID(context.arguments["webhook_event_id"])
    with context.unit_of_work() as session:
        event = WebhookEventRepository(session, who.organization_id).get(event_id)
        if event is None:
            raise JobGone(f"webhook event {event_id} was deleted")
        body = event.body
    try:
        items = payload_items(body)
    except PermanentJobError:
        with context.unit_of_work() as session:
            rejected = WebhookEventRepository(session, who.organization_id).get(event_id)
            if rejected is not None:
                rejected.status = WebhookEventStatus.REJECTED
        raise
    context.set_total(len(items))
    outcomes: Counter[str] = Counter(created=0, updated=0, stale=0, rejected=0)
    with context.unit_of_work() as session:
        for index, item in enumerate(items):
            try:
                product = WebhookProduct.model_validate(item)
            except ValidationError as error:
                for problem in error.errors():
                    field = field_path(problem["loc"]) or None
                    context.item_error(session, f"[{index}]", problem["msg"], field)
                outcomes["rejected"] += 1
                continue
            outcomes[upsert_product(session, who, product)] += 1
        context.advance(session, len(items))
        event = WebhookEventRepository(session, who.organization_id).get(event_id)
        if event is not None:
            event.status = WebhookEventStatus.PROCESSED
    return dict(outcomes)


@job("ingest.purge_idempotency_keys", max_attempts=3)
def purge_idempotency_keys(context: JobContext) -> dict[str, Any]:
    """Delete Idempotency-Key records older than 24 hours, organization by organization (the
    table is under row-level security)."""
    cutoff = utcnow() - IDEMPOTENCY_KEY_TTL
    with context.database.unit_of_work(write=False) as session:
        organization_ids = AccountsRepository(session).all_organization_ids()
    deleted = 0
    for organization_id in organization_ids:
        with context.database.unit_of_work(organization_id=organization_id) as session:
            deleted += IdempotencyKeyRepository(session, organization_id).purge_created_before(
                cutoff
            )
    return {"keys_deleted": deleted}


periodic("ingest.purge_idempotency_keys", cron="41 * * * *")


@job("ingest.import_products")
def import_products(context: JobContext) -> dict[str, Any]:
    """Process a stored import (JSON or a CSV/XLSX file) into the catalog; see pipeline.py."""
    return run_import(context, uuid.UUID(context.arguments["import_id"]))


@job("ingest.import_amazon_report")
def import_amazon_report(context: JobContext) -> dict[str, Any]:
    """Process a stored Amazon listings or inventory report into products and the listings of
    its marketplace account; see reports.py."""
    return run_report_import(context, uuid.UUID(context.arguments["import_id"]))
