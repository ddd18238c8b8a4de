"""The bulk product upsert of imports: exact counts, the ORM's stored values, tenancy."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from shelfwise.catalog.bulk import (
    CONTENT_COLUMNS,
    ProductRow,
    ProductUpserts,
    UpsertCounts,
    newest_per_key,
)
from shelfwise.catalog.models import Product
from shelfwise.catalog.repository import ProductRepository
from shelfwise.platform.context import AppContext
from tests.factories import Tenant

T0 = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))


def product_row(source_id: str, **overrides: Any) -> ProductRow:
    values: dict[str, Any] = {
        "source_platform": "csv",
        "source_id": source_id,
        "title": f"Cordless drill {source_id}",
        "brand": "Bosch",
        "gtin": "4006381333931",
        "asin": "B07PGL2ZSL",
        "category": "Tools",
        "description": "Two batteries, one charger.",
        "images": [f"https://images.example/{source_id}.jpg"],
        "attributes": {"voltage": 18, "colour": "blue"},
        "cost_amount": Decimal("41.50"),
        "cost_currency": "EUR",
        "source_updated_at": T0,
    }
    return ProductRow(**(values | overrides))


def upsert(context: AppContext, tenant: Tenant, rows: list[ProductRow]) -> UpsertCounts:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        return ProductUpserts(session, tenant.organization_id).upsert(rows)


def stored(context: AppContext, tenant: Tenant) -> dict[str, Product]:
    """The organization's products by source id."""
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        products = session.scalars(ProductRepository(session, tenant.organization_id).select())
        return {product.source_id: product for product in products}


def content(product: Product | ProductRow) -> dict[str, Any]:
    return {name: getattr(product, name) for name in CONTENT_COLUMNS}


def counts(counts: UpsertCounts) -> tuple[int, int, int, int]:
    return (counts.created, counts.updated, counts.unchanged, counts.stale)


# newest_per_key


def test_newest_per_key_keeps_the_newest_row_per_key_in_first_seen_order() -> None:
    first = product_row("A", source_updated_at=T0)
    no_time = product_row("B", source_updated_at=None)
    newer = product_row("A", source_updated_at=T0 + timedelta(seconds=1), title="newer")
    older = product_row("A", source_updated_at=T0 - timedelta(days=1), title="older")
    timed = product_row("B", source_updated_at=T0 - timedelta(days=9), title="timed")
    other = product_row("C")
    kept, dropped = newest_per_key([first, no_time, newer, older, timed, other])
    assert kept == [newer, timed, other]
    assert dropped == 3


@pytest.mark.parametrize(
    ("moments", "winner"),
    [
        ((T0, T0), 1),
        ((None, None), 1),
        ((T0, None), 0),
        ((None, T0), 1),
        ((T0 + timedelta(microseconds=1), T0), 0),
    ],
    ids=["tie-later-wins", "both-none-later-wins", "none-is-oldest", "time-beats-none", "newer"],
)
def test_newest_per_key_rules(moments: tuple[datetime | None, ...], winner: int) -> None:
    rows = [product_row("A", source_updated_at=m, title=f"row {i}") for i, m in enumerate(moments)]
    assert newest_per_key(rows) == ([rows[winner]], 1)


def test_newest_per_key_tells_platforms_apart() -> None:
    rows = [product_row("A"), product_row("A", source_platform="ebay")]
    assert newest_per_key(rows) == (rows, 0)


# upsert


def test_counts_each_outcome_exactly_and_writes_only_what_changed(
    context: AppContext, tenant: Tenant
) -> None:
    originals = [product_row(f"K{number}") for number in range(1, 7)]
    first = upsert(context, tenant, originals)
    assert counts(first) == (6, 0, 0, 0)
    assert sorted(first.changed_ids) == sorted(p.id for p in stored(context, tenant).values())
    before = stored(context, tenant)

    later = T0 + timedelta(hours=1)
    batch = [
        originals[0],  # K1: identical
        replace(originals[1], title="old news", source_updated_at=T0 - timedelta(hours=1)),
        replace(originals[2], title="renamed", source_updated_at=later),
        replace(originals[3], source_updated_at=later),  # only the timestamp moved
        replace(originals[4], source_updated_at=None),  # no timestamp: never stale
        replace(originals[5], cost_amount=Decimal("39.99")),  # same timestamp: not stale
        product_row("K7"),
    ]
    result = upsert(context, tenant, batch)
    assert counts(result) == (1, 4, 1, 1)

    after = stored(context, tenant)
    expected_changed = {"K3", "K4", "K5", "K6", "K7"}
    assert sorted(result.changed_ids) == sorted(after[key].id for key in expected_changed)
    for row in batch:
        if row.source_id in expected_changed:
            assert content(after[row.source_id]) == content(row)
    for untouched in ("K1", "K2"):
        assert content(after[untouched]) == content(before[untouched])
        assert after[untouched].updated_at == before[untouched].updated_at
    for changed in ("K3", "K4", "K5", "K6"):
        assert after[changed].updated_at > before[changed].updated_at
        assert after[changed].created_at == before[changed].created_at
        assert after[changed].id == before[changed].id


