"""The demo marketplace's SP-API: an in-process `httpx` transport that answers Login with Amazon,
Catalog Items `searchCatalogItems` and Product Pricing `getCompetitivePricing` in the real wire
format, so the demo runs the real adapter (client, orchestrator, parsing) with no network.

Items are generated from the ASIN alone (same ASIN, same item, on every run and machine) out of
the demo catalog's product templates. The demo knows every ASIN that starts with `B0` or is
all digits (an ISBN-10), as Amazon's do; any other well-formed ASIN is an item Amazon does not
have, so the demo shows a `not_found` error item too. A test validates these answers against the
official models in `data/spapi/models/`.
"""

import hashlib
import random
import threading
from collections import Counter
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import orjson

from shelfwise.catalog.marketplaces import marketplace as find_marketplace
from shelfwise.demo.catalog import MARKETPLACES, TEMPLATES

DEMO_SELLER_ID = "ADEMOSELLER"
DEMO_IMAGE_HOST = "https://m.media-amazon.com/images/I"
_RATES = {code: rate for code, _currency, rate in MARKETPLACES}
_BY_ID = {
    entry.amazon_marketplace_id: entry
    for entry in (find_marketplace(code) for code in _RATES)
    if entry is not None
}
CATALOG_PATH = "/catalog/2022-04-01/items"
PRICING_PATH = "/products/pricing/v0/competitivePrice"
TOKEN_PATH = "/auth/o2/token"  # noqa: S105 (a path)


def is_known(asin: str) -> bool:
    return asin.startswith("B0") or asin.isdigit()


