"""An organization's model provider from the vault, as a ready `ChatClient` (or None)."""

import uuid

import pydantic
from sqlalchemy.orm import Session

from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.llm.client import ChatClient, LLMConnection
from shelfwise.integrations.llm.errors import ModelCredentialError
from shelfwise.integrations.llm.schemas import CREDENTIAL_KIND, LLMConfig
from shelfwise.platform.settings import Settings
from shelfwise.vault.repository import CredentialRepository
from shelfwise.vault.service import VaultService


def llm_connection(
    session: Session, vault: VaultService, organization_id: uuid.UUID
) -> LLMConnection | None:
    """The organization's oldest `llm` credential, or None when it configured no model."""
    for credential in CredentialRepository(session, organization_id).all():
        if credential.kind != CREDENTIAL_KIND:
            continue
        secrets = vault.reveal(session, credential)
        try:
            config = LLMConfig.model_validate(secrets)
        except pydantic.ValidationError as invalid:
            # Field names and messages only: a secret's value never enters an error (D1).
            problems = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
                for problem in invalid.errors(include_input=False)
            )
            raise ModelCredentialError(
                f'The credential "{credential.name}" is not a valid llm credential ({problems});'
                " it holds base_url, model and optionally api_key."
            ) from None
        return LLMConnection(organization_id, credential.id, config)
    return None


def chat_client(connection: LLMConnection, caller: VendorCaller, settings: Settings) -> ChatClient:
    return ChatClient(
        connection,
        caller,
        timeout=settings.llm_timeout.total_seconds(),
        allow_private_hosts=settings.llm_allow_private_hosts,
    )
