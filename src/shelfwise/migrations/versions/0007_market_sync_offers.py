"""Market tables (watched ASINs, offer targets and snapshots, sync runs and their changes) and
the connection status of marketplace accounts.

offer_snapshots' time index is BRIN on PostgreSQL (rows arrive in time order). Existing accounts
start unverified: the next call against the marketplace says whether they are connected.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:44:11.836439
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("watched_asins", "offer_targets", "offer_snapshots", "sync_runs", "sync_changes")
# As in 0001: rows are visible only while the transaction's app.org_id names their organization.
TENANT_PREDICATE = "organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid"


def enable_row_level_security(table: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
    )


def upgrade() -> None:
    op.create_table(
        "offer_snapshots",
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("asin", sa.String(length=10), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("offer_count", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("buy_box_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("buy_box_seller_id", sa.String(length=64), nullable=True),
        sa.Column("lowest_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("my_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column(
            "offers", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            name=op.f(
                "fk_offer_snapshots_organization_id_marketplace_account_id_marketplace_accounts"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_offer_snapshots_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_snapshots")),
    )
    with op.batch_alter_table("offer_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offer_snapshots_item",
            ["organization_id", "marketplace_account_id", "asin", "observed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_offer_snapshots_observed_at", ["observed_at"], unique=False, postgresql_using="brin"
        )
        batch_op.create_index(
            batch_op.f("ix_offer_snapshots_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "offer_targets",
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("asin", sa.String(length=10), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=True),
        sa.Column("watched", sa.Boolean(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fingerprint", sa.String(length=32), nullable=True),
        sa.Column("snapshot_id", sa.Uuid(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            name=op.f(
                "fk_offer_targets_organization_id_marketplace_account_id_marketplace_accounts"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_offer_targets_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_targets")),
        sa.UniqueConstraint(
            "organization_id",
            "marketplace_account_id",
            "asin",
            name=op.f("uq_offer_targets_organization_id_marketplace_account_id_asin"),
        ),
    )
    with op.batch_alter_table("offer_targets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_offer_targets_due",
            ["organization_id", "marketplace_account_id", "refreshed_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_offer_targets_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "sync_runs",
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("dataset", sa.String(length=32), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "partial",
                "failed",
                name="sync_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "counts", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            name=op.f("fk_sync_runs_organization_id_marketplace_account_id_marketplace_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sync_runs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_sync_runs_organization_id_id")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_runs_account_dataset",
            ["organization_id", "marketplace_account_id", "dataset", "started_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sync_runs_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "watched_asins",
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("asin", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            name=op.f(
                "fk_watched_asins_organization_id_marketplace_account_id_marketplace_accounts"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_watched_asins_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watched_asins")),
        sa.UniqueConstraint(
            "organization_id",
            "marketplace_account_id",
            "asin",
            name=op.f("uq_watched_asins_organization_id_marketplace_account_id_asin"),
        ),
    )
    with op.batch_alter_table("watched_asins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_watched_asins_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "sync_changes",
        sa.Column("sync_run_id", sa.Uuid(), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("old", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("new", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "sync_run_id"],
            ["sync_runs.organization_id", "sync_runs.id"],
            name=op.f("fk_sync_changes_organization_id_sync_run_id_sync_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sync_changes_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_changes")),
    )
    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sync_changes_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_sync_changes_run", ["organization_id", "sync_run_id"], unique=False
        )

    with op.batch_alter_table("marketplace_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "connection_status",
                sa.Enum(
                    "unverified",
                    "connected",
                    "disconnected",
                    name="connection_status",
                    native_enum=False,
                    length=16,
                ),
                nullable=False,
                server_default="unverified",
            )
        )
        batch_op.add_column(sa.Column("connection_error", sa.String(length=1000), nullable=True))
        batch_op.add_column(
            sa.Column("connection_checked_at", sa.DateTime(timezone=True), nullable=True)
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            enable_row_level_security(table)


def downgrade() -> None:
    with op.batch_alter_table("marketplace_accounts", schema=None) as batch_op:
        batch_op.drop_column("connection_checked_at")
        batch_op.drop_column("connection_error")
        batch_op.drop_column("connection_status")

    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_changes_run")
        batch_op.drop_index(batch_op.f("ix_sync_changes_organization_id"))

    op.drop_table("sync_changes")
    with op.batch_alter_table("watched_asins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watched_asins_organization_id"))

    op.drop_table("watched_asins")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_runs_organization_id"))
        batch_op.drop_index("ix_sync_runs_account_dataset")

    op.drop_table("sync_runs")
    with op.batch_alter_table("offer_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_targets_organization_id"))
        batch_op.drop_index("ix_offer_targets_due")

    op.drop_table("offer_targets")
    with op.batch_alter_table("offer_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_snapshots_organization_id"))
        batch_op.drop_index("ix_offer_snapshots_observed_at", postgresql_using="brin")
        batch_op.drop_index("ix_offer_snapshots_item")

    op.drop_table("offer_snapshots")
