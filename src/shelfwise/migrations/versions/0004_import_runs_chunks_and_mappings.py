"""Import runs, their stored payload chunks, and saved column mappings (all tenant tables).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:37:28.761628
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("import_runs", "import_chunks", "import_mappings")
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

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
        "import_mappings",
        sa.Column("headers_key", sa.String(length=64), nullable=False),
        sa.Column("headers", JSON_TYPE, nullable=False),
        sa.Column("mapping", JSON_TYPE, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_import_mappings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint(
            "organization_id",
            "headers_key",
            name=op.f("uq_import_mappings_organization_id_headers_key"),
        ),
    )
    with op.batch_alter_table("import_mappings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_mappings_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "import_runs",
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column(
            "format",
            sa.Enum("csv", "xlsx", "json", name="import_format", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_platform", sa.String(length=64), nullable=False),
        sa.Column("mapping", JSON_TYPE, nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("lines_done", sa.Integer(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("stale", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("changes", JSON_TYPE, nullable=True),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_import_runs_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_import_runs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_import_runs_organization_id_id")
        ),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_runs_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_import_runs_organization_id_created_at",
            ["organization_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "import_chunks",
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "import_id"],
            ["import_runs.organization_id", "import_runs.id"],
            name=op.f("fk_import_chunks_organization_id_import_id_import_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_import_chunks_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "sequence", name=op.f("pk_import_chunks")),
    )
    with op.batch_alter_table("import_chunks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_chunks_organization_id"), ["organization_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            enable_row_level_security(table)


def downgrade() -> None:
    with op.batch_alter_table("import_chunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_chunks_organization_id"))

    op.drop_table("import_chunks")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_import_runs_organization_id_created_at")
        batch_op.drop_index(batch_op.f("ix_import_runs_organization_id"))

    op.drop_table("import_runs")
    with op.batch_alter_table("import_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_mappings_organization_id"))

    op.drop_table("import_mappings")
