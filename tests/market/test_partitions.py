"""The time series' monthly partitions on PostgreSQL: where rows land, row-level security on each
partition, and the partitions `shelfwise migrate` keeps ahead."""

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, text

from shelfwise.market.models import OfferSnapshot
from shelfwise.platform.context import AppContext
from shelfwise.platform.ids import new_id
from shelfwise.platform.partitions import MONTHS_AHEAD, ensure_partitions, month_starts
from tests.factories import Tenant, create_account


def test_month_starts_cover_every_month_inclusive() -> None:
    assert month_starts(date(2026, 11, 20), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert month_starts(date(2027, 3, 5), date(2027, 2, 1)) == []


@pytest.fixture
def postgresql_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("partitions are PostgreSQL's; SQLite keeps plain tables")


def add_snapshot(context: AppContext, tenant: Tenant, account_id: str, at: datetime) -> uuid.UUID:
    snapshot_id = new_id()
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        session.add(
            OfferSnapshot(
                id=snapshot_id,
                organization_id=tenant.organization_id,
                marketplace_account_id=uuid.UUID(account_id),
                asin="B0PART0001",
                observed_at=at,
                confirmed_at=at,
                source="test",
                condition="new",
                offer_count=0,
                offers=[],
            )
        )
    return snapshot_id


def test_rows_land_in_their_months_partition_and_each_partition_is_tenant_scoped(
    postgresql_only: None, context: AppContext, client: object, tenant: Tenant
) -> None:
    account = create_account(client, tenant, marketplace="amazon.com")  # type: ignore[arg-type]
    now = datetime.now(UTC)
    recent = add_snapshot(context, tenant, account["id"], now)
    ancient = add_snapshot(context, tenant, account["id"], datetime(2001, 1, 1, tzinfo=UTC))
    owner = create_engine(context.settings.resolved_migration_url)
    try:
        with owner.connect() as connection:
            where = dict(
                connection.execute(
                    text(
                        "SELECT id, tableoid::regclass::text FROM offer_snapshots"
                        " WHERE id IN (:recent, :ancient)"
                    ),
                    {"recent": recent, "ancient": ancient},
                ).all()
            )
            partitions = connection.execute(
                text(
                    "SELECT count(*) FROM pg_inherits JOIN pg_class p ON p.oid = inhparent"
                    " WHERE p.relname = 'offer_snapshots'"
                )
            ).scalar_one()
            unsecured = connection.execute(
                text(
                    "SELECT c.relname FROM pg_inherits JOIN pg_class p ON p.oid = inhparent"
                    " JOIN pg_class c ON c.oid = inhrelid WHERE p.relname IN"
                    " ('offer_snapshots', 'rank_snapshots')"
                    " AND NOT (c.relrowsecurity AND c.relforcerowsecurity)"
                )
            ).all()
    finally:
        owner.dispose()
    assert where[recent] == f"offer_snapshots_{now:%Y_%m}"
    assert where[ancient] == "offer_snapshots_default"
    assert partitions >= MONTHS_AHEAD + 2  # this month, the months ahead and DEFAULT
    assert unsecured == []
    with context.database.unit_of_work() as session:  # no tenant: a partition shows nothing
        seen = session.execute(text(f"SELECT count(*) FROM offer_snapshots_{now:%Y_%m}"))
        assert seen.scalar_one() == 0
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        mine = session.execute(
            text(f"SELECT count(*) FROM offer_snapshots_{now:%Y_%m} WHERE id = :id"),
            {"id": recent},
        )
        assert mine.scalar_one() == 1


def test_migrate_adds_the_months_ahead_once(postgresql_only: None, context: AppContext) -> None:
    owner = create_engine(context.settings.resolved_migration_url)
    try:
        with owner.begin() as connection:
            assert ensure_partitions(connection) == []  # migrate made them already
            later = datetime.now(UTC).replace(day=1).replace(year=datetime.now(UTC).year + 1)
            made = ensure_partitions(connection, now=later)
            assert made  # a year on, the window moved: new months, for both tables
            assert {name.rsplit("_", 2)[0] for name in made} == {
                "offer_snapshots",
                "rank_snapshots",
            }
            assert ensure_partitions(connection, now=later) == []
    finally:
        owner.dispose()
