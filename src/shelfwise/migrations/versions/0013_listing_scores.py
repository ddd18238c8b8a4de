"""Listing quality scores: the current score per listing and the history of every score.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: rows are visible only while the transaction's app.org_id names their organization.
TENANT_PREDICATE = "organization_id = NULLIF(current_setting('app.org_id', true), '')::uuid"
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _common(table: str) -> list[Any]:
    return [
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("content_version", sa.Integer(), nullable=False),
        sa.Column("breakdown", JSON, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "listing_id"],
            ["listings.organization_id", "listings.id"],
            name=op.f(f"fk_{table}_organization_id_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _secure(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
        )


def upgrade() -> None:
    op.create_table(
        "listing_scores",
        *_common("listing_scores"),
        sa.UniqueConstraint(
            "organization_id",
            "listing_id",
            name=op.f("uq_listing_scores_organization_id_listing_id"),
        ),
    )
    op.create_table(
        "listing_score_history",
        sa.Column("previous_score", sa.Integer(), nullable=True),
        *_common("listing_score_history"),
    )
    with op.batch_alter_table("listing_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_scores_organization_id"), ["organization_id"], unique=False
        )
    with op.batch_alter_table("listing_score_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_score_history_organization_id"),
            ["organization_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_listing_score_history_organization_id_listing_id_computed_at",
            ["organization_id", "listing_id", "computed_at"],
            unique=False,
        )
    _secure("listing_scores")
    _secure("listing_score_history")


def downgrade() -> None:
    with op.batch_alter_table("listing_score_history", schema=None) as batch_op:
        batch_op.drop_index("ix_listing_score_history_organization_id_listing_id_computed_at")
        batch_op.drop_index(batch_op.f("ix_listing_score_history_organization_id"))
    op.drop_table("listing_score_history")
    with op.batch_alter_table("listing_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_scores_organization_id"))
    op.drop_table("listing_scores")
