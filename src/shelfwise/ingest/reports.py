"""An Amazon listings or inventory report into the catalog: a product per SKU (source platform
`amazon`, source id the SKU) and its listing on one marketplace account (the job
`ingest.import_amazon_report`).

Passes and batches as in pipeline.py: the first pass only reads (a file broken anywhere is
refused before anything is written, and the progress bar knows its total); the second writes
batches of `BATCH_ROWS`, each in one transaction with its counters, row errors and progress, so a
killed worker resumes after the last committed batch. A dry run writes in a savepoint it rolls
back.

Reports carry different columns (the open listings report has no names, the FBA report no
descriptions): a report sets what it carries and keeps what is stored for what it lacks, on the
product and on the listing. Of a report's bookkeeping columns only the marketplace's status
text is kept (as a listing attribute): attributes are content, and every change of content is a
new listing version. A row counts as created when its listing was, as updated when its
listing or its product changed.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from shelfwise.audit.service import audit
from shelfwise.catalog.bulk import CONTENT_COLUMNS, ProductRow, ProductUpserts
from shelfwise.catalog.bulk_listings import ListingRow, ListingUpserts, StoredProducts
from shelfwise.catalog.marketplaces import marketplace
from shelfwise.catalog.models import MarketplaceAccount
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.ingest.batches import BATCH_ROWS, write_in_batches
from shelfwise.ingest.models import ImportRun
from shelfwise.ingest.payloads import open_payload
from shelfwise.ingest.pipeline import Automation, summary
from shelfwise.ingest.records import FileError, Limits, RowProblem
from shelfwise.ingest.repository import ImportRunRepository
from shelfwise.ingest.rows import MAX_DESCRIPTION, Problem
from shelfwise.ingest.values import parse_image_urls
from shelfwise.integrations.amazon_spapi.flatfiles import (
    FbaInventoryItem,
    FlatFileReport,
    MerchantListing,
    OpenListing,
    ReportRow,
    read_report,
)
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import JobGone, PermanentJobError
from shelfwise.platform.types import utcnow

SOURCE_PLATFORM = "amazon"
MAX_SKU = 200
MAX_TITLE = 1000
NEW_PRODUCT: dict[str, Any] = {name: None for name in CONTENT_COLUMNS} | {
    "images": [],
    "attributes": {},
}


class AccountGone(PermanentJobError):
    """The marketplace account was deleted before or during the import."""


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One report row: its line and what it became (a listing and the product's GTIN), or
    why it was refused."""

    line: int
    listing: ListingRow | None
    gtin: str | None
    problems: list[Problem]


@dataclass(frozen=True)
class ReportPlan:
    import_id: uuid.UUID
    organization_id: uuid.UUID
    account_id: uuid.UUID
    currency: str | None
    dry_run: bool
    lines_done: int
    created_by: str | None


def run_report_import(context: JobContext, import_id: uuid.UUID) -> dict[str, Any]:
    plan = _plan(context, import_id)
    try:
        total = _count(context, plan)
    except FileError as error:
        _fail(context, plan.organization_id, plan.import_id, error.detail)
        raise PermanentJobError(error.detail) from None
    context.set_total(total)
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, plan.organization_id).get(plan.import_id)
        if run is not None:
            run.rows_total = total
    with _report(context, plan) as report:
        report_type = report.report_type.value
        items = (report_item(entry, plan.currency) for entry in report)
        pending = (item for item in items if item.line > plan.lines_done)
        try:
            note = f"Amazon report {report_type}"
            write_in_batches(pending, partial(_write_batch, context, plan, note), BATCH_ROWS)
        except AccountGone as gone:
            _fail(context, plan.organization_id, plan.import_id, str(gone))
            raise
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, plan.organization_id).get(plan.import_id)
        if run is None:
            raise JobGone(f"import {plan.import_id} was deleted")
        run.finished_at = utcnow()
        outcome = summary(run)
        if not plan.dry_run:  # one entry per import: the rows' changes are in its counts
            who = Automation(plan.organization_id, context.actor)
            audit(session, who, "import.finished", "import", run.id, after=outcome)
        return outcome | {"report_type": report_type}


