"""Sealing and opening credentials, and rotating the key-encryption key (D1-D3).

The organization's data key is created on first use, wrapped by the current KEK and bound to
`org|<organization_id>`; a secret is sealed with the data key and bound to
`<organization_id>|<credential_id>`.
"""

import uuid
from dataclasses import dataclass

import orjson
from sqlalchemy.orm import Session

from shelfwise.accounts import totp
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.audit.service import ActsForOrganization, audit
from shelfwise.platform.db import Database
from shelfwise.platform.errors import ConflictError, NotFoundError
from shelfwise.platform.ids import new_id
from shelfwise.platform.types import utcnow
from shelfwise.platform.vault import KeyRing, generate_key, open_sealed, seal
from shelfwise.vault.models import Credential, OrganizationKey
from shelfwise.vault.repository import CredentialRepository, OrganizationKeyRepository

HIDDEN = "••••"


def mask(value: str) -> str:
    """Long secrets show their last four characters (to tell keys apart); short ones nothing."""
    return HIDDEN + value[-4:] if len(value) >= 16 else HIDDEN


def data_key_binding(organization_id: uuid.UUID) -> bytes:
    return f"org|{organization_id}".encode()


def credential_binding(organization_id: uuid.UUID, credential_id: uuid.UUID) -> bytes:
    return f"{organization_id}|{credential_id}".encode()


@dataclass(frozen=True)
class RotationReport:
    organizations: int
    rewrapped: int
    user_secrets_rewrapped: int