def _random(asin: str, marketplace_id: str = "") -> random.Random:
    digest = hashlib.sha256(f"{asin}:{marketplace_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 (demo data, not secrets)


def _currency_and_rate(marketplace_id: str) -> tuple[str, Decimal]:
    found = _BY_ID.get(marketplace_id)
    if found is not None:
        return found.currency, _RATES[found.code]
    return "USD", Decimal("1.00")


def catalog_item(asin: str, marketplace_id: str) -> dict[str, Any]:
    """A Catalog Items 2022-04-01 Item with every data set the bridge asks for."""
    chooser = _random(asin)
    template = chooser.choice(TEMPLATES)
    brand, variant = chooser.choice(template.brands), chooser.choice(template.variants)
    title = f"{brand} {template.kind} {variant}"
    features = chooser.sample(template.features, k=min(4, len(template.features)))
    currency, rate = _currency_and_rate(marketplace_id)
    list_price = (template.base_price * rate * Decimal(chooser.randint(95, 135)) / 100).quantize(
        Decimal("0.01")
    )
    image_ids = [f"{chooser.randrange(10**10):010d}" for _ in range(3)]
    return {
        "asin": asin,
        "attributes": {
            "brand": [{"value": brand, "marketplace_id": marketplace_id}],
            "bullet_point": [
                {"value": f"{feature[0].upper()}{feature[1:]}", "marketplace_id": marketplace_id}
                for feature in features
            ],
            "list_price": [
                {"value": float(list_price), "currency": currency, "marketplace_id": marketplace_id}
            ],
        },
        "images": [
            {
                "marketplaceId": marketplace_id,
                "images": [
                    {
                        "variant": "MAIN" if index == 0 else f"PT0{index}",
                        "link": f"{DEMO_IMAGE_HOST}/71{image_id}L._AC_SL1500_.jpg",
                        "height": 1500,
                        "width": 1500,
                    }
                    for index, image_id in enumerate(image_ids)
                ],
            }
        ],
        "salesRanks": [
            {
                "marketplaceId": marketplace_id,
                "classificationRanks": [
                    {
                        "classificationId": str(chooser.randint(10**9, 10**10 - 1)),
                        "title": template.kind + "s",
                        "rank": chooser.randint(1, 900),
                    }
                ],
                "displayGroupRanks": [
                    {
                        "websiteDisplayGroup": "home_improvement_display_on_website",
                        "title": template.category,
                        "rank": chooser.randint(100, 90_000),
                    }
                ],
            }
        ],
        "summaries": [
            {
                "marketplaceId": marketplace_id,
                "brand": brand,
                "browseClassification": {
                    "displayName": template.kind + "s",
                    "classificationId": str(chooser.randint(10**9, 10**10 - 1)),
                },
                "itemName": title,
                "manufacturer": brand,
                "websiteDisplayGroupName": template.category,
            }
        ],
    }


def competitive_price(asin: str, marketplace_id: str) -> dict[str, Any]:
    """A getCompetitivePricing entry: the New Buy Box price, 0 to 35 % under the list price;
    one ASIN in twelve has no offer (out of stock)."""
    item = catalog_item(asin, marketplace_id)
    list_price = Decimal(str(item["attributes"]["list_price"][0]["value"]))
    currency = item["attributes"]["list_price"][0]["currency"]
    chooser = _random(asin, marketplace_id)
    offers = 0 if chooser.randrange(12) == 0 else chooser.randint(1, 24)
    prices = []
    if offers:
        amount = (list_price * Decimal(100 - chooser.randint(0, 35)) / 100).quantize(
            Decimal("0.01")
        )
        money = {"CurrencyCode": currency, "Amount": float(amount)}
        zero = {"CurrencyCode": currency, "Amount": 0.0}
        prices.append(
            {
                "CompetitivePriceId": "1",
                "Price": {"LandedPrice": money, "ListingPrice": money, "Shipping": zero},
                "condition": "New",
                "belongsToRequester": False,
            }
        )
    return {
        "status": "Success",
        "ASIN": asin,
        "Product": {
            "Identifiers": {"MarketplaceASIN": {"MarketplaceId": marketplace_id, "ASIN": asin}},
            "CompetitivePricing": {
                "CompetitivePrices": prices,
                "NumberOfOfferListings": [{"Count": offers, "condition": "New"}],
            },
            "SalesRankings": [],
        },
    }


def _values(query: dict[str, list[str]], name: str) -> list[str]:
    return [part for value in query.get(name, []) for part in value.split(",") if part]


def search_answer(query: dict[str, list[str]]) -> dict[str, Any]:
    marketplace_id = next(iter(_values(query, "marketplaceIds")), "")
    included = _values(query, "includedData") or ["summaries"]
    items = []
    for asin in _values(query, "identifiers"):
        if is_known(asin):
            full = catalog_item(asin, marketplace_id)
            items.append({"asin": asin} | {name: full[name] for name in included if name in full})
    return {
        "numberOfResults": len(items),
        "pagination": {},
        "refinements": {"brands": [], "classifications": []},
        "items": items,
    }


def pricing_answer(query: dict[str, list[str]]) -> dict[str, Any]:
    marketplace_id = next(iter(_values(query, "MarketplaceId")), "")
    return {
        "payload": [
            competitive_price(asin, marketplace_id)
            if is_known(asin)
            else {"status": "ClientError", "ASIN": asin}
            for asin in _values(query, "Asins")
        ]
    }


class DemoSellingPartner:
    """The transport's request handler; counts what it answered, per path (tests read it)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        with self._lock:
            self.requests[path] += 1
        query = parse_qs(request.url.query.decode())
        if request.method == "POST" and path == TOKEN_PATH:
            body: dict[str, Any] = {
                "access_token": "Atza|demo-access-token",
                "refresh_token": "Atzr|demo-refresh-token",
                "token_type": "bearer",
                "expires_in": 3600,
            }
        elif request.method == "GET" and path == CATALOG_PATH:
            body = search_answer(query)
        elif request.method == "GET" and path == PRICING_PATH:
            body = pricing_answer(query)
        else:
            error = {"code": "NotFound", "message": f"The demo has no {request.method} {path}"}
            return _json(404, {"errors": [error]})
        return _json(200, body)


def _json(status: int, body: dict[str, Any]) -> httpx.Response:
    headers = {"content-type": "application/json"}
    return httpx.Response(status, headers=headers, content=orjson.dumps(body))


def demo_transport() -> httpx.MockTransport:
    """A transport for `httpx.Client(transport=…)` that answers as the demo SP-API."""
    return httpx.MockTransport(DemoSellingPartner())