def report_item(entry: ReportRow | RowProblem, currency: str | None) -> ReportItem:
    """A report row as a listing (None where the report has no such column or value)."""
    if isinstance(entry, RowProblem):
        return ReportItem(entry.line, None, None, [Problem(None, entry.message)])
    problems: list[Problem] = []
    if isinstance(entry, MerchantListing):
        sku_column, title_column = "seller-sku", "item-name"
        listing = ListingRow(
            sku=entry.seller_sku,
            asin=entry.asin,
            title=entry.item_name,
            description=entry.item_description,
            images=_images(entry.image_url, problems),
            price_amount=entry.price,
            price_currency=currency,
            quantity=entry.quantity,
            marketplace_status=entry.status,
        )
        gtin = entry.gtin
    elif isinstance(entry, OpenListing):
        sku_column, title_column, gtin = "sku", "", None
        listing = ListingRow(
            sku=entry.sku,
            asin=entry.asin,
            price_amount=entry.price,
            price_currency=currency,
            quantity=entry.quantity,
        )
    else:
        sku_column, title_column, gtin = "sku", "product-name", None
        listing = _fba_listing(entry, currency)
    if len(listing.sku) > MAX_SKU:
        problems.append(Problem(sku_column, f"longer than {MAX_SKU} characters"))
    if listing.title is not None and len(listing.title) > MAX_TITLE:
        problems.append(Problem(title_column, f"longer than {MAX_TITLE} characters"))
    if listing.description is not None and len(listing.description) > MAX_DESCRIPTION:
        problems.append(Problem("item-description", f"longer than {MAX_DESCRIPTION} characters"))
    if problems:
        return ReportItem(entry.line, None, None, problems)
    return ReportItem(entry.line, listing, gtin, [])


def _fba_listing(entry: FbaInventoryItem, currency: str | None) -> ListingRow:
    """What sells is what Amazon's warehouses can ship (the merchant's own stock otherwise)."""
    quantity = entry.afn_fulfillable_quantity
    if quantity is None:
        quantity = entry.mfn_fulfillable_quantity
    return ListingRow(
        sku=entry.sku,
        asin=entry.asin,
        title=entry.product_name,
        price_amount=entry.your_price,
        price_currency=currency,
        quantity=quantity,
    )


def _images(url: str | None, problems: list[Problem]) -> list[str] | None:
    if url is None:
        return None
    try:
        return parse_image_urls(url) or None
    except ValueError as error:
        problems.append(Problem("image-url", str(error)))
        return None


def _plan(context: JobContext, import_id: uuid.UUID) -> ReportPlan:
    if context.organization_id is None:
        raise PermanentJobError("An import belongs to an organization.")
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, context.organization_id).get(import_id)
        if run is None:
            raise JobGone(f"import {import_id} was deleted")
        account = _account(session, run)
        if account is not None:
            found = marketplace(account.marketplace)
            return ReportPlan(
                import_id=run.id,
                organization_id=run.organization_id,
                account_id=account.id,
                currency=found.currency if found is not None else None,
                dry_run=run.dry_run,
                lines_done=run.lines_done,
                created_by=run.created_by,
            )
    message = "The marketplace account of this import no longer exists."
    _fail(context, context.organization_id, import_id, message)
    raise AccountGone(message)


def _account(session: Session, run: ImportRun) -> MarketplaceAccount | None:
    if run.marketplace_account_id is None:
        return None
    repository = MarketplaceAccountRepository(session, run.organization_id)
    return repository.get(run.marketplace_account_id)


@contextmanager
def _report(context: JobContext, plan: ReportPlan) -> Iterator[FlatFileReport]:
    payload = open_payload(context.database, plan.organization_id, plan.import_id)
    with payload, read_report(payload, limits=Limits()) as report:
        yield report


