"""Sealed credentials are bound to their organization and row (D2)."""

import uuid

import pytest
from fastapi.testclient import TestClient

from shelfwise.platform.context import AppContext
from shelfwise.platform.vault import VaultError
from shelfwise.vault.repository import CredentialRepository
from tests.factories import Tenant, create_credential


def sealed_of(context: AppContext, tenant: Tenant, credential_id: str) -> bytes:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        credential = CredentialRepository(session, tenant.organization_id).get(
            uuid.UUID(credential_id)
        )
        assert credential is not None
        return credential.sealed


def overwrite_sealed(
    context: AppContext, tenant: Tenant, credential_id: str, sealed: bytes
) -> None:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        credential = CredentialRepository(session, tenant.organization_id).get(
            uuid.UUID(credential_id)
        )
        assert credential is not None
        credential.sealed = sealed


def reveal(context: AppContext, tenant: Tenant, credential_id: str) -> dict[str, str]:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        credential = CredentialRepository(session, tenant.organization_id).get(
            uuid.UUID(credential_id)
        )
        assert credential is not None
        return context.vault.reveal(session, credential)


def test_d2_sealed_bytes_copied_to_another_credential_of_the_same_organization_do_not_open(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    source = create_credential(client, tenant, secrets={"client_secret": "source-secret-value"})
    target = create_credential(client, tenant, secrets={"client_secret": "target-secret-value"})

    overwrite_sealed(context, tenant, target["id"], sealed_of(context, tenant, source["id"]))

    with pytest.raises(VaultError):
        reveal(context, tenant, target["id"])
    assert reveal(context, tenant, source["id"]) == {"client_secret": "source-secret-value"}


def test_d2_sealed_bytes_copied_to_another_organization_do_not_open(
    client: TestClient, context: AppContext, tenant: Tenant, other_tenant: Tenant
) -> None:
    source = create_credential(client, tenant, secrets={"client_secret": "source-secret-value"})
    target = create_credential(
        client, other_tenant, secrets={"client_secret": "target-secret-value"}
    )

    overwrite_sealed(context, other_tenant, target["id"], sealed_of(context, tenant, source["id"]))

    with pytest.raises(VaultError):
        reveal(context, other_tenant, target["id"])
    assert reveal(context, tenant, source["id"]) == {"client_secret": "source-secret-value"}


@pytest.mark.parametrize(
    "position",
    [0, 11, 12, -17, -1],
    ids=["nonce-first", "nonce-last", "ciphertext-first", "ciphertext-last", "tag-last"],
)
def test_d2_one_tampered_byte_does_not_open(
    client: TestClient, context: AppContext, tenant: Tenant, position: int
) -> None:
    credential = create_credential(client, tenant, secrets={"client_secret": "secret-value"})
    sealed = bytearray(sealed_of(context, tenant, credential["id"]))
    sealed[position] ^= 0x01

    overwrite_sealed(context, tenant, credential["id"], bytes(sealed))

    with pytest.raises(VaultError):
        reveal(context, tenant, credential["id"])


def test_d2_truncated_sealed_value_does_not_open(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    credential = create_credential(client, tenant, secrets={"client_secret": "secret-value"})
    sealed = sealed_of(context, tenant, credential["id"])

    overwrite_sealed(context, tenant, credential["id"], sealed[:20])

    with pytest.raises(VaultError, match="truncated"):
        reveal(context, tenant, credential["id"])
