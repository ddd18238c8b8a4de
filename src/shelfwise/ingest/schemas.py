"""Bodies of the webhook API, and the product a webhook payload carries."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from shelfwise.catalog.schemas import Money, ProductCreate, StrictBody
from shelfwise.ingest.models import WebhookEventStatus

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
