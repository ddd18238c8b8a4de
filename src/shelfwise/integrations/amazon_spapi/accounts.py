"""An Amazon marketplace account as an SP-API connection: its LWA credentials from the vault.

The credential (kind `amazon_spapi`) holds `refresh_token`, `lwa_app_id` and
`lwa_client_secret`, as Seller Central and the developer console name them. What is missing or
wrong is an `AccountDisconnectedError` naming the fix, so the account shows it to the seller.
"""

from sqlalchemy.orm import Session

from shelfwise.catalog.marketplaces import marketplace
from shelfwise.catalog.models import MarketplaceAccount, Platform
from shelfwise.integrations.amazon_spapi.client import SpApiConnection
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.vault.repository import CredentialRepository
from shelfwise.vault.service import VaultService

CREDENTIAL_KIND = "amazon_spapi"
SECRET_FIELDS = ("refresh_token", "lwa_app_id", "lwa_client_secret")


def spapi_connection(
    session: Session, vault: VaultService, account: MarketplaceAccount
) -> SpApiConnection:
    found = marketplace(account.marketplace)
    if account.platform is not Platform.AMAZON or found is None or not found.region:
        raise AccountDisconnectedError(f"{account.marketplace} is not an Amazon marketplace.")
    if not account.seller_id:
        raise AccountDisconnectedError(
            "The account has no seller id (Merchant Token): set it to connect the account."
        )
    if account.credential_id is None:
        raise AccountDisconnectedError("The account has no credentials: add its LWA credentials.")
    credential = CredentialRepository(session, account.organization_id).get(account.credential_id)
    if credential is None:
        raise AccountDisconnectedError("The account's credentials were deleted: add new ones.")
    secrets = vault.reveal(session, credential)
    missing = [name for name in SECRET_FIELDS if not secrets.get(name)]
    if missing:
        raise AccountDisconnectedError(
            f'The credential "{credential.name}" lacks {", ".join(missing)}: an SP-API'
            f" credential holds {', '.join(SECRET_FIELDS)}."
        )
    assert found.amazon_marketplace_id is not None  # every Amazon marketplace has one
    return SpApiConnection(
        organization_id=account.organization_id,
        credential_id=credential.id,
        seller_id=account.seller_id,
        marketplace_id=found.amazon_marketplace_id,
        region=found.region,
        refresh_token=secrets["refresh_token"],
        client_id=secrets["lwa_app_id"],
        client_secret=secrets["lwa_client_secret"],
    )