def test_counting_only_upserts_count_each_outcome_alike(
    context: AppContext, tenant: Tenant
) -> None:
    """`collect_ids=False` (imports) returns two counts instead of a row per product: the same
    outcomes, counted the same."""
    originals = [product_row(f"K{number}") for number in range(1, 7)]
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        first = ProductUpserts(session, tenant.organization_id).upsert(originals, collect_ids=False)
    assert (counts(first), first.changed_ids) == ((6, 0, 0, 0), [])
    later = T0 + timedelta(hours=1)
    batch = [
        originals[0],
        replace(originals[1], title="old news", source_updated_at=T0 - timedelta(hours=1)),
        replace(originals[2], title="renamed", source_updated_at=later),
        replace(originals[3], source_updated_at=None),
        product_row("K7"),
        product_row("K8"),
    ]
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        result = ProductUpserts(session, tenant.organization_id).upsert(batch, collect_ids=False)
    assert counts(result) == (2, 2, 1, 1)
    after = stored(context, tenant)
    assert {key: after[key].title for key in ("K2", "K3", "K7")} == {
        "K2": "Cordless drill K2",
        "K3": "renamed",
        "K7": "Cordless drill K7",
    }


def test_stored_without_timestamp_takes_any_incoming_row(
    context: AppContext, tenant: Tenant
) -> None:
    upsert(context, tenant, [product_row("A", source_updated_at=None)])
    older = product_row("A", title="dated", source_updated_at=T0 - timedelta(days=365))
    assert counts(upsert(context, tenant, [older])) == (0, 1, 0, 0)
    assert content(stored(context, tenant)["A"]) == content(older)


def test_second_batch_in_the_same_transaction(context: AppContext, tenant: Tenant) -> None:
    later = T0 + timedelta(minutes=5)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        upserts = ProductUpserts(session, tenant.organization_id)
        assert counts(upserts.upsert([product_row("A"), product_row("B")])) == (2, 0, 0, 0)
        second = [product_row("B", title="B2", source_updated_at=later), product_row("C")]
        assert counts(upserts.upsert(second)) == (1, 1, 0, 0)
    assert {key: p.title for key, p in stored(context, tenant).items()} == {
        "A": "Cordless drill A",
        "B": "B2",
        "C": "Cordless drill C",
    }


def test_rows_guessed_new_are_created_with_their_ids(context: AppContext, tenant: Tenant) -> None:
    rows = [product_row(f"N{number}") for number in range(1, 5)]
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        result = ProductUpserts(session, tenant.organization_id).upsert(rows, likely_new=True)
    assert counts(result) == (4, 0, 0, 0)
    after = stored(context, tenant)
    assert sorted(result.changed_ids) == sorted(product.id for product in after.values())
    assert {key: content(product) for key, product in after.items()} == {
        row.source_id: content(row) for row in rows
    }


def test_a_wrong_guess_of_new_rows_counts_and_writes_as_the_merge_does(
    context: AppContext, tenant: Tenant
) -> None:
    """A stored key among rows guessed new: the plain INSERT is undone (its new rows too), the
    merge decides every row, and the transaction goes on."""
    originals = [product_row(f"K{number}") for number in range(1, 4)]
    upsert(context, tenant, originals)
    before = stored(context, tenant)
    later = T0 + timedelta(hours=1)
    batch = [
        product_row("K0"),  # new, and first in key order: inserted before K1 fails
        originals[0],  # identical
        replace(originals[1], title="old news", source_updated_at=T0 - timedelta(hours=1)),
        replace(originals[2], title="renamed", source_updated_at=later),
        product_row("K9"),
    ]
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        upserts = ProductUpserts(session, tenant.organization_id)
        result = upserts.upsert(batch, collect_ids=False, likely_new=True)
        assert counts(result) == (2, 1, 1, 1)
        after_guess = upserts.upsert([product_row("L1")], likely_new=True)
        assert counts(after_guess) == (1, 0, 0, 0)
    after = stored(context, tenant)
    assert sorted(after) == ["K0", "K1", "K2", "K3", "K9", "L1"]
    assert after["K2"].title == "Cordless drill K2" and after["K3"].title == "renamed"
    assert after["K1"].updated_at == before["K1"].updated_at
    assert after["K3"].id == before["K3"].id