class VaultService:
    def __init__(self, key_ring: KeyRing) -> None:
        self.key_ring = key_ring

    def _data_key(self, session: Session, organization_id: uuid.UUID) -> bytes:
        repository = OrganizationKeyRepository(session, organization_id)
        row = repository.current()
        binding = data_key_binding(organization_id)
        if row is None:
            data_key = generate_key()
            wrapped, kek_id = self.key_ring.wrap(data_key, binding)
            repository.add(OrganizationKey(wrapped_key=wrapped, kek_id=kek_id))
            return data_key
        return self.key_ring.unwrap(row.wrapped_key, row.kek_id, binding)

    def _seal(self, session: Session, credential: Credential, secrets: dict[str, str]) -> None:
        data_key = self._data_key(session, credential.organization_id)
        plaintext = orjson.dumps(secrets)
        credential.sealed = seal(
            data_key, plaintext, credential_binding(credential.organization_id, credential.id)
        )
        credential.masked = orjson.dumps(
            {field: mask(value) for field, value in sorted(secrets.items())}
        ).decode()

    def create(
        self,
        session: Session,
        who: ActsForOrganization,
        name: str,
        kind: str,
        secrets: dict[str, str],
    ) -> Credential:
        repository = CredentialRepository(session, who.organization_id)
        if repository.by_name(name) is not None:
            raise ConflictError(f"A credential named {name!r} already exists.")
        credential = Credential(
            id=new_id(),
            organization_id=who.organization_id,
            name=name,
            kind=kind,
            created_by=who.actor.label,
        )
        self._seal(session, credential, secrets)
        repository.add(credential)
        audit(
            session,
            who,
            "credential.created",
            "credential",
            credential.id,
            after={"name": name, "kind": kind, "fields": sorted(secrets)},
        )
        return credential

    def get(
        self, session: Session, who: ActsForOrganization, credential_id: uuid.UUID
    ) -> Credential:
        credential = CredentialRepository(session, who.organization_id).get(credential_id)
        if credential is None:
            raise NotFoundError("No such credential.")
        return credential

    def replace_secrets(
        self,
        session: Session,
        who: ActsForOrganization,
        credential_id: uuid.UUID,
        secrets: dict[str, str],
    ) -> Credential:
        credential = self.get(session, who, credential_id)
        self._seal(session, credential, secrets)
        credential.updated_at = utcnow()
        session.flush()
        audit(
            session,
            who,
            "credential.rotated",
            "credential",
            credential.id,
            after={"fields": sorted(secrets)},
        )
        return credential

    def delete(self, session: Session, who: ActsForOrganization, credential_id: uuid.UUID) -> None:
        credential = self.get(session, who, credential_id)
        CredentialRepository(session, who.organization_id).delete(credential)
        audit(
            session,
            who,
            "credential.deleted",
            "credential",
            credential_id,
            before={"name": credential.name, "kind": credential.kind},
        )

    def reveal(self, session: Session, credential: Credential) -> dict[str, str]:
        """The plaintext secrets, for integrations only: never returned by the API or logged."""
        data_key = self._data_key(session, credential.organization_id)
        binding = credential_binding(credential.organization_id, credential.id)
        secrets: dict[str, str] = orjson.loads(open_sealed(data_key, credential.sealed, binding))
        return secrets

    def masked(self, credential: Credential) -> dict[str, str]:
        hints: dict[str, str] = orjson.loads(credential.masked)
        return hints

    def seal_for(
        self, session: Session, organization_id: uuid.UUID, purpose: str, plaintext: bytes
    ) -> bytes:
        """Seal other secrets with the organization's data key, bound to
        `<organization_id>|<purpose>` (e.g. `webhook-source|<id>`, never a bare credential id)."""
        data_key = self._data_key(session, organization_id)
        return seal(data_key, plaintext, f"{organization_id}|{purpose}".encode())

    def open_for(
        self, session: Session, organization_id: uuid.UUID, purpose: str, sealed: bytes
    ) -> bytes:
        data_key = self._data_key(session, organization_id)
        return open_sealed(data_key, sealed, f"{organization_id}|{purpose}".encode())

    def keys_in_use(self, database: Database) -> set[str]:
        """Ids of the key-encryption keys that still wrap an organization key or TOTP secret."""
        in_use: set[str] = set()
        with database.unit_of_work(write=False) as session:
            organization_ids = AccountsRepository(session).all_organization_ids()
            for user in AccountsRepository(session).all_users_with_totp():
                assert user.totp_secret_sealed is not None
                in_use.add(user.totp_secret_sealed[: totp.KEY_ID_BYTES].decode(errors="replace"))
        for organization_id in organization_ids:
            with database.unit_of_work(organization_id=organization_id, write=False) as session:
                row = OrganizationKeyRepository(session, organization_id).current()
                if row is not None:
                    in_use.add(row.kek_id)
        return in_use

    def rotate(self, database: Database) -> RotationReport:
        """Rewrap every organization key (and users' TOTP secrets) under the current KEK.

        Each organization commits on its own, so an interrupted rotation leaves every row wrapped
        by either the old or the new key; both stay configured, and a rerun finishes the rest.
        """
        current = self.key_ring.current_id
        with database.unit_of_work(write=False) as session:
            organization_ids = AccountsRepository(session).all_organization_ids()
        rewrapped = 0
        for organization_id in organization_ids:
            with database.unit_of_work(organization_id=organization_id) as session:
                repository = OrganizationKeyRepository(session, organization_id)
                row = repository.current_for_update()
                if row is None or row.kek_id == current:
                    continue
                binding = data_key_binding(organization_id)
                data_key = self.key_ring.unwrap(row.wrapped_key, row.kek_id, binding)
                row.wrapped_key, row.kek_id = self.key_ring.wrap(data_key, binding)
                row.rotated_at = utcnow()
                rewrapped += 1
        users = 0
        with database.unit_of_work() as session:
            for user in AccountsRepository(session).all_users_with_totp():
                sealed = user.totp_secret_sealed
                assert sealed is not None
                if sealed[: totp.KEY_ID_BYTES].decode(errors="replace") == current:
                    continue
                user.totp_secret_sealed = totp.seal_secret(
                    self.key_ring, user.id, totp.open_secret(self.key_ring, user.id, sealed)
                )
                users += 1
        return RotationReport(len(organization_ids), rewrapped, users)
