"""Import runs name the marketplace account an Amazon report's listings go to.

A plain nullable uuid without a foreign key: import runs are tenant rows whose foreign keys
include organization_id (A4), and a composite key cannot `ON DELETE SET NULL` here without
nulling the NOT NULL organization_id as well (PostgreSQL 15's column list for SET NULL does not
exist on SQLite). The run outlives the account; the import job reads the account through its
organization's repository and fails the run when it is gone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 21:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marketplace_account_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("marketplace_account_id")
