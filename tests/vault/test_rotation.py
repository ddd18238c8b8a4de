"""Key-encryption key rotation, interrupted and rerun, through the service and the CLI (D3).

Rotation rewraps every organization's data key, so these tests use a database of their own.
"""

import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from typer.testing import CliRunner

from shelfwise.accounts import totp
from shelfwise.accounts.models import Role
from shelfwise.accounts.principal import Principal
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.cli import app as cli
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings, get_settings
from shelfwise.platform.vault import (
    KeyRing,
    VaultError,
    generate_key,
    key_file_path,
    key_id,
    load_key_ring,
    read_key_file,
    write_key_file,
)
from shelfwise.vault.repository import CredentialRepository, OrganizationKeyRepository
from shelfwise.vault.service import RotationReport, VaultService
from tests.databases import database_settings, sqlite_settings
from tests.factories import PASSWORD, unique


class RotationInterrupted(Exception):
    """The fault injected half-way through a rotation."""


@dataclass(frozen=True)
class KeyRingFailingAfter(KeyRing):
    """A key ring whose `wrap` works `allowed_wraps` times, then fails like a crash would."""

    allowed_wraps: int = 1
    wraps: list[bytes] = field(default_factory=list)

    def wrap(self, data_key: bytes, binding: bytes) -> tuple[bytes, str]:
        if len(self.wraps) >= self.allowed_wraps:
            raise RotationInterrupted
        self.wraps.append(binding)
        return super().wrap(data_key, binding)


@dataclass
class Installation:
    """Organizations with credentials, one without any, and a user with TOTP enabled."""

    secrets: dict[tuple[uuid.UUID, uuid.UUID], dict[str, str]]  # (organization, credential)
    organization_ids: list[uuid.UUID]
    totp_user_id: uuid.UUID
    totp_secret: str


def populate(context: AppContext, organizations_with_credentials: int) -> Installation:
    secrets: dict[tuple[uuid.UUID, uuid.UUID], dict[str, str]] = {}
    organization_ids = []
    user_id = uuid.UUID(int=0)
    for index in range(organizations_with_credentials + 1):
        with context.database.unit_of_work() as session:
            user = context.accounts.create_user(session, f"{unique('owner')}@example.com", PASSWORD)
            organization = context.accounts.create_organization(session, f"Org {index}", user)
            user_id, organization_id = user.id, organization.id
        organization_ids.append(organization_id)
        if index == organizations_with_credentials:
            break  # the last organization has no credential, hence no data key
        principal = Principal(organization_id, Role.OWNER, user_id=user_id)
        with context.database.unit_of_work(organization_id=organization_id) as session:
            for number in range(2):
                values = {"client_secret": f"secret-{index}-{number}-{uuid.uuid4().hex}"}
                credential = context.vault.create(
                    session, principal, f"credential {number}", "amazon_spapi", values
                )
                secrets[(organization_id, credential.id)] = values
    with context.database.unit_of_work() as session:
        totp_secret, _uri = context.accounts.begin_totp_enrolment(session, user_id)
        context.accounts.confirm_totp(session, user_id, pyotp.TOTP(totp_secret).now())
    return Installation(secrets, organization_ids, user_id, totp_secret)


def revealed(
    context: AppContext, vault: VaultService, installation: Installation
) -> dict[tuple[uuid.UUID, uuid.UUID], dict[str, str]]:
    found = {}
    for organization_id, credential_id in installation.secrets:
        with context.database.unit_of_work(organization_id=organization_id) as session:
            credential = CredentialRepository(session, organization_id).get(credential_id)
            assert credential is not None
            found[(organization_id, credential_id)] = vault.reveal(session, credential)
    return found


def kek_ids(context: AppContext, installation: Installation) -> dict[uuid.UUID, str | None]:
    """The KEK id wrapping each organization's data key (None: the organization has none)."""
    result: dict[uuid.UUID, str | None] = {}
    for organization_id in installation.organization_ids:
        with context.database.unit_of_work(organization_id=organization_id) as session:
            row = OrganizationKeyRepository(session, organization_id).current()
            result[organization_id] = row.kek_id if row is not None else None
    return result


def totp_secret_opens(context: AppContext, ring: KeyRing, installation: Installation) -> str:
    with context.database.unit_of_work(write=False) as session:
        user = AccountsRepository(session).user_by_id(installation.totp_user_id)
        assert user is not None and user.totp_secret_sealed is not None
        return totp.open_secret(ring, user.id, user.totp_secret_sealed)


def add_new_key(settings: Settings) -> tuple[KeyRing, KeyRing]:
    """(old ring, new ring): a new key goes in front of the key file."""
    path = key_file_path(settings)
    old_keys = read_key_file(path)
    write_key_file(path, [generate_key(), *old_keys])
    return KeyRing(tuple(old_keys)), load_key_ring(settings, create=False)


