"""Webhook sources and events, and stored Idempotency-Key responses.

webhook_sources is looked up before the organization is known (like api_keys), so only the
events and the idempotency keys get row-level security.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:37:14.179287
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("idempotency_keys", "webhook_events")
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
        "idempotency_keys",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=2000), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum("in_flight", "done", name="idempotency_state", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_headers", JSON_TYPE, nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_idempotency_keys_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint(
            "organization_id", "key", name=op.f("uq_idempotency_keys_organization_id_key")
        ),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_idempotency_keys_organization_id_created_at",
            ["organization_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "webhook_sources",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sealed_secrets", sa.LargeBinary(), nullable=False),
        sa.Column("secret_hints", JSON_TYPE, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_sources_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_sources")),
        sa.UniqueConstraint(
            "organization_id", "id", name=op.f("uq_webhook_sources_organization_id_id")
        ),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_webhook_sources_organization_id_name")
        ),
    )
    with op.batch_alter_table("webhook_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_sources_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "webhook_events",
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("headers", JSON_TYPE, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "processed",
                "rejected",
                name="webhook_event_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_webhook_events_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "source_id"],
            ["webhook_sources.organization_id", "webhook_sources.id"],
            name=op.f("fk_webhook_events_organization_id_source_id_webhook_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_events_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint(
            "organization_id",
            "source_id",
            "content_digest",
            name=op.f("uq_webhook_events_organization_id_source_id_content_digest"),
        ),
        sa.UniqueConstraint(
            "organization_id",
            "source_id",
            "event_id",
            name=op.f("uq_webhook_events_organization_id_source_id_event_id"),
        ),
    )
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_events_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_events_organization_id_received_at",
            ["organization_id", "received_at", "id"],
            unique=False,
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            enable_row_level_security(table)


def downgrade() -> None:
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_events_organization_id_received_at")
        batch_op.drop_index(batch_op.f("ix_webhook_events_organization_id"))

    op.drop_table("webhook_events")
    with op.batch_alter_table("webhook_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_sources_organization_id"))

    op.drop_table("webhook_sources")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_keys_organization_id_created_at")
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_organization_id"))

    op.drop_table("idempotency_keys")
