"""The SP-API client of a marketplace account, for a job: credentials from the vault, calls
through the orchestrator; an account that cannot connect is marked so, and the job fails with
the reason (a permanent error: only the seller can fix it)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from shelfwise.catalog.models import MarketplaceAccount
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.integrations.amazon_spapi.accounts import spapi_connection
from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.integrations.http import VendorCaller
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import JobGone
from shelfwise.market.service import record_connection
from shelfwise.platform.vault import load_key_ring
from shelfwise.vault.service import VaultService


@contextmanager
def account_client(
    context: JobContext, organization_id: uuid.UUID, account_id: uuid.UUID
) -> Iterator[tuple[MarketplaceAccount, SellingPartnerClient]]:
    settings = context.settings
    vault = VaultService(load_key_ring(settings, create=False))
    missing: AccountDisconnectedError | None = None
    with context.unit_of_work() as session:
        account = MarketplaceAccountRepository(session, organization_id).get(account_id)
        if account is None:
            raise JobGone(f"marketplace account {account_id} was deleted")
        try:
            connection = spapi_connection(session, vault, account)
        except AccountDisconnectedError as disconnected:
            missing = disconnected
        session.expunge(account)
    if missing is not None:
        record_connection(context.database, organization_id, account_id, missing)
        raise missing
    caller = VendorCaller(settings)
    try:
        yield (
            account,
            SellingPartnerClient(
                connection,
                caller,
                endpoint=settings.spapi_endpoint,
                token_url=settings.spapi_token_url,
            ),
        )
    except AccountDisconnectedError as disconnected:
        record_connection(context.database, organization_id, account_id, disconnected)
        raise
    finally:
        caller.close()
