"""GetItems and SearchItems for one associate, on Amazon's Creators API SDK.

The SDK builds each request and its models read the answers; the orchestrator sends them (see
transport.py). This class adds what neither does: the answer split into the items that match
the model and the ASINs Amazon named in its partial errors, and what an authorization failure
means. A 401 is first taken as an access token that expired early (a new one is exchanged and
the call repeated once); credentials the token service refuses are `AccountDisconnectedError`.
"""

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pydantic
from creatorsapi_python_sdk.api.default_api import DefaultApi
from creatorsapi_python_sdk.api_client import ApiClient
from creatorsapi_python_sdk.configuration import Configuration
from creatorsapi_python_sdk.models.error_data import ErrorData
from creatorsapi_python_sdk.models.get_items_request_content import GetItemsRequestContent
from creatorsapi_python_sdk.models.item import Item
from creatorsapi_python_sdk.models.search_items_request_content import (
    SearchItemsRequestContent,
)

from shelfwise.integrations.creators.schemas import (
    DEFAULT_ENDPOINT,
    MAX_ITEMS_PER_CALL,
    RESOURCES,
    TOKEN_URLS,
    CreatorsConfig,
)
from shelfwise.integrations.creators.transport import (
    Answer,
    CallOwner,
    CreatorsTokens,
    OrchestratedRest,
)
from shelfwise.integrations.errors import AccountDisconnectedError, VendorRejectedError
from shelfwise.integrations.http import UsagePlan, VendorCaller
from shelfwise.platform.errors import InvalidInputError

_Request = TypeVar("_Request", GetItemsRequestContent, SearchItemsRequestContent)


@dataclass(frozen=True)
class CreatorsConnection:
    """One associate's credential (from the vault) and whose quota its calls spend."""

    organization_id: uuid.UUID
    credential_id: uuid.UUID  # the vault credential's id (the rate-limit bucket's key)
    config: CreatorsConfig


@dataclass
class ItemsAnswer:
    """One GetItems or SearchItems answer: the items that match the SDK's model, Amazon's
    partial errors, and the items that did not match (ASIN or position, and why)."""

    items: list[Item] = field(default_factory=list)
    errors: list[ErrorData] = field(default_factory=list)
    malformed: list[tuple[str, str]] = field(default_factory=list)


