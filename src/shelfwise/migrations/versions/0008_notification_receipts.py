"""SP-API notification receipts: one row per notification taken from the queue (tenant table).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:15:41.138325
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: rows are visible only while the transaction's app.org_id names their organization.
TENANT_PREDICATE = "organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "notification_receipts",
        sa.Column("marketplace_account_id", sa.Uuid(), nullable=False),
        sa.Column("notification_id", sa.String(length=100), nullable=False),
        sa.Column("notification_type", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=True),
        sa.Column(
            "payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            name=op.f(
                "fk_notification_receipts_organization_id_marketplace_account_id_marketplace_accounts"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_notification_receipts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_receipts")),
        sa.UniqueConstraint(
            "organization_id",
            "notification_id",
            name=op.f("uq_notification_receipts_organization_id_notification_id"),
        ),
    )
    with op.batch_alter_table("notification_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_receipts_organization_id"),
            ["organization_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_notification_receipts_received", ["organization_id", "received_at"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE notification_receipts ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE notification_receipts FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_isolation ON notification_receipts "
            f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_receipts_received")
        batch_op.drop_index(batch_op.f("ix_notification_receipts_organization_id"))

    op.drop_table("notification_receipts")
