"""Product Type Definitions 2020-09-01: getDefinitionsProductType, and the schema it links to.

The fake knows the product types whose real schemas `../shared/data` holds (BRACELET, for
amazon.com). Like Amazon, the definition does not carry the schema: it links to it, and the
fake serves the document at that link without an access token (Amazon's link is a presigned
S3 URL).
"""

import functools
import hashlib
from pathlib import Path

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.models import SPAPI_DATA
from tests.fakes.spapi.requests import Answer, SpapiRequest, error_answer
from tests.fakes.spapi.state import US_MARKETPLACE, MarketplaceState

MODEL = "definitionsProductTypes_2020-09-01"
SCHEMA_PATH = "/fake-s3/product-type-schemas/"
SCHEMAS = SPAPI_DATA / "product_type_definitions"
# product type -> (marketplace, schema file): the documents ../shared/data holds.
KNOWN: dict[str, tuple[str, Path]] = {
    "BRACELET": (US_MARKETPLACE, SCHEMAS / "BRACELET_US_schema.json"),
}
DISPLAY_NAMES = {"BRACELET": "Bracelet"}


@functools.cache
def schema_bytes(product_type: str) -> bytes | None:
    known = KNOWN.get(product_type)
    return known[1].read_bytes() if known else None


def _checksum(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


def get_definitions_product_type(request: SpapiRequest, state: MarketplaceState) -> Answer:
    product_type = request.path_parameters["productType"]
    known = KNOWN.get(product_type)
    marketplaces = request.values("marketplaceIds")
    if known is None or marketplaces != [known[0]]:
        return error_answer(
            404,
            "NOT_FOUND",
            f"Product type definition for {product_type} was not found for"
            f" {','.join(marketplaces)}.",
        )
    content = schema_bytes(product_type) or b""
    return Answer(
        200,
        {
            "schema": {
                "link": {"resource": f"{request.base_url}{SCHEMA_PATH}{product_type}",
                         "verb": "GET"},
                "checksum": _checksum(content),
            },
            "requirements": request.value("requirements") or "LISTING",
            "requirementsEnforced": request.value("requirementsEnforced") or "ENFORCED",
            "propertyGroups": {
                "product_identity": {
                    "title": "Product Identity",
                    "description": "Information to uniquely identify your product",
                    "propertyNames": ["item_name", "brand", "item_type_keyword"],
                }
            },
            "locale": "en_US",
            "marketplaceIds": marketplaces,
            "productType": product_type,
            "displayName": DISPLAY_NAMES[product_type],
            "productTypeVersion": {"version": "U0Zha2VWZXJzaW9u", "latest": True,
                                   "releaseCandidate": False},
        },
    )  # fmt: skip


HANDLERS: dict[str, Handler] = {"getDefinitionsProductType": get_definitions_product_type}