class CreatorsClient:
    def __init__(
        self,
        connection: CreatorsConnection,
        caller: VendorCaller,
        *,
        endpoint: str | None = None,
        token_url: str | None = None,
        plan: UsagePlan | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        settings = caller.settings
        config = connection.config
        self.connection = connection
        owner = CallOwner(connection.organization_id, connection.credential_id)
        timeout = settings.vendor_timeout.total_seconds()
        plan = plan or UsagePlan(settings.creators_rate_per_second, settings.creators_burst)
        self.tokens = CreatorsTokens(
            caller,
            owner,
            token_url or settings.creators_token_url or TOKEN_URLS[config.version],
            {
                "grant_type": "client_credentials",
                "client_id": config.credential_id,
                "client_secret": config.credential_secret.get_secret_value(),
                "scope": "creatorsapi::default"
                if config.uses_login_with_amazon
                else "creatorsapi/default",
            },
            as_json=config.uses_login_with_amazon,
            timeout=timeout,
            clock=clock,
        )
        # A configuration of its own: the SDK's default one is shared by the whole process.
        api_client = ApiClient(
            configuration=Configuration(),
            credential_id=config.credential_id,
            credential_secret=config.credential_secret.get_secret_value(),
            version=config.version,
            host=(endpoint or settings.creators_endpoint or DEFAULT_ENDPOINT).rstrip("/"),
        )
        # The SDK's two seams take any object with their methods (duck typing, not subclasses).
        api_client.rest_client = OrchestratedRest(caller, owner, plan, timeout)  # type: ignore[assignment]
        api_client._token_manager = self.tokens  # type: ignore[assignment]
        self._api = DefaultApi(api_client)

    def get_items(self, asins: Sequence[str], locale: str) -> ItemsAnswer:
        """GetItems for up to 10 ASINs in one storefront (`locale`, e.g. www.amazon.de); an
        answer of 404 (none of them exists) is an answer without items."""
        if not 1 <= len(asins) <= MAX_ITEMS_PER_CALL:
            raise ValueError(f"GetItems takes 1 to {MAX_ITEMS_PER_CALL} ASINs, not {len(asins)}")
        request = _request(
            GetItemsRequestContent,
            "GetItems",
            {
                "partnerTag": self.connection.config.partner_tag,
                "itemIds": list(asins),
                "resources": list(RESOURCES),
            },
        )
        answer = self._send(
            "GetItems",
            self._api.get_items_without_preload_content,
            x_marketplace=locale,
            get_items_request_content=request,
        )
        if answer is None:
            return ItemsAnswer()
        result = _envelope(answer, "itemsResult", "GetItems")
        return _read_items(result, answer.document, "GetItems")

    def search_items(
        self,
        keywords: str,
        locale: str,
        *,
        item_count: int = 10,
        item_page: int = 1,
        search_index: str | None = None,
    ) -> ItemsAnswer:
        """SearchItems by keywords (up to 10 items a page, 10 pages); no result is no items."""
        body: dict[str, Any] = {
            "partnerTag": self.connection.config.partner_tag,
            "keywords": keywords,
            "itemCount": item_count,
            "itemPage": item_page,
            "resources": list(RESOURCES),
        }
        if search_index is not None:
            body["searchIndex"] = search_index
        request = _request(SearchItemsRequestContent, "SearchItems", body)
        answer = self._send(
            "SearchItems",
            self._api.search_items_without_preload_content,
            x_marketplace=locale,
            search_items_request_content=request,
        )
        if answer is None:
            return ItemsAnswer()
        result = _envelope(answer, "searchResult", "SearchItems")
        return _read_items(result, answer.document, "SearchItems")

    def _send(self, operation: str, method: Callable[..., Any], **arguments: Any) -> Answer | None:
        """The answer of one call, None for a 404; a 401 is retried once with a new token."""
        for attempt in (1, 2):
            try:
                answer = method(**arguments)
            except VendorRejectedError as refused:
                if refused.vendor_status == 404:
                    return None
                if refused.vendor_status != 401:
                    raise
                if attempt == 2:
                    raise AccountDisconnectedError(
                        f"The Creators API refused a new access token for {operation}"
                        f" ({refused.vendor_reason}): check the credential in Associates Central."
                    ) from None
                self.tokens.clear_token()
                continue
            if not isinstance(answer, Answer):  # the SDK's seam changed under us
                raise TypeError(f"the SDK returned {type(answer).__name__}, not our Answer")
            return answer
        raise AssertionError("unreachable: the loop returns or raises")


def _request(model: type[_Request], operation: str, body: dict[str, Any]) -> _Request:
    """The SDK's request model of `body`; what it refuses, Amazon would refuse too."""
    try:
        return model.model_validate(body)
    except pydantic.ValidationError as invalid:
        raise InvalidInputError(
            f"The Creators API would refuse this {operation} request ({_first(invalid)}).",
            [
                {"field": ".".join(str(part) for part in problem["loc"]), "message": problem["msg"]}
                for problem in invalid.errors()
            ],
        ) from None


def _envelope(answer: Answer, result_key: str, operation: str) -> dict[str, Any]:
    document = answer.document
    if not isinstance(document, dict):
        raise VendorRejectedError(
            f"The Creators API answered {operation} with a non-object document.", 502
        )
    result = document.get(result_key)
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise VendorRejectedError(
            f"The Creators API answered {operation} with a malformed {result_key}.", 502
        )
    return result


def _read_items(result: dict[str, Any], document: dict[str, Any], operation: str) -> ItemsAnswer:
    """Each item and error checked against the SDK's model on its own, so one malformed item
    costs only its ASIN."""
    answer = ItemsAnswer()
    errors = document.get("errors")
    items = result.get("items")
    errors = [] if errors is None else errors
    items = [] if items is None else items
    if not isinstance(errors, list) or not isinstance(items, list):
        raise VendorRejectedError(
            f"The Creators API answered {operation} with items or errors not in a list.", 502
        )
    for raw in errors:
        try:
            answer.errors.append(ErrorData.model_validate(raw))
        except pydantic.ValidationError as invalid:
            raise VendorRejectedError(
                f"The Creators API answered {operation} with a malformed error: {_first(invalid)}",
                502,
            ) from None
    for position, raw in enumerate(items):
        try:
            answer.items.append(Item.model_validate(raw))
        except pydantic.ValidationError as invalid:
            asin = raw.get("asin") if isinstance(raw, dict) else None
            where = asin if isinstance(asin, str) else f"item {position + 1}"
            answer.malformed.append((where, _first(invalid)))
    return answer


def _first(invalid: pydantic.ValidationError) -> str:
    """The first problem of a validation error, as `field.path: message`."""
    problem = invalid.errors()[0]
    path = ".".join(str(part) for part in problem["loc"])
    return f"{path}: {problem['msg']}"
