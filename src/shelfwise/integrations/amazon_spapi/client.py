"""The SP-API operations Shelfwise calls, on python-amazon-sp-api, for one seller account.

Each method is one operation: the library builds and parses it, the orchestrator sends it (see
transport.py), and this class adds what neither does: batching limits, paging, report download
and decompression, and what an authorization failure means. A 403 is first taken as an access
token that expired early (the token is exchanged again and the call repeated once); a grant that
LWA refuses on that exchange is `AccountDisconnectedError`; a 403 that survives a fresh token is
the app lacking a role for the operation, and says so.
"""

import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sp_api.api import (
    CatalogItems,
    Inventories,
    ListingsItems,
    Orders,
    ProductFees,
    Products,
    ProductTypeDefinitions,
    Reports,
)

from shelfwise.integrations.amazon_spapi.plans import (
    CATALOG_SEARCH_IDENTIFIERS,
    FEES_BATCH_SIZE,
    PRICING_BATCH_SIZE,
    REPORT_DOWNLOAD,
    SCHEMA_DOWNLOAD,
    plan_of,
)
from shelfwise.integrations.amazon_spapi.transport import (
    AccessTokens,
    CallOwner,
    OrchestratedTransport,
    calling,
)
from shelfwise.integrations.errors import VendorRejectedError
from shelfwise.integrations.http import VendorCaller

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"  # noqa: S105 (a URL, not a secret)
ENDPOINTS = {
    "na": ("https://sellingpartnerapi-na.amazon.com", "us-east-1"),
    "eu": ("https://sellingpartnerapi-eu.amazon.com", "eu-west-1"),
    "fe": ("https://sellingpartnerapi-fe.amazon.com", "us-west-2"),
}
MAX_REPORT_BYTES = 1 << 30  # a decompressed report document larger than this is refused


@dataclass(frozen=True)
class SpApiConnection:
    """One seller account on one marketplace, with its LWA credentials (from the vault)."""

    organization_id: uuid.UUID
    credential_id: uuid.UUID
    seller_id: str
    marketplace_id: str
    region: str  # na, eu or fe
    refresh_token: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class _Marketplace:
    """What the library reads of its `Marketplaces` enum: where to send, and which marketplace."""

    endpoint: str
    marketplace_id: str
    region: str


@dataclass(frozen=True)
class BatchAnswer:
    """One entry of a pricing batch: the identifier asked for, its status and its payload."""

    identifier: str
    status: int
    payload: dict[str, Any] | None
    error: str | None