def _count(context: JobContext, plan: ReportPlan) -> int:
    """Read the whole file once without converting values: its rows, or the FileError."""
    with _report(context, plan) as report:
        return sum(1 for _ in report.table)


def _write_batch(context: JobContext, plan: ReportPlan, note: str, batch: list[ReportItem]) -> None:
    kept: dict[str, tuple[ListingRow, str | None]] = {}
    for item in batch:
        if item.listing is not None:
            kept.pop(item.listing.sku, None)  # the later row wins, in its own place
            kept[item.listing.sku] = (item.listing, item.gtin)
    valid = sum(1 for item in batch if item.listing is not None)
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, plan.organization_id).locked(plan.import_id)
        if run is None:
            raise JobGone(f"import {plan.import_id} was deleted")
        account = MarketplaceAccountRepository(session, plan.organization_id).get(plan.account_id)
        if account is None:
            raise AccountGone("The marketplace account of this import was deleted.")
        if plan.dry_run:
            savepoint = session.begin_nested()
            created, updated = _upsert(session, plan, account, list(kept.values()), note)
            savepoint.rollback()
        else:
            created, updated = _upsert(session, plan, account, list(kept.values()), note)
        for item in batch:
            for problem in item.problems:
                context.item_error(session, f"line {item.line}", problem.message, problem.field)
        run.rows_read += len(batch)
        run.created += created
        run.updated += updated
        run.unchanged += len(kept) - created - updated
        run.duplicates += valid - len(kept)
        run.rejected += len(batch) - valid
        run.lines_done = batch[-1].line
        context.advance(session, len(batch))


def _upsert(
    session: Session,
    plan: ReportPlan,
    account: MarketplaceAccount,
    items: list[tuple[ListingRow, str | None]],
    note: str,
) -> tuple[int, int]:
    """Products first (locked, so what a row keeps is current), then the listings; returns the
    rows created and updated. `items`: (listing, GTIN), one per SKU."""
    products = StoredProducts(session, plan.organization_id)
    keys = [(SOURCE_PLATFORM, listing.sku) for listing, _ in items]
    stored = products.locked(keys)
    rows = [
        _product(listing, gtin, stored.get(key))
        for (listing, gtin), key in zip(items, keys, strict=True)
    ]
    changed = set(ProductUpserts(session, plan.organization_id).upsert(rows).changed_ids)
    ids = {key: product_id for key, (product_id, _) in stored.items()}
    ids |= products.ids([key for key in keys if key not in ids])
    listings = ListingUpserts(session, plan.organization_id).upsert(
        account,
        [(ids[key], listing) for (listing, _), key in zip(items, keys, strict=True)],
        created_by=plan.created_by,
        note=note,
    )
    updated = sum(
        1
        for key in keys
        if key[1] not in listings.created_skus
        and (key[1] in listings.updated_skus or ids[key] in changed)
    )
    return listings.created, updated


def _product(
    listing: ListingRow, gtin: str | None, stored: tuple[uuid.UUID, dict[str, Any]] | None
) -> ProductRow:
    """The stored product with what the report carries (its name, ASIN, GTIN, description,
    image); a new product is named by its SKU when the report has no name."""
    values = dict(stored[1]) if stored is not None else dict(NEW_PRODUCT)
    carried = {
        "title": listing.title,
        "asin": listing.asin,
        "gtin": gtin,
        "description": listing.description,
        "images": listing.images,
    }
    values.update({name: value for name, value in carried.items() if value})
    values["title"] = values["title"] or listing.sku
    return ProductRow(source_platform=SOURCE_PLATFORM, source_id=listing.sku, **values)


def _fail(
    context: JobContext, organization_id: uuid.UUID, import_id: uuid.UUID, message: str
) -> None:
    with context.unit_of_work() as session:
        run = ImportRunRepository(session, organization_id).get(import_id)
        if run is not None:
            run.error = message[:2000]
            run.finished_at = utcnow()
