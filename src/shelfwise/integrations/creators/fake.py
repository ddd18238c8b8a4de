"""The Creators API as the demo marketplace sees it: realistic items generated from each ASIN,
in the real wire format, with no network (`demo_transport()`).

The documents are written from the SDK's models (`creatorsapi_python_sdk.models`: GetItems and
SearchItems response contents, OffersV2, ErrorData …) and the tests check them against those
models. The test fake server (tests/fakes/creators/) answers with these same documents and adds
what only tests need: rate limits, faults, expiring tokens.

An ASIN starting with `B0MISSING` exists nowhere (Amazon answers ItemNotAccessible); one that
is not ten capitals and digits is an InvalidParameterValue; any other is an item.
"""

import hashlib
import itertools
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from shelfwise.catalog.marketplaces import marketplace
from shelfwise.integrations.creators.schemas import CreatorsConfig

MISSING_PREFIX = "B0MISSING"
DEMO_PARTNER_TAG = "shelfwisedemo-20"
GET_ITEMS_PATH = "/catalog/v1/getItems"
SEARCH_ITEMS_PATH = "/catalog/v1/searchItems"
TOKEN_LIFETIME = 3600
_ASIN = re.compile(r"^[A-Z0-9]{10}$")
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "C$", "AUD": "A$"}
_BRANDS = ("Northfield", "Kestrel & Co", "Lumora", "Bramblewood", "Veloquip", "Tidewell")
_THINGS = (
    ("Stainless Steel French Press, 1 Litre", "Kitchen & Dining", "Coffee Presses"),
    ("Wireless Ergonomic Mouse, Silent Clicks", "Electronics", "Mice"),
    ("Insulated Water Bottle, 750 ml", "Sports & Outdoors", "Water Bottles"),
    ("Cotton Bath Towel Set, 4 Pieces", "Home & Kitchen", "Bath Towels"),
    ("LED Desk Lamp with USB Charging Port", "Tools & Home Improvement", "Desk Lamps"),
    ("Hardcover Dotted Notebook, A5", "Office Products", "Notebooks"),
)
_FEATURES = (
    "Built to last: every part is tested for 10,000 uses",
    "Easy to clean and dishwasher safe",
    "Compact design that fits in a backpack",
    "Two-year warranty and friendly support",
    "Made from recycled materials where possible",
)
_DEAL_START = datetime(2026, 1, 1, tzinfo=UTC)


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def currency_of(locale: str) -> str:
    found = marketplace(locale.removeprefix("www."))
    return found.currency if found is not None else "USD"


def _money(amount: float | int, currency: str) -> dict[str, Any]:
    shown = f"{amount:,}" if isinstance(amount, int) else f"{amount:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return {
        "amount": amount,
        "currency": currency,
        "displayAmount": f"{symbol}{shown}" if symbol else f"{shown} {currency}",
    }


def _amount(cents: int, currency: str) -> float | int:
    return cents // 100 if currency == "JPY" else round(cents / 100, 2)


def _image(asin: str, number: int) -> dict[str, Any]:
    key = hashlib.sha256(f"{asin}:{number}".encode()).hexdigest()[:11]
    url = f"https://m.media-amazon.com/images/I/{key}._SL500_.jpg"
    return {"large": {"url": url, "height": 500, "width": 500}}


