"""Operation handlers, one module per API; each maps operation ids to functions of the state."""

from collections.abc import Callable

from tests.fakes.spapi.requests import Answer, SpapiRequest
from tests.fakes.spapi.state import MarketplaceState

Handler = Callable[[SpapiRequest, MarketplaceState], Answer]
