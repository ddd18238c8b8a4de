"""Bodies of the webhook API, and the product a webhook payload carries."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from shelfwise.catalog.schemas import Money, ProductCreate, StrictBody
from shelfwise.ingest.models import ImportFormat, WebhookEventStatus
from shelfwise.jobs.models import JobStatus
from shelfwise.jobs.schemas import Progress

SourceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class WebhookSourceCreate(StrictBody):
    name: SourceName


class WebhookSourceUpdate(StrictBody):
    name: SourceName | None = None
    is_active: bool | None = Field(default=None, description="Inactive sources get 401.")


class SecretHint(BaseModel):
    id: uuid.UUID
    hint: str = Field(description="The secret's last four characters, e.g. '••••9f2a'.")
    created_at: datetime


class WebhookSourceOut(BaseModel):
    id: uuid.UUID = Field(description="Send it as X-Shelfwise-Source.")
    name: str
    is_active: bool
    secrets: list[SecretHint]
    created_at: datetime
    updated_at: datetime


class WebhookSecretIssued(WebhookSourceOut):
    secret_id: uuid.UUID
    secret: str = Field(description="The new signing secret: shown this once, never again.")


class WebhookReceipt(BaseModel):
    id: uuid.UUID
    source_id: uuid.UUID
    event_id: str
    status: WebhookEventStatus
    job_id: uuid.UUID | None
    received_at: datetime
    duplicate: bool = Field(description="True when this delivery was received before.")


class WebhookEventOut(BaseModel):
    id: uuid.UUID
    source_id: uuid.UUID
    event_id: str
    status: WebhookEventStatus
    job_id: uuid.UUID | None
    received_at: datetime
    size: int = Field(description="Bytes of the raw body, kept for replays.")
    headers: dict[str, str]


class WebhookEventPage(BaseModel):
    items: list[WebhookEventOut]
    next_cursor: str | None


class WebhookProduct(ProductCreate):
    """One product in a webhook payload: the product fields, and the price the source shows
    (products have no price column; it is kept as the attribute `price`)."""

    price: Money | None = None


SourcePlatform = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$"
    ),
]


class ImportBatch(StrictBody):
    """Products to import; each is checked on its own (a bad one is a row error, not a 422)."""

    products: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=50_000)]
    source_platform: SourcePlatform = Field(
        default="api", description="For products that do not name their source platform."
    )
    dry_run: bool = Field(default=False, description="Count what would change; write nothing.")


class ImportCounts(BaseModel):
    rows_total: int | None = Field(description="Rows in the file (known once it was read).")
    rows_read: int
    created: int
    updated: int
    unchanged: int = Field(description="Rows equal to the stored product: nothing written.")
    stale: int = Field(description="Rows older (source_updated_at) than the stored product.")
    duplicates: int = Field(description="Rows repeated in a batch; the newest one was kept.")
    rejected: int = Field(description="Rows with errors: see /errors.")


class ImportChange(BaseModel):
    line: int
    source_platform: str
    source_id: str
    action: Literal["create", "update", "stale"]
    fields: dict[str, list[Any]] = Field(description="field -> [old value, new value]")


class ImportRunOut(BaseModel):
    id: uuid.UUID
    format: ImportFormat
    filename: str | None
    size_bytes: int
    sha256: str
    source_platform: str
    mapping: dict[str, str] | None
    marketplace_account_id: uuid.UUID | None = Field(
        default=None, description="The account an Amazon report's listings go to."
    )
    dry_run: bool
    status: JobStatus | None = Field(description="The import job's status.")
    progress: Progress | None
    counts: ImportCounts
    error: str | None = Field(description="Why the whole file was refused (nothing written).")
    changes: list[ImportChange] | None = Field(
        description="A dry run's first 100 changes, field by field; null for real imports."
    )
    job_id: uuid.UUID | None
    created_by: str | None
    created_at: datetime
    finished_at: datetime | None


class ImportRunPage(BaseModel):
    items: list[ImportRunOut]
    next_cursor: str | None


class RowErrorOut(BaseModel):
    id: uuid.UUID
    row: str = Field(description='Where: "line 12" (CSV line, XLSX row, JSON item number).')
    field: str | None
    message: str


class RowErrorPage(BaseModel):
    items: list[RowErrorOut]
    next_cursor: str | None


class ImportMappingOut(BaseModel):
    id: uuid.UUID
    headers: list[str]
    mapping: dict[str, str]
    updated_at: datetime


class FilePreviewOut(BaseModel):
    format: ImportFormat
    headers: list[str]
    mapping: dict[str, str] = Field(description="Saved for these headers, else suggested.")
    saved_mapping_id: uuid.UUID | None
    missing: list[str] = Field(description="Required fields the mapping does not fill.")
    rows: list[dict[str, str]] = Field(description="The first rows as read.")
