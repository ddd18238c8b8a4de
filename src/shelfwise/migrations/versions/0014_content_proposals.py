"""Content proposals: optimizers' rewrites of listings with their scores, diff and decision.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 03:27:05.585785

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: rows are visible only while the transaction's app.org_id names their organization.
TENANT_PREDICATE = "organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid"


def upgrade() -> None:
    op.create_table(
        "content_proposals",
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("marketplace", sa.String(length=64), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column(
            "bullets", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("prompt_version", sa.String(length=64), nullable=True),
        sa.Column("fallback_reason", sa.String(length=1000), nullable=True),
        sa.Column(
            "validation_notes",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("diff", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("score_before", sa.Integer(), nullable=True),
        sa.Column("score_after", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "approved",
                "rejected",
                name="proposal_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("applied_version", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "listing_id"],
            ["listings.organization_id", "listings.id"],
            name=op.f("fk_content_proposals_organization_id_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_content_proposals_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_proposals")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_content_proposals_organization_id_id")
        ),
    )
    with op.batch_alter_table("content_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_proposals_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_content_proposals_organization_id_listing_id",
            ["organization_id", "listing_id", "created_at"],
            unique=False,
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE content_proposals ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE content_proposals FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_isolation ON content_proposals "
            f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
        )


def downgrade() -> None:
    with op.batch_alter_table("content_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_content_proposals_organization_id_listing_id")
        batch_op.drop_index(batch_op.f("ix_content_proposals_organization_id"))

    op.drop_table("content_proposals")