@pytest.fixture
def own_context(backend: str, tmp_path: Path) -> Iterator[AppContext]:
    with database_settings(backend, tmp_path / "data") as settings:
        context = AppContext.build(settings)
        try:
            yield context
        finally:
            context.database.dispose()


def test_d3_rotation_interrupted_half_way_and_rerun_keeps_every_secret(
    own_context: AppContext,
) -> None:
    context = own_context
    installation = populate(context, organizations_with_credentials=3)
    old_ring, new_ring = add_new_key(context.settings)
    old_id, new_id = old_ring.current_id, new_ring.current_id
    assert new_ring.keys[1:] == old_ring.keys
    assert context.vault.keys_in_use(context.database) == {old_id}

    failing_ring = KeyRingFailingAfter(new_ring.keys, allowed_wraps=1)
    with pytest.raises(RotationInterrupted):
        VaultService(failing_ring).rotate(context.database)

    wrapped_by = kek_ids(context, installation)
    first = min(installation.organization_ids[:3])  # rotation walks organizations by id
    assert wrapped_by == {
        organization_id: (new_id if organization_id == first else old_id)
        for organization_id in installation.organization_ids[:3]
    } | {installation.organization_ids[3]: None}
    new_vault = VaultService(new_ring)
    assert revealed(context, new_vault, installation) == installation.secrets
    assert totp_secret_opens(context, new_ring, installation) == installation.totp_secret
    assert new_vault.keys_in_use(context.database) == {old_id, new_id}
    with pytest.raises(VaultError):  # the first organization really moved to the new key
        revealed(context, VaultService(old_ring), installation)

    report = new_vault.rotate(context.database)

    assert report == RotationReport(organizations=4, rewrapped=2, user_secrets_rewrapped=1)
    assert kek_ids(context, installation) == {
        organization_id: new_id for organization_id in installation.organization_ids[:3]
    } | {installation.organization_ids[3]: None}
    assert new_vault.keys_in_use(context.database) == {new_id}
    only_new = KeyRing((new_ring.current,))
    assert revealed(context, VaultService(only_new), installation) == installation.secrets
    assert totp_secret_opens(context, only_new, installation) == installation.totp_secret
    assert new_vault.rotate(context.database) == RotationReport(4, 0, 0)


@pytest.fixture
def cli_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A SQLite data dir that `shelfwise` commands find through the environment."""
    data_dir = tmp_path / "data"
    for name in list(os.environ):
        if name.startswith("SHELFWISE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    monkeypatch.setenv("SHELFWISE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SHELFWISE_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("SHELFWISE_LOG_JSON", "false")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    get_settings.cache_clear()
    try:
        yield data_dir
    finally:
        get_settings.cache_clear()
        root.handlers[:] = handlers  # the CLI configures logging for its own process
        root.setLevel(level)


def test_d3_cli_rotate_key_rewraps_everything_and_reruns_cleanly(cli_environment: Path) -> None:
    with sqlite_settings(cli_environment) as settings:
        context = AppContext.build(settings)
        installation = populate(context, organizations_with_credentials=2)
        context.database.dispose()
    path = key_file_path(settings)
    old_keys = read_key_file(path)
    runner = CliRunner()

    result = runner.invoke(cli, ["vault", "rotate-key"])

    assert result.exit_code == 0, result.output
    keys = read_key_file(path)
    assert keys[1:] == old_keys and len(keys) == 2
    assert path.stat().st_mode & 0o777 == 0o600
    new_id = key_id(keys[0])
    assert result.output == (
        f"rewrapped 2 of 3 organization keys and 1 two-factor secrets under key {new_id}\n"
    )
    context = AppContext.build(settings)
    try:
        assert context.key_ring.current_id == new_id
        assert revealed(context, context.vault, installation) == installation.secrets
        assert totp_secret_opens(context, context.key_ring, installation) == (
            installation.totp_secret
        )
        assert context.vault.keys_in_use(context.database) == {new_id}
    finally:
        context.database.dispose()

    rerun = runner.invoke(cli, ["vault", "rotate-key", "--no-generate"])
    assert rerun.exit_code == 0, rerun.output
    assert rerun.output == (
        f"rewrapped 0 of 3 organization keys and 0 two-factor secrets under key {new_id}\n"
    )

    pruned = runner.invoke(cli, ["vault", "prune-keys"])
    assert pruned.exit_code == 0, pruned.output
    assert pruned.output == "kept only the current key\n"
    assert read_key_file(path) == [keys[0]]
    context = AppContext.build(settings)
    try:
        assert revealed(context, context.vault, installation) == installation.secrets
    finally:
        context.database.dispose()
