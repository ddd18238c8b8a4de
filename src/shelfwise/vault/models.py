"""Vault tables: one wrapped data key per organization, and the sealed credentials."""

from datetime import datetime

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shelfwise.platform.db import Base
from shelfwise.platform.models import IdMixin, TenantMixin, TimestampMixin
from shelfwise.platform.types import UTCDateTime, utcnow


class OrganizationKey(IdMixin, TenantMixin, Base):
    """The organization's AES-256 data key, wrapped by a key-encryption key held outside the DB."""

    __tablename__ = "organization_keys"
    __table_args__ = (UniqueConstraint("organization_id"),)

    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    # Fingerprint of the key-encryption key that wrapped it; rotation rewraps row by row.
    kek_id: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Credential(IdMixin, TenantMixin, TimestampMixin, Base):
    """A secret (LWA client secret, refresh token, API key…) sealed with the organization's key."""

    __tablename__ = "credentials"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("organization_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64))
    # nonce (12 bytes) followed by AES-GCM ciphertext and tag; AAD = organization_id|credential_id.
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Non-secret field names and masked hints for display, e.g. {"refresh_token": "Atzr…9f2a"}.
    masked: Mapped[str] = mapped_column(String(2000))
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
