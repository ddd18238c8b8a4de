"""The ASIN bridge's kept items: the last item fetched per (organization, marketplace, ASIN).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: rows are visible only while the transaction's app.org_id names their organization.
TENANT_PREDICATE = "organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "fetched_items",
        sa.Column("marketplace", sa.String(length=32), nullable=False),
        sa.Column("asin", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("item", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_fetched_items_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetched_items")),
        sa.UniqueConstraint(
            "organization_id",
            "marketplace",
            "asin",
            name=op.f("uq_fetched_items_organization_id_marketplace_asin"),
        ),
    )
    with op.batch_alter_table("fetched_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fetched_items_organization_id"), ["organization_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE fetched_items ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE fetched_items FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_isolation ON fetched_items "
            f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
        )


def downgrade() -> None:
    with op.batch_alter_table("fetched_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fetched_items_organization_id"))
    op.drop_table("fetched_items")