def test_values_stored_differently_but_read_back_equal_are_unchanged(
    context: AppContext, tenant: Tenant
) -> None:
    first = product_row("A", attributes={"a": 1, "b": [1, 2]}, cost_amount=Decimal("19.999"))
    upsert(context, tenant, [first])
    same = replace(first, attributes={"b": [1, 2], "a": 1}, cost_amount=Decimal("20.00"))
    assert counts(upsert(context, tenant, [same])) == (0, 0, 1, 0)
    assert stored(context, tenant)["A"].cost_amount == Decimal("20.00")


def test_products_added_through_the_orm_in_the_same_transaction_are_seen(
    context: AppContext, tenant: Tenant
) -> None:
    row = product_row("A")
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        added = Product(
            organization_id=tenant.organization_id, source_platform="csv", source_id="A", title="t"
        )
        session.add(added)  # pending, not flushed
        result = ProductUpserts(session, tenant.organization_id).upsert([row])
    assert counts(result) == (0, 1, 0, 0)
    assert result.changed_ids == [added.id]
    assert content(stored(context, tenant)["A"]) == content(row)


def test_empty_batch_writes_nothing(context: AppContext, tenant: Tenant) -> None:
    assert upsert(context, tenant, []) == UpsertCounts(0, 0, 0, 0, [])


def test_duplicate_keys_are_refused_and_nothing_is_written(
    context: AppContext, tenant: Tenant
) -> None:
    rows = [product_row("A"), product_row("B"), product_row("A", title="again")]
    with pytest.raises(ValueError, match="repeat"):
        upsert(context, tenant, rows)
    assert stored(context, tenant) == {}


def test_naive_timestamp_is_refused(context: AppContext, tenant: Tenant) -> None:
    naive = product_row("A", source_updated_at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        upsert(context, tenant, [naive])
    assert stored(context, tenant) == {}


def test_another_organizations_identical_keys_are_untouched(
    context: AppContext, tenant: Tenant, other_tenant: Tenant
) -> None:
    rows = [product_row(f"K{number}") for number in range(3)]
    assert counts(upsert(context, tenant, rows)) == (3, 0, 0, 0)
    before = stored(context, tenant)

    theirs = [
        replace(row, title="theirs", source_updated_at=T0 + timedelta(days=1)) for row in rows
    ]
    assert counts(upsert(context, other_tenant, theirs)) == (3, 0, 0, 0)
    assert counts(upsert(context, other_tenant, rows)) == (0, 0, 0, 3)

    after = stored(context, tenant)
    assert {key: (p.id, content(p), p.updated_at) for key, p in after.items()} == {
        key: (p.id, content(p), p.updated_at) for key, p in before.items()
    }
    assert {p.title for p in stored(context, other_tenant).values()} == {"theirs"}
    assert counts(upsert(context, tenant, rows)) == (0, 0, 3, 0)


def test_a_batch_of_five_thousand_rows(context: AppContext, tenant: Tenant) -> None:
    rows = [product_row(f"SKU-{number:05d}", attributes={"n": number}) for number in range(5000)]
    assert counts(upsert(context, tenant, rows)) == (5000, 0, 0, 0)

    changed = []
    for number, row in enumerate(rows):
        if number % 2 == 0:
            row = replace(row, title=f"renamed {number}", source_updated_at=T0 + timedelta(1))
        elif number % 5 == 0:
            row = replace(row, title="late", source_updated_at=T0 - timedelta(1))
        changed.append(row)
    result = upsert(context, tenant, changed)
    assert counts(result) == (0, 2500, 2000, 500)
    assert len(result.changed_ids) == len(set(result.changed_ids)) == 2500

    titles = {key: product.title for key, product in stored(context, tenant).items()}
    assert len(titles) == 5000
    assert titles["SKU-00000"] == "renamed 0"
    assert titles["SKU-00005"] == "Cordless drill SKU-00005"
    assert titles["SKU-00007"] == "Cordless drill SKU-00007"


# The values stored: the same as the ORM's, read back identically.

BIG_ATTRIBUTES: dict[str, Any] = {
    f"attribute {number}": {"value": "x" * number, "list": list(range(number % 7)), "ok": True}
    for number in range(400)
} | {"nested": {"deep": [{"é": None}, 1.5, -3]}, "empty": {}}
RICH = product_row(
    "RICH",
    title="Perceuse sans fil « Profi » \u2013 18 V 🔋 电钻",
    brand="Bosch ünd Söhne",
    description="Zeile 1\nZeile 2\t\"quoted\" \\ backslash, 'single'",
    images=["https://images.example/ä.jpg", "https://images.example/2.jpg"],
    attributes=BIG_ATTRIBUTES,
    cost_amount=Decimal("1234.5"),
    cost_currency="GBP",
    source_updated_at=datetime(
        2025, 6, 30, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=2))
    ),
)
SPARSE = product_row(
    "SPARSE",
    brand=None,
    gtin=None,
    asin=None,
    category=None,
    description=None,
    images=[],
    attributes={},
    cost_amount=None,
    cost_currency=None,
    source_updated_at=None,
)
# Beyond two decimals: stored rounded, and a re-import of the same value is "unchanged".
ROUNDED = product_row("ROUNDED", cost_amount=Decimal("19.999"))