def demo_item(asin: str, locale: str, partner_tag: str) -> dict[str, Any]:
    """Everything the Creators API can say of `asin` that Shelfwise asks for; the same ASIN
    always gives the same item."""
    seed = _digest(asin)
    title, category, node_name = _THINGS[seed % len(_THINGS)]
    currency = currency_of(locale)
    cents = 599 + seed % 19_400
    listing: dict[str, Any] = {
        "availability": {"message": "In Stock", "type": "IN_STOCK", "minOrderQuantity": 1},
        "isBuyBoxWinner": True,
        "price": {"money": _money(_amount(cents, currency), currency)},
        "condition": {"value": "New"},
        "merchantInfo": {"name": "Amazon", "id": "ATVPDKIKX0DER"},
    }
    if seed % 10 == 9:
        listing["availability"] = {"message": "Currently unavailable.", "type": "OUT_OF_STOCK"}
    if seed % 2 == 0:  # half the items are discounted against a list price
        basis_cents = cents + 100 + (seed >> 8) % 2_000
        saved = basis_cents - cents
        listing["price"]["savingBasis"] = {
            "money": _money(_amount(basis_cents, currency), currency),
            "savingBasisType": "LIST_PRICE",
            "savingBasisTypeLabel": "List Price",
        }
        listing["price"]["savings"] = {
            "money": _money(_amount(saved, currency), currency),
            "percentage": saved * 100 // basis_cents,
        }
    if seed % 4 == 0:  # a quarter of them are on a limited-time deal
        start = _DEAL_START + timedelta(days=seed % 300)
        listing["dealDetails"] = {
            "accessType": "ALL",
            "badge": "Limited time deal",
            "startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endTime": (start + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "percentClaimed": seed % 100,
        }
    features = [_FEATURES[(seed + index) % len(_FEATURES)] for index in range(3 + seed % 3)]
    return {
        "asin": asin,
        "detailPageURL": f"https://{locale}/dp/{asin}?tag={partner_tag}&linkCode=ogi&th=1&psc=1",
        "itemInfo": {
            "title": {"displayValue": title, "label": "Title", "locale": "en_US"},
            "byLineInfo": {
                "brand": {
                    "displayValue": _BRANDS[(seed >> 4) % len(_BRANDS)],
                    "label": "Brand",
                    "locale": "en_US",
                }
            },
            "features": {"displayValues": features, "label": "Features", "locale": "en_US"},
        },
        "images": {
            "primary": _image(asin, 0),
            "variants": [_image(asin, number) for number in range(1, 1 + seed % 4)],
        },
        "offersV2": {"listings": [listing]},
        "browseNodeInfo": {
            "browseNodes": [
                {
                    "id": str(1_000_000 + seed % 9_000_000),
                    "displayName": node_name,
                    "contextFreeName": node_name,
                    "isRoot": False,
                    "salesRank": 1 + (seed >> 12) % 900,
                }
            ],
            "websiteSalesRank": {
                "id": category.lower().replace(" & ", "-").replace(" ", "-"),
                "displayName": category,
                "contextFreeName": category,
                "salesRank": 1 + (seed >> 20) % 90_000,
            },
        },
        "customerReviews": {
            "count": (seed >> 24) % 20_000,
            "starRating": {"value": round(3.0 + ((seed >> 32) % 21) / 10, 1)},
        },
    }


def _kept(document: Any, path: str, resources: Sequence[str]) -> Any:
    """`document` cut down to the requested resources, as Amazon answers only those."""
    if isinstance(document, list):
        return [_kept(entry, path, resources) for entry in document]
    if not isinstance(document, dict):
        return document
    kept: dict[str, Any] = {}
    for key, value in document.items():
        child = f"{path}.{key}" if path else key
        if any(r == child or child.startswith(f"{r}.") for r in resources):
            kept[key] = value
        elif any(r.startswith(f"{child}.") for r in resources):
            kept[key] = _kept(value, child, resources)
    return kept


def answered_item(document: dict[str, Any], resources: Sequence[str]) -> dict[str, Any]:
    """An item as GetItems/SearchItems answer it: ASIN and URL always, the rest if asked for."""
    return {
        "asin": document["asin"],
        "detailPageURL": document["detailPageURL"],
        **_kept(
            {k: v for k, v in document.items() if k not in ("asin", "detailPageURL")}, "", resources
        ),
    }


def not_accessible(asin: str) -> dict[str, str]:
    return {
        "code": "ItemNotAccessible",
        "message": f"The ItemId {asin} is not accessible through the Creators API.",
    }


def invalid_item_id(item_id: str) -> dict[str, str]:
    return {
        "code": "InvalidParameterValue",
        "message": f"The value [{item_id}] provided in the request for ItemIds is invalid.",
    }


def validation_error(message: str, reason: str = "FieldValidationFailed") -> dict[str, Any]:
    return {"type": "ValidationException", "message": message, "reason": reason}


def not_found(resource_type: str, resource_id: str) -> dict[str, Any]:
    return {
        "type": "ResourceNotFoundException",
        "message": "No results found for the request.",
        "resourceId": resource_id,
        "resourceType": resource_type,
    }


def get_items_answer(
    body: dict[str, Any], locale: str, items: dict[str, dict[str, Any]] | None = None
) -> tuple[int, dict[str, Any]]:
    """GetItems' status and document for a request `body`; `items` (ASIN → item document)
    stands in for the generated catalog when given."""
    resources = body.get("resources") or []
    found: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for item_id in body["itemIds"]:
        if not _ASIN.match(item_id):
            errors.append(invalid_item_id(item_id))
        elif items is not None and item_id in items:
            found.append(answered_item(items[item_id], resources))
        elif items is None and not item_id.startswith(MISSING_PREFIX):
            document = demo_item(item_id, locale, body["partnerTag"])
            found.append(answered_item(document, resources))
        else:
            errors.append(not_accessible(item_id))
    if not found:
        return 404, not_found("Item", ",".join(body["itemIds"]))
    answer: dict[str, Any] = {"itemsResult": {"items": found}}
    if errors:
        answer["errors"] = errors
    return 200, answer


def search_asins(keywords: str, count: int) -> list[str]:
    """The ASINs a search for `keywords` finds: made from the words, the same every time."""
    words = keywords.lower()
    return [
        "B0" + hashlib.sha256(f"{words}:{index}".encode()).hexdigest().upper()[:8]
        for index in range(count)
    ]


def search_items_answer(body: dict[str, Any], locale: str) -> tuple[int, dict[str, Any]]:
    """SearchItems' status and document: ten results a page over at most 30 (three pages)."""
    keywords = (body.get("keywords") or "").strip()
    if not keywords:
        return 400, validation_error("Keywords, or another search parameter, is required.")
    page, count = int(body.get("itemPage") or 1), int(body.get("itemCount") or 10)
    total = 3 + _digest(keywords.lower()) % 28
    asins = search_asins(keywords, total)[(page - 1) * count : page * count]
    if not asins:
        return 404, not_found("SearchResult", keywords)
    resources = body.get("resources") or []
    items = [
        answered_item(demo_item(asin, locale, body["partnerTag"]), resources) for asin in asins
    ]
    return 200, {
        "searchResult": {
            "totalResultCount": total,
            "searchURL": f"https://{locale}/s?k={keywords.replace(' ', '+')}"
            f"&tag={body['partnerTag']}&linkCode=osi",
            "items": items,
        }
    }


def token_answer(number: int) -> dict[str, Any]:
    return {
        "access_token": f"Atza|demo-access-token-{number}",
        "token_type": "bearer",
        "expires_in": TOKEN_LIFETIME,
    }


def _json(status: int, document: dict[str, Any]) -> httpx.Response:
    return httpx.Response(
        status,
        content=orjson.dumps(document),
        headers={"content-type": "application/json", "x-amzn-RequestId": "demo"},
    )


def demo_config() -> CreatorsConfig:
    """The demo associate's credential (3.1: Login with Amazon's token path, which the demo
    transport answers)."""
    return CreatorsConfig(
        credential_id="demo",
        credential_secret="demo",  # noqa: S106 (the demo's, not a secret)
        version="3.1",
        partner_tag=DEMO_PARTNER_TAG,
    )


def demo_transport() -> httpx.MockTransport:
    """An httpx transport answering the Creators API and its token services in-process, for
    the demo marketplace's `VendorCaller(client=httpx.Client(transport=demo_transport()))`."""
    tokens = itertools.count(1)
    issued: set[str] = set()

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith(("/oauth2/token", "/auth/o2/token")):
            answer = token_answer(next(tokens))
            issued.add(answer["access_token"])
            return _json(200, answer)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").split(",")[0]
        if bearer not in issued:
            return _json(401, {"message": "Invalid token", "reason": "InvalidToken"})
        locale = request.headers.get("x-marketplace", "www.amazon.com")
        body = orjson.loads(request.content)
        if path == GET_ITEMS_PATH:
            return _json(*get_items_answer(body, locale))
        if path == SEARCH_ITEMS_PATH:
            return _json(*search_items_answer(body, locale))
        return _json(400, validation_error(f"Unknown operation {path}", "UnknownOperation"))

    return httpx.MockTransport(handle)
