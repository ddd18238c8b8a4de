"""asin-sync: fetched items into the catalog, as an import run processed by `bridge.import_items`.

Each item becomes a product (source platform `amazon`, source id the ASIN: a second sync updates
it) and, when the organization has an Amazon account on the marketplace, a listing there whose
SKU is the ASIN (an affiliate or prospective item has no SKU of its own). The payload kept with
the run is the ASINs and the items already fetched (the kept ones); the job fetches the rest
first, outside any transaction, so a slow vendor never holds the database's write lock.
"""

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy.orm import Session

from shelfwise.audit.service import audit
from shelfwise.bridge.asins import AsinList
from shelfwise.bridge.service import amazon_marketplace, bridge
from shelfwise.catalog.bulk import ProductRow, ProductUpserts
from shelfwise.catalog.bulk_listings import ListingRow, ListingUpserts, StoredProducts
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.ingest.payloads import open_payload
from shelfwise.ingest.pipeline import Automation, summary
from shelfwise.ingest.repository import ImportRunRepository
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import JobGone, PermanentJobError
from shelfwise.platform.cache import shared_cache
from shelfwise.platform.types import utcnow
from shelfwise.platform.vault import load_key_ring
from shelfwise.vault.service import VaultService

SOURCE_PLATFORM = "amazon"
IMPORT_JOB = "bridge.import_items"
MAX_TITLE = 1000


@dataclass(frozen=True)
class ItemRows:
    product: ProductRow
    listing: ListingRow


def item_rows(item: dict[str, Any]) -> ItemRows | str:
    """The product and listing of one marketplace-format item, or why it cannot be imported."""
    asin, title = item.get("asin"), item.get("title")
    if not isinstance(asin, str) or not asin:
        return "the item has no ASIN"
    if not isinstance(title, str) or not title.strip():
        return f"{asin} has no title"
    price = Decimal(item["price"]) if item.get("price") else None
    currency = item.get("currency") if price is not None else None
    facts = ("list_price", "currency", "rating", "reviews", "deal_score", "detail_url", "source")
    attributes = {name: item[name] for name in facts if item.get(name) is not None}
    if item.get("demo"):
        attributes["demo"] = True
    if price is not None:
        attributes["price"] = {"amount": str(price), "currency": currency}
    bullets = [str(bullet) for bullet in item.get("bullets") or []]
    images = [str(image) for image in item.get("images") or []]
    product = ProductRow(
        source_platform=SOURCE_PLATFORM,
        source_id=asin,
        title=title.strip()[:MAX_TITLE],
        brand=item.get("brand"),
        gtin=None,
        asin=asin,
        category=item.get("category"),
        description="\n".join(bullets) or None,
        images=images,
        attributes=attributes | ({"bullets": bullets} if bullets else {}),
        cost_amount=None,
        cost_currency=None,
        source_updated_at=None,
    )
    listing = ListingRow(
        sku=asin,
        asin=asin,
        title=title.strip()[:MAX_TITLE],
        images=images or None,
        price_amount=price,
        price_currency=currency,
    )
    return ItemRows(product, listing)


def run_items_import(context: JobContext, import_id: uuid.UUID) -> dict[str, Any]:
    """Fetch the ASINs that were not kept yet (no transaction open meanwhile), then write the
    whole import in one transaction (at most 100 items): counts, row errors, progress."""
    if context.organization_id is None:
        raise PermanentJobError("An import belongs to an organization.")
    organization_id = context.organization_id
    with open_payload(context.database, organization_id, import_id) as payload:
        document = json.loads(payload.read())
    if not isinstance(document, dict) or not isinstance(document.get("asins"), list):
        raise PermanentJobError("The payload names no ASINs.")
    asins = [str(asin) for asin in document["asins"]]
    items = {
        str(item.get("asin")): item
        for item in document.get("items") or []
        if isinstance(item, dict)
    }
    context.set_total(len(asins))
    missing = [asin for asin in asins if asin not in items]
    if missing:
        items |= _fetch(context, organization_id, str(document.get("marketplace")), missing)
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, organization_id).locked(import_id)
        if run is None:
            raise JobGone(f"import {import_id} was deleted")
        rows: dict[str, ItemRows] = {}
        for line, asin in enumerate(asins, start=1):
            item = items.get(asin) or {}
            error = item.get("error")
            converted = item_rows(item) if error is None else f"{asin}: {error.get('message')}"
            if isinstance(converted, str):
                context.item_error(session, f"line {line}", converted, "asin")
                run.rejected += 1
            else:
                rows.pop(converted.product.source_id, None)  # the later one wins
                rows[converted.product.source_id] = converted
        account_id, created_by = run.marketplace_account_id, context.actor.label
        created, updated = _upsert(session, organization_id, account_id, rows, created_by)
        run.rows_total = run.rows_read = len(asins)
        run.created, run.updated = created, updated
        run.duplicates = len(asins) - run.rejected - len(rows)
        run.unchanged = len(rows) - created - updated
        run.lines_done = len(asins)
        run.finished_at = utcnow()
        context.advance(session, len(asins))
        outcome = summary(run)
        who = Automation(organization_id, context.actor)
        audit(session, who, "import.finished", "import", run.id, after=outcome)
        return outcome


def _fetch(
    context: JobContext, organization_id: uuid.UUID, marketplace_code: str, asins: list[str]
) -> dict[str, dict[str, Any]]:
    """The items (or error items) of ASINs nobody fetched yet, kept and cached as any fetch."""
    settings = context.settings
    found = amazon_marketplace(marketplace_code)
    vault = VaultService(load_key_ring(settings, create=False))
    with context.database.unit_of_work(organization_id=organization_id, write=False) as session:
        answer = bridge.lookup(
            session,
            vault,
            settings,
            shared_cache(settings),
            organization_id,
            found,
            AsinList(tuple(asins), frozenset()),
            deadline=None,
        )
    with context.unit_of_work() as session:
        bridge.record(session, organization_id, answer, settings)
    documents = [orjson.loads(entry) for entry in answer.entries]
    return {str(document["asin"]): document for document in documents}


def _upsert(
    session: Session,
    organization_id: uuid.UUID,
    account_id: uuid.UUID | None,
    rows: dict[str, ItemRows],
    created_by: str,
) -> tuple[int, int]:
    """Products, then listings when there is an account; (created, updated) products."""
    if not rows:
        return 0, 0
    counts = ProductUpserts(session, organization_id).upsert([row.product for row in rows.values()])
    if account_id is not None:
        account = MarketplaceAccountRepository(session, organization_id).get(account_id)
        if account is None:
            raise JobGone(f"marketplace account {account_id} was deleted")
        keys = [row.product.key for row in rows.values()]
        ids = StoredProducts(session, organization_id).ids(keys)
        ListingUpserts(session, organization_id).upsert(
            account,
            [(ids[row.product.key], row.listing) for row in rows.values()],
            created_by=created_by,
            note="ASIN bridge sync",
        )
    return counts.created, counts.updated