class SellingPartnerClient:
    def __init__(
        self,
        connection: SpApiConnection,
        caller: VendorCaller,
        *,
        endpoint: str | None = None,
        token_url: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connection = connection
        self._caller = caller
        self._owner = CallOwner(connection.organization_id, connection.credential_id)
        self._transport = OrchestratedTransport(caller, self._owner)
        self.tokens = AccessTokens(
            self._transport,
            token_url or LWA_TOKEN_URL,
            {
                "grant_type": "refresh_token",
                "refresh_token": connection.refresh_token,
                "client_id": connection.client_id,
                "client_secret": connection.client_secret,
            },
            clock,
        )
        default_endpoint, aws_region = ENDPOINTS[connection.region]
        self._marketplace = _Marketplace(
            endpoint or default_endpoint, connection.marketplace_id, aws_region
        )
        self._apis: dict[tuple[type, str | None], Any] = {}

    # -- Catalog Items 2022-04-01 ----------------------------------------------------------

    def catalog_item(self, asin: str, included_data: Sequence[str]) -> dict[str, Any]:
        api = self._api(CatalogItems, "2022-04-01")
        answer = self._call(
            "getCatalogItem",
            api.get_catalog_item,
            asin,
            marketplaceIds=[self.connection.marketplace_id],
            includedData=list(included_data),
        )
        return dict(answer.payload)

    def search_catalog_items(
        self, identifiers: Sequence[str], identifiers_type: str, included_data: Sequence[str]
    ) -> list[dict[str, Any]]:
        """The catalog items of up to 20 identifiers (ASIN, EAN, UPC, GTIN, ISBN or SKU)."""
        _check_batch(identifiers, CATALOG_SEARCH_IDENTIFIERS)
        arguments: dict[str, Any] = {
            "identifiers": list(identifiers),
            "identifiersType": identifiers_type,
            "marketplaceIds": [self.connection.marketplace_id],
            "includedData": list(included_data),
            "pageSize": CATALOG_SEARCH_IDENTIFIERS,
        }
        if identifiers_type == "SKU":
            arguments["sellerId"] = self.connection.seller_id
        api = self._api(CatalogItems, "2022-04-01")
        answer = self._call("searchCatalogItems", api.search_catalog_items, **arguments)
        return list(answer.payload.get("items") or [])

    # -- Product Pricing v0 -----------------------------------------------------------------

    def item_offers(self, asin: str, condition: str = "New") -> dict[str, Any]:
        api = self._api(Products)
        answer = self._call(
            "getItemOffers",
            api.get_item_offers,
            asin,
            item_condition=condition,
            MarketplaceId=self.connection.marketplace_id,
        )
        return dict(answer.payload)

    def listing_offers(self, sku: str, condition: str = "New") -> dict[str, Any]:
        api = self._api(Products)
        answer = self._call(
            "getListingOffers",
            api.get_listings_offer,
            sku,
            item_condition=condition,
            MarketplaceId=self.connection.marketplace_id,
        )
        return dict(answer.payload)

    def item_offers_batch(self, asins: Sequence[str], condition: str = "New") -> list[BatchAnswer]:
        return self._offers_batch("getItemOffersBatch", "items", asins, condition)

    def listing_offers_batch(
        self, skus: Sequence[str], condition: str = "New"
    ) -> list[BatchAnswer]:
        return self._offers_batch("getListingOffersBatch", "listings", skus, condition)

    def competitive_pricing(self, asins: Sequence[str]) -> list[dict[str, Any]]:
        _check_batch(asins, PRICING_BATCH_SIZE)
        api = self._api(Products)
        answer = self._call(
            "getCompetitivePricing",
            api.get_competitive_pricing_for_asins,
            list(asins),
            MarketplaceId=self.connection.marketplace_id,
        )
        payload = answer.payload
        return list(payload) if isinstance(payload, list) else []

    # -- Listings Items 2021-08-01 ----------------------------------------------------------

    def listings_item(self, sku: str, included_data: Sequence[str]) -> dict[str, Any]:
        api = self._api(ListingsItems)
        answer = self._call(
            "getListingsItem",
            api.get_listings_item,
            self.connection.seller_id,
            sku,
            marketplaceIds=[self.connection.marketplace_id],
            includedData=list(included_data),
        )
        return dict(answer.payload)

    def search_listings_items(
        self, included_data: Sequence[str], page_size: int = 20
    ) -> Iterator[list[dict[str, Any]]]:
        """The seller's listings, a page at a time."""
        api = self._api(ListingsItems)
        token: str | None = None
        while True:
            arguments: dict[str, Any] = {
                "marketplaceIds": [self.connection.marketplace_id],
                "includedData": list(included_data),
                "pageSize": page_size,
            }
            if token:
                arguments["pageToken"] = token
            answer = self._call(
                "searchListingsItems",
                api.search_listings_items,
                self.connection.seller_id,
                **arguments,
            )
            yield list(answer.payload.get("items") or [])
            token = answer.next_token
            if not token:
                return

    def patch_listings_item(
        self, sku: str, product_type: str, patches: Sequence[dict[str, Any]]
    ) -> dict[str, Any]:
        api = self._api(ListingsItems)
        answer = self._call(
            "patchListingsItem",
            api.patch_listings_item,
            self.connection.seller_id,
            sku,
            marketplaceIds=[self.connection.marketplace_id],
            body={"productType": product_type, "patches": list(patches)},
        )
        return dict(answer.payload)

    # -- Reports 2021-06-30 -----------------------------------------------------------------

    def create_report(self, report_type: str, **options: Any) -> str:
        api = self._api(Reports)
        answer = self._call(
            "createReport",
            api.create_report,
            reportType=report_type,
            marketplaceIds=[self.connection.marketplace_id],
            **options,
        )
        return str(answer.payload["reportId"])

    def report(self, report_id: str) -> dict[str, Any]:
        api = self._api(Reports)
        return dict(self._call("getReport", api.get_report, report_id).payload)

    def report_document(self, document_id: str) -> bytes:
        """The document's bytes, decompressed (GZIP when the document says so)."""
        api = self._api(Reports)
        document = self._call("getReportDocument", api.get_report_document, document_id).payload
        response = self._caller.call(
            self._owner.organization_id,
            self._owner.credential_id,
            REPORT_DOWNLOAD,
            plan_of(REPORT_DOWNLOAD),
            "GET",
            str(document["url"]),
        )
        if document.get("compressionAlgorithm") == "GZIP":
            return _gunzip(response.content)
        return response.content

    # -- Product Type Definitions 2020-09-01 --------------------------------------------------

    def product_type_definition(
        self, product_type: str, requirements: str = "LISTING"
    ) -> dict[str, Any]:
        """The product type's definition for the connection's marketplace: display names,
        property groups, and a link to its JSON Schema (see `product_type_schema`)."""
        api = self._api(ProductTypeDefinitions)
        answer = self._call(
            "getDefinitionsProductType",
            api.get_definitions_product_type,
            product_type,
            marketplaceIds=[self.connection.marketplace_id],
            requirements=requirements,
            locale="DEFAULT",
        )
        return dict(answer.payload)

    def product_type_schema(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON Schema a definition links to (a plain download, like report documents)."""
        response = self._caller.call(
            self._owner.organization_id,
            self._owner.credential_id,
            SCHEMA_DOWNLOAD,
            plan_of(SCHEMA_DOWNLOAD),
            "GET",
            str(definition["schema"]["link"]["resource"]),
        )
        try:
            document = response.json()
        except ValueError:
            raise VendorRejectedError("The product type schema is not JSON.", 502) from None
        if not isinstance(document, dict):
            raise VendorRejectedError("The product type schema is not a JSON object.", 502)
        return document

    # -- Orders 2026-01-01, FBA Inventory, Product Fees ------------------------------------

    def search_orders(self, **filters: Any) -> Iterator[list[dict[str, Any]]]:
        """Orders matching `filters` (e.g. lastUpdatedAfter=ISO time), a page at a time."""
        api = self._api(Orders, "2026-01-01")
        token: str | None = None
        while True:
            arguments = {"marketplaceIds": [self.connection.marketplace_id], **filters}
            if token:
                arguments["paginationToken"] = token
            answer = self._call("searchOrders", api.search_orders, **arguments)
            yield list(answer.payload.get("orders") or [])
            token = answer.next_token
            if not token:
                return

    def inventory_summaries(self) -> Iterator[list[dict[str, Any]]]:
        api = self._api(Inventories)
        token: str | None = None
        while True:
            arguments: dict[str, Any] = {
                "details": True,
                "granularityType": "Marketplace",
                "granularityId": self.connection.marketplace_id,
                "marketplaceIds": [self.connection.marketplace_id],
            }
            if token:
                arguments["nextToken"] = token
            answer = self._call(
                "getInventorySummaries", api.get_inventory_summary_marketplace, **arguments
            )
            yield list(answer.payload.get("inventorySummaries") or [])
            token = answer.next_token
            if not token:
                return

    def fees_estimates(self, requests: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Fee estimates for up to 20 (identifier, price) requests in the library's shape:
        {"id_type": "ASIN"|"SellerSKU", "id_value", "price", "currency", "is_fba", ...}."""
        _check_batch(requests, FEES_BATCH_SIZE)
        api = self._api(ProductFees)
        estimates = [
            {**request, "marketplace_id": self.connection.marketplace_id} for request in requests
        ]
        answer = self._call("getMyFeesEstimates", api.get_my_fees_estimates, estimates)
        payload = answer.payload
        return list(payload) if isinstance(payload, list) else []

    # -- plumbing ---------------------------------------------------------------------------

    def _offers_batch(
        self, operation: str, kind: str, identifiers: Sequence[str], condition: str
    ) -> list[BatchAnswer]:
        _check_batch(identifiers, PRICING_BATCH_SIZE)
        marketplace_id = self.connection.marketplace_id
        requests = [
            {
                "uri": f"/products/pricing/v0/{kind}/{identifier}/offers",
                "method": "GET",
                "MarketplaceId": marketplace_id,
                "ItemCondition": condition,
                "CustomerType": "Consumer",
            }
            for identifier in identifiers
        ]
        api = self._api(Products)
        send = api.get_item_offers_batch if kind == "items" else api.get_listing_offers_batch
        answer = self._call(operation, send, requests_=requests)
        responses = answer.payload.get("responses") or []
        if len(responses) != len(identifiers):
            raise VendorRejectedError(
                f"{operation} answered {len(responses)} entries for {len(identifiers)} requests.",
                502,
            )
        return [
            _batch_answer(identifier, entry)
            for identifier, entry in zip(identifiers, responses, strict=True)
        ]

    def _api(self, cls: type, version: str | None = None) -> Any:
        key = (cls, version)
        api = self._apis.get(key)
        if api is None:
            arguments: dict[str, Any] = {
                "marketplace": self._marketplace,
                "credentials": {
                    "refresh_token": self.connection.refresh_token,
                    "lwa_app_id": self.connection.client_id,
                    "lwa_client_secret": self.connection.client_secret,
                },
                "auth_token_client_class": self.tokens,
            }
            if version is not None:
                arguments["version"] = version
            api = cls(**arguments)
            api._transport.close()  # the library's own client; ours goes through the orchestrator
            api._transport = self._transport
            self._apis[key] = api
        return api

    def _call(self, operation: str, send: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        for attempt in (1, 2):
            try:
                with calling(operation):
                    return send(*args, **kwargs)
            except VendorRejectedError as refused:
                if refused.vendor_status not in (401, 403):
                    raise
                if attempt == 1:  # most often an access token that expired early: renew it
                    self.tokens.invalidate()
                    continue
                raise VendorRejectedError(
                    f"Amazon denied {operation} with a fresh access token"
                    f" ({refused.vendor_reason or refused.vendor_status}): the app may lack the"
                    " role this data needs, or the seller limited its authorization.",
                    refused.vendor_status,
                    vendor_reason=refused.vendor_reason,
                ) from None
        raise AssertionError("unreachable: the loop returns or raises")


def _check_batch(items: Sequence[Any], limit: int) -> None:
    if not 1 <= len(items) <= limit:
        raise ValueError(f"a batch holds 1 to {limit} items, not {len(items)}")


def _batch_answer(identifier: str, entry: dict[str, Any]) -> BatchAnswer:
    status = int((entry.get("status") or {}).get("statusCode") or 0)
    body = entry.get("body") or {}
    payload = body.get("payload") if isinstance(body, dict) else None
    if status == 200 and isinstance(payload, dict):
        return BatchAnswer(identifier, status, payload, None)
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = f"{errors[0].get('code', 'Error')}: {errors[0].get('message', '')}"
    else:
        message = f"status {status}"
    return BatchAnswer(identifier, status, None, message[:300])


def _gunzip(content: bytes) -> bytes:
    """GZIP-decompressed, refusing a document that would unpack beyond MAX_REPORT_BYTES."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(content, MAX_REPORT_BYTES)
    except zlib.error as error:
        raise VendorRejectedError(
            f"The report document is not valid GZIP ({error}).", 502
        ) from None
    if inflater.unconsumed_tail:
        raise VendorRejectedError("The report document unpacks beyond 1 GiB.", 502)
    if not inflater.eof:
        raise VendorRejectedError("The report document is truncated.", 502)
    return data
