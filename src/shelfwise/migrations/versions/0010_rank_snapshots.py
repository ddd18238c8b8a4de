"""Best Sellers Rank series: rank_snapshots (a row when an item's rank in a category changes;
BRIN time index on PostgreSQL) and each tracked item's last ranks on offer_targets.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:32:43.171517
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: rows are visible only while the transaction's app.org_id names their organization.
TENANT_PREDICATE = "organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "rank_snapshots",
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("asin", sa.String(length=10), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category_id", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            name=op.f(
                "fk_rank_snapshots_organization_id_marketplace_account_id_marketplace_accounts"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rank_snapshots_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rank_snapshots")),
    )
    with op.batch_alter_table("rank_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rank_snapshots_item",
            ["organization_id", "marketplace_account_id", "asin", "observed_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rank_snapshots_observed_at", ["observed_at"], unique=False, postgresql_using="brin"
        )
        batch_op.create_index(
            batch_op.f("ix_rank_snapshots_organization_id"), ["organization_id"], unique=False
        )

    with op.batch_alter_table("offer_targets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "ranks", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("ranks_refreshed_at", sa.DateTime(timezone=True), nullable=True)
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE rank_snapshots ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE rank_snapshots FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_isolation ON rank_snapshots "
            f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
        )


def downgrade() -> None:
    with op.batch_alter_table("offer_targets", schema=None) as batch_op:
        batch_op.drop_column("ranks_refreshed_at")
        batch_op.drop_column("ranks")

    with op.batch_alter_table("rank_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rank_snapshots_organization_id"))
        batch_op.drop_index("ix_rank_snapshots_observed_at", postgresql_using="brin")
        batch_op.drop_index("ix_rank_snapshots_item")

    op.drop_table("rank_snapshots")