def raw_content(context: AppContext, tenant: Tenant, product_id: uuid.UUID) -> tuple[Any, ...]:
    """The content columns as the database holds them (text on SQLite), without the ORM."""
    columns = ", ".join(CONTENT_COLUMNS)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        statement = text(f"SELECT {columns} FROM products WHERE id = :id")
        id_value = product_id.hex if context.database.is_sqlite else product_id
        return tuple(session.execute(statement, {"id": id_value}).one())


def add_with_orm(context: AppContext, tenant: Tenant, row: ProductRow) -> uuid.UUID:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        product = Product(source_platform="orm", source_id=row.source_id, **content(row))
        return ProductRepository(session, tenant.organization_id).add(product).id


def update_with_orm(
    context: AppContext, tenant: Tenant, product_id: uuid.UUID, row: ProductRow
) -> None:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        product = ProductRepository(session, tenant.organization_id).get(product_id)
        assert product is not None
        for name, value in content(row).items():
            setattr(product, name, value)


def api_view(client: TestClient, tenant: Tenant, product_id: uuid.UUID) -> dict[str, Any]:
    response = client.get(f"/api/products/{product_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    for own in ("id", "source_platform", "created_at", "updated_at"):
        del body[own]
    return body


def assert_same_as_orm(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    bulk_id: uuid.UUID,
    orm_id: uuid.UUID,
    row: ProductRow,
) -> None:
    assert raw_content(context, tenant, bulk_id) == raw_content(context, tenant, orm_id)
    assert api_view(client, tenant, bulk_id) == api_view(client, tenant, orm_id)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        repository = ProductRepository(session, tenant.organization_id)
        bulk, orm = repository.get(bulk_id), repository.get(orm_id)
        assert bulk is not None and orm is not None
        assert content(bulk) == content(orm)
        assert content(bulk) == content(row) | {
            "cost_amount": orm.cost_amount  # rounded to cents as stored
        }
        if row.source_updated_at is not None:
            assert bulk.source_updated_at is not None
            assert bulk.source_updated_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("row", [RICH, SPARSE, ROUNDED], ids=["rich", "sparse", "rounded"])
def test_values_round_trip_as_the_orm_stores_them(
    context: AppContext, client: TestClient, tenant: Tenant, row: ProductRow
) -> None:
    created = upsert(context, tenant, [row])
    bulk_id = created.changed_ids[0]
    orm_id = add_with_orm(context, tenant, row)
    assert_same_as_orm(context, client, tenant, bulk_id, orm_id, row)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        product = ProductRepository(session, tenant.organization_id).get(bulk_id)
        assert product is not None
        assert product.created_at == product.updated_at
        assert product.created_at.tzinfo == UTC
    assert counts(upsert(context, tenant, [row])) == (0, 0, 1, 0)

    # The update path stores the same values too (the other row's content, a day later).
    other = RICH if row is not RICH else SPARSE
    moved = replace(other, source_id=row.source_id, source_updated_at=T0 + timedelta(days=400))
    assert counts(upsert(context, tenant, [moved])) == (0, 1, 0, 0)
    update_with_orm(context, tenant, orm_id, moved)
    assert_same_as_orm(context, client, tenant, bulk_id, orm_id, moved)
    assert counts(upsert(context, tenant, [moved])) == (0, 0, 1, 0)
