"""Vault queries: credentials and the organization's wrapped data key."""

from sqlalchemy import select

from shelfwise.platform.repository import TenantRepository
from shelfwise.vault.models import Credential, OrganizationKey


class CredentialRepository(TenantRepository[Credential]):
    model = Credential

    def all(self) -> list[Credential]:
        return list(
            self.session.scalars(self.select().order_by(Credential.created_at, Credential.id))
        )

    def by_name(self, name: str) -> Credential | None:
        return self.session.scalar(self.select().where(Credential.name == name))


class OrganizationKeyRepository(TenantRepository[OrganizationKey]):
    model = OrganizationKey

    def current(self) -> OrganizationKey | None:
        return self.session.scalar(self.select())

    def current_for_update(self) -> OrganizationKey | None:
        return self.session.scalar(self.select().with_for_update())

    def wrapped_by_other_than(self, kek_id: str) -> bool:
        statement = self.scoped(select(OrganizationKey.id).where(OrganizationKey.kek_id != kek_id))
        return self.session.scalar(statement) is not None
