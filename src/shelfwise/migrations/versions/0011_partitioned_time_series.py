"""offer_snapshots and rank_snapshots partitioned by month of observed_at on PostgreSQL.

The primary key becomes (id, observed_at) on both backends: PostgreSQL requires the partition key
in every unique constraint of a partitioned table. On PostgreSQL each table is rebuilt as a
partitioned one (same columns, keys and indexes, BRIN on time), with a DEFAULT partition, the
monthly partitions from its oldest row to 24 months ahead (platform/partitions.py; `shelfwise
migrate` adds months at every deploy), and row-level security on the parent and on every
partition; the rows are copied over. On SQLite the tables are rebuilt with the new key.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:05:00.000000
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shelfwise.platform.partitions import ensure_partitions, secure

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MONEY = sa.Numeric(precision=14, scale=2)


def _offer_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("asin", sa.String(length=10), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("offer_count", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("buy_box_price", MONEY, nullable=True),
        sa.Column("buy_box_seller_id", sa.String(length=64), nullable=True),
        sa.Column("lowest_price", MONEY, nullable=True),
        sa.Column("my_price", MONEY, nullable=True),
        sa.Column("offers", JSON_TYPE, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
    ]


def _rank_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("asin", sa.String(length=10), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category_id", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
    ]


TABLES: dict[str, Callable[[], list[sa.Column[object]]]] = {
    "offer_snapshots": _offer_columns,
    "rank_snapshots": _rank_columns,
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for table in TABLES:
            with op.batch_alter_table(table, recreate="always") as batch_op:
                batch_op.drop_constraint(f"pk_{table}", type_="primary")
                batch_op.create_primary_key(f"pk_{table}", ["id", "observed_at"])
        return
    connection = op.get_bind()
    oldest = None
    for table in TABLES:
        op.rename_table(table, f"{table}_unpartitioned")
        # Index names are the schema's: the old ones go before the new table takes them.
        op.execute(f"ALTER TABLE {table}_unpartitioned DROP CONSTRAINT pk_{table}")
        for suffix in ("item", "observed_at", "organization_id"):
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{suffix}")
        _create_partitioned(table)
        oldest_row = f"SELECT min(observed_at) FROM {table}_unpartitioned"  # noqa: S608
        first = connection.execute(sa.text(oldest_row)).scalar()
        if first is not None and (oldest is None or first < oldest):
            oldest = first
    ensure_partitions(connection, since=oldest.date() if oldest is not None else None)
    for table, columns in TABLES.items():
        names = ", ".join(column.name for column in columns())
        op.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {table}_unpartitioned"  # noqa: S608
        )
        op.drop_table(f"{table}_unpartitioned")


def _create_partitioned(table: str) -> None:
    op.create_table(
        table,
        *TABLES[table](),
        sa.ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            name=op.f(f"fk_{table}_organization_id_marketplace_account_id_marketplace_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", "observed_at", name=op.f(f"pk_{table}")),
        postgresql_partition_by="RANGE (observed_at)",
    )
    op.create_index(
        f"ix_{table}_item",
        table,
        ["organization_id", "marketplace_account_id", "asin", "observed_at"],
    )
    op.create_index(f"ix_{table}_observed_at", table, ["observed_at"], postgresql_using="brin")
    op.create_index(f"ix_{table}_organization_id", table, ["organization_id"])
    op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    connection = op.get_bind()
    secure(connection, table)
    secure(connection, f"{table}_default")


def downgrade() -> None:
    raise NotImplementedError("0011 is not reversible: restore from a backup instead")
