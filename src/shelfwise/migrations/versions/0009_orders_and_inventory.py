"""Analytics tables: orders and their items, FBA inventory levels (tenant tables, no buyer PII).

Row-level security on each new table on PostgreSQL, as 0008 does.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:20:34.290005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("orders", "order_items", "inventory_levels")
# As in 0001: rows are visible only while the transaction's app.org_id names their organization.
TENANT_PREDICATE = "organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "inventory_levels",
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=False),
        sa.Column("asin", sa.String(length=10), nullable=True),
        sa.Column("fnsku", sa.String(length=20), nullable=True),
        sa.Column("condition", sa.String(length=32), nullable=True),
        sa.Column("fulfillable", sa.Integer(), nullable=False),
        sa.Column("inbound", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("unfulfillable", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("vendor_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            name=op.f(
                "fk_inventory_levels_organization_id_marketplace_account_id_marketplace_accounts"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_inventory_levels_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_levels")),
        sa.UniqueConstraint(
            "organization_id",
            "marketplace_account_id",
            "sku",
            name=op.f("uq_inventory_levels_organization_id_marketplace_account_id_sku"),
        ),
    )
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_levels_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "orders",
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("amazon_order_id", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sales_channel", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=20), nullable=True),
        sa.Column("fulfillment_channel", sa.String(length=16), nullable=True),
        sa.Column("total_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("total_currency", sa.String(length=3), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column(
            "programs", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            name=op.f("fk_orders_organization_id_marketplace_account_id_marketplace_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_orders_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_orders_organization_id_id")),
        sa.UniqueConstraint(
            "organization_id",
            "marketplace_account_id",
            "amazon_order_id",
            name=op.f("uq_orders_organization_id_marketplace_account_id_amazon_order_id"),
        ),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_account_updated",
            ["organization_id", "marketplace_account_id", "last_updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_orders_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "order_items",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("order_item_id", sa.String(length=50), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=True),
        sa.Column("asin", sa.String(length=10), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("quantity_ordered", sa.Integer(), nullable=False),
        sa.Column("quantity_shipped", sa.Integer(), nullable=False),
        sa.Column("item_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("item_currency", sa.String(length=3), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "order_id"],
            ["orders.organization_id", "orders.id"],
            name=op.f("fk_order_items_organization_id_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_order_items_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
        sa.UniqueConstraint(
            "organization_id",
            "order_id",
            "order_item_id",
            name=op.f("uq_order_items_organization_id_order_id_order_item_id"),
        ),
    )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_items_organization_id"), ["organization_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table} "
                f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
            )


def downgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_items_organization_id"))

    op.drop_table("order_items")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_organization_id"))
        batch_op.drop_index("ix_orders_account_updated")

    op.drop_table("orders")
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_levels_organization_id"))

    op.drop_table("inventory_levels")
