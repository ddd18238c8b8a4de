"""Tokens 2021-03-01: createRestrictedDataToken.

A restricted data token is an access token scoped to restricted operations; the fake issues one
through LWA so it authorizes like any other token of the same selling partner.
"""

from collections.abc import Callable

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.requests import Answer, SpapiRequest
from tests.fakes.spapi.state import MarketplaceState

MODEL = "tokens_2021-03-01"


def tokens_handlers(issue_restricted_token: Callable[[str], tuple[str, int]]) -> dict[str, Handler]:
    """The handlers, given how to mint a token for a selling partner (the fake's LWA)."""

    def create_restricted_data_token(request: SpapiRequest, state: MarketplaceState) -> Answer:
        token, expires_in = issue_restricted_token(request.selling_partner_id)
        return Answer(200, {"restrictedDataToken": token, "expiresIn": expires_in})

    return {"createRestrictedDataToken": create_restricted_data_token}
