"""An organization's Creators API credential from the vault, as a ready `CreatorsItems`.

The credential (kind `amazon_creators`) holds `credential_id`, `credential_secret`, `version`
and `partner_tag` as Associates Central names them, and optionally `marketplace` (the default
storefront of searches). What is missing or wrong is an `AccountDisconnectedError` naming the
fix.
"""

import uuid

import pydantic
from sqlalchemy.orm import Session

from shelfwise.integrations.creators.client import CreatorsClient, CreatorsConnection
from shelfwise.integrations.creators.schemas import CREDENTIAL_KIND, SECRET_FIELDS, CreatorsConfig
from shelfwise.integrations.creators.service import CreatorsItems
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.integrations.http import VendorCaller
from shelfwise.vault.repository import CredentialRepository
from shelfwise.vault.service import VaultService


def creators_connection(
    session: Session, vault: VaultService, organization_id: uuid.UUID, credential_id: uuid.UUID
) -> CreatorsConnection:
    credential = CredentialRepository(session, organization_id).get(credential_id)
    if credential is None:
        raise AccountDisconnectedError("The Creators API credential was deleted: add a new one.")
    if credential.kind != CREDENTIAL_KIND:
        raise AccountDisconnectedError(
            f'The credential "{credential.name}" is of kind {credential.kind}, not'
            f" {CREDENTIAL_KIND}."
        )
    secrets = vault.reveal(session, credential)
    missing = [name for name in SECRET_FIELDS if not secrets.get(name)]
    if missing:
        raise AccountDisconnectedError(
            f'The credential "{credential.name}" lacks {", ".join(missing)}: a Creators API'
            f" credential holds {', '.join(SECRET_FIELDS)}."
        )
    try:
        config = CreatorsConfig.model_validate(secrets)
    except pydantic.ValidationError as invalid:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in invalid.errors()
        )
        raise AccountDisconnectedError(
            f'The credential "{credential.name}" is not a valid Creators API credential'
            f" ({problems})."
        ) from None
    return CreatorsConnection(organization_id, credential.id, config)


def creators_items(
    session: Session,
    vault: VaultService,
    organization_id: uuid.UUID,
    credential_id: uuid.UUID,
    caller: VendorCaller,
) -> CreatorsItems:
    """The organization's Creators API item source (endpoints and plan from the settings)."""
    connection = creators_connection(session, vault, organization_id, credential_id)
    return CreatorsItems(CreatorsClient(connection, caller))


def creators_credential_id(session: Session, organization_id: uuid.UUID) -> uuid.UUID | None:
    """The organization's oldest `amazon_creators` credential, when it has one."""
    for credential in CredentialRepository(session, organization_id).all():
        if credential.kind == CREDENTIAL_KIND:
            return credential.id
    return None
