"""Credential bodies: secrets go in, only masked hints come out."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints

FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
SecretValue = Annotated[SecretStr, Field(min_length=1, max_length=8192)]
Secrets = Annotated[dict[FieldName, SecretValue], Field(min_length=1, max_length=20)]


class CredentialCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")] = Field(
        description="What the secret is for, e.g. amazon_spapi, keepa, openai."
    )
    secrets: Secrets = Field(description="Field name to secret value; never returned.")


class CredentialRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secrets: Secrets


class CredentialOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    masked: dict[str, str] = Field(description="Each field's masked hint, e.g. '••••9f2a'.")
    created_at: datetime
    updated_at: datetime
