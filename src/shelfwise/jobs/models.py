"""Job tables. Platform tables without row-level security: the relay and workers must see every
organization's jobs; tenant-facing reads go through TenantRepository (organization-scoped)."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shelfwise.platform.db import Base
from shelfwise.platform.models import IdMixin
from shelfwise.platform.types import JSONType, UTCDateTime, utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # a permanent error: not retried
    CANCELLED = "cancelled"
    DEAD = "dead"  # transient errors until the last try

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.DEAD}
)

JobStatusType = Enum(
    JobStatus,
    name="job_status",
    native_enum=False,
    length=16,
    values_callable=lambda e: [m.value for m in e],
)


class Job(IdMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # The relay's scan: queued, not yet sent, due.
        Index("ix_jobs_outbox", "status", "dispatched_at", "run_after"),
        Index("ix_jobs_organization_id_created_at", "organization_id", "created_at", "id"),
    )

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[JobStatus] = mapped_column(JobStatusType, default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item_error_count: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Set when the same work must not be queued twice (scheduler ticks, event deliveries).
    dedupe_key: Mapped[str | None] = mapped_column(String(300), nullable=True, unique=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(100), nullable=True)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class JobItemError(IdMixin, Base):
    """One item a job could not process (e.g. a CSV row), with the field and the reason."""

    __tablename__ = "job_item_errors"
    __table_args__ = (Index("ix_job_item_errors_job_id_id", "job_id", "id"),)

    job_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("jobs.id", ondelete="CASCADE"))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True
    )
    item: Mapped[str] = mapped_column(String(200))
    field: Mapped[str | None] = mapped_column(String(200), nullable=True)
    message: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduleTick(Base):
    """A periodic job's tick that has fired; the primary key makes each tick fire once."""

    __tablename__ = "schedule_ticks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    tick_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
