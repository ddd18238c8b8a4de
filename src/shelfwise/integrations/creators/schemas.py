"""A Creators API credential as the vault holds it, and what the API is asked for.

Amazon issues each associate a credential id and secret for one credential version, which
names the region and the token service (2.x: Cognito, 3.x: Login with Amazon). The vault keeps
them (kind `amazon_creators`) with the associate's partner tag, as plain strings; this model is
their typed form.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from shelfwise.catalog.marketplaces import marketplace
from shelfwise.catalog.models import Platform

CREDENTIAL_KIND = "amazon_creators"
SECRET_FIELDS = ("credential_id", "credential_secret", "version", "partner_tag")

CredentialVersion = Literal["2.1", "2.2", "2.3", "3.1", "3.2", "3.3"]
TOKEN_URLS: dict[str, str] = {
    "2.1": "https://creatorsapi.auth.us-east-1.amazoncognito.com/oauth2/token",
    "2.2": "https://creatorsapi.auth.eu-south-2.amazoncognito.com/oauth2/token",
    "2.3": "https://creatorsapi.auth.us-west-2.amazoncognito.com/oauth2/token",
    "3.1": "https://api.amazon.com/auth/o2/token",
    "3.2": "https://api.amazon.co.uk/auth/o2/token",
    "3.3": "https://api.amazon.co.jp/auth/o2/token",
}
DEFAULT_ENDPOINT = "https://creatorsapi.amazon"
DEMO_LOCALE = "www.amazon.com"  # the demo marketplace answers like amazon.com

# What every GetItems and SearchItems asks for: only what `AmazonItem` is made of, since each
# resource costs Amazon work and the answer's size.
RESOURCES = (
    "browseNodeInfo.browseNodes",
    "browseNodeInfo.browseNodes.salesRank",
    "browseNodeInfo.websiteSalesRank",
    "customerReviews.count",
    "customerReviews.starRating",
    "images.primary.large",
    "images.variants.large",
    "itemInfo.byLineInfo",
    "itemInfo.features",
    "itemInfo.title",
    "offersV2.listings.availability",
    "offersV2.listings.dealDetails",
    "offersV2.listings.isBuyBoxWinner",
    "offersV2.listings.price",
    "offersV2.listings.type",
)
MAX_ITEMS_PER_CALL = 10  # GetItemsRequestContent.itemIds maxItems


class CreatorsConfig(BaseModel):
    """One associate's Creators API credential (vault kind `amazon_creators`)."""

    model_config = ConfigDict(frozen=True)

    credential_id: str = Field(min_length=1)
    credential_secret: SecretStr = Field(min_length=1)
    version: CredentialVersion
    partner_tag: str = Field(min_length=1, max_length=64)  # e.g. "mystore-20"
    marketplace: str = "amazon.com"  # the default storefront of searches

    @property
    def uses_login_with_amazon(self) -> bool:
        """3.x credentials exchange at Login with Amazon (JSON body), 2.x at Cognito (form)."""
        return self.version.startswith("3.")


def locale_of(marketplace_code: str) -> str:
    """The `x-marketplace` header for a Shelfwise marketplace code, e.g. www.amazon.de."""
    found = marketplace(marketplace_code)
    if found is not None and found.platform is Platform.DEMO:
        return DEMO_LOCALE
    if found is None or found.platform is not Platform.AMAZON:
        raise ValueError(f"{marketplace_code} is not an Amazon marketplace.")
    return f"www.{found.code}"
