"""The authenticated caller of a request: an organization, a role, and who."""

import uuid
from dataclasses import dataclass

from shelfwise.accounts.models import Role
from shelfwise.platform.actor import Actor
from shelfwise.platform.errors import PermissionDeniedError


@dataclass(frozen=True)
class Principal:
    organization_id: uuid.UUID
    role: Role
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None

    @property
    def actor(self) -> Actor:
        if self.api_key_id is not None:
            return Actor("api_key", str(self.api_key_id))
        return Actor("user", str(self.user_id))

    def require(self, role: Role) -> None:
        if not self.role.at_least(role):
            raise PermissionDeniedError(f"This action needs the {role.value} role or higher.")
