"""Request and response bodies of the accounts API."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shelfwise.accounts.models import Role

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TotpCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(StrictBody):
    email: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    totp_code: TotpCode | None = None


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str


class RefreshRequest(StrictBody):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class OrganizationOut(BaseModel):
    id: uuid.UUID
    name: str
    role: Role


class MeResponse(BaseModel):
    user_id: uuid.UUID | None
    email: str | None
    is_totp_enabled: bool
    organization_id: uuid.UUID
    role: Role
    organizations: list[OrganizationOut]


class OrganizationCreate(StrictBody):
    name: Name


class MemberCreate(StrictBody):
    email: Email
    role: Role


class MemberUpdate(StrictBody):
    role: Role


class MemberOut(BaseModel):
    user_id: uuid.UUID
    email: str
    role: Role
    joined_at: datetime


class ApiKeyCreate(StrictBody):
    name: Name
    role: Role = Role.VIEWER


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The full key; shown only in this response.")


class TotpEnrolment(BaseModel):
    secret: str
    otpauth_uri: str


class TotpCodeRequest(StrictBody):
    code: TotpCode
