"""Amazon product type definitions: checking a listing's attributes against one, and fetching
one through the SP-API adapter into the organization's cache.

A definition's schema is JSON Schema 2019-09 with Amazon's vocabulary (which validators may
ignore): every attribute is an array of objects with a `value` and, where the attribute is
localised, `language_tag` and `marketplace_id`. Listings often keep plain values
(`{"metal_type": "Gold"}`); they are put in Amazon's shape before validation, with the
schema's own default language tag and marketplace id.
"""

import json
import re
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError

from shelfwise.platform.cache import Cache

if TYPE_CHECKING:
    from shelfwise.intelligence.scorecard import ListingContent

# Listing attribute keys that hold score inputs, not product type attributes.
CONTENT_KEYS = frozenset({"product_type", "search_terms", "image_dimensions"})
CACHE_NAMESPACE = "spapi.product_type"
_REQUIRED_MESSAGE = re.compile(r"^'([^']+)' is a required property$")
MAX_MESSAGE = 160


def is_filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | list | dict | tuple):
        return bool(value.strip() if isinstance(value, str) else value)
    return True


def filled_attributes(attributes: Mapping[str, Any]) -> int:
    """How many of a listing's attributes carry a value."""
    return sum(
        1 for name, value in attributes.items() if name not in CONTENT_KEYS and is_filled(value)
    )


class ProductTypeSchema:
    """One product type's schema document, ready to validate with."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.product_type = str(document.get("$id", "")).rsplit("/", 1)[-1] or "the product type"
        self.required: tuple[str, ...] = tuple(document.get("required", ()))
        self.properties: Mapping[str, Any] = document.get("properties", {})
        definitions = document.get("$defs", {})
        self.language_tag = definitions.get("language_tag", {}).get("default", "en_US")
        self.marketplace_id = definitions.get("marketplace_id", {}).get("default")
        # Amazon's meta-schema URI is not one jsonschema knows; its vocabulary only adds
        # keywords (selectors, editable …) that validation may ignore, so 2019-09 it is.
        self.validator = Draft201909Validator(dict(document))

    def item_keys(self, attribute: str) -> Mapping[str, Any]:
        definition = self.properties.get(attribute) or {}
        items = definition.get("items") or {}
        properties: Mapping[str, Any] = items.get("properties") or {}
        return properties


@dataclass(frozen=True)
class AttributeCheck:
    product_type: str
    required: tuple[str, ...]
    missing: tuple[str, ...]  # in the schema's order
    invalid: tuple[tuple[str, str], ...]  # (attribute, message), by attribute name
    provided: int  # attributes checked (the listing's, with title, bullets … mapped in)


def _entry(schema: ProductTypeSchema, attribute: str, value: Any) -> dict[str, Any]:
    entry = dict(value) if isinstance(value, Mapping) else {"value": value}
    keys = schema.item_keys(attribute)
    if "language_tag" in keys:
        entry.setdefault("language_tag", schema.language_tag)
    if "marketplace_id" in keys and schema.marketplace_id is not None:
        entry.setdefault("marketplace_id", schema.marketplace_id)
    return entry


def _amazon_shape(schema: ProductTypeSchema, attribute: str, value: Any) -> Any:
    if isinstance(value, list):
        return [_entry(schema, attribute, item) for item in value]
    return [_entry(schema, attribute, value)]


def instance_of(content: "ListingContent", schema: ProductTypeSchema) -> dict[str, Any]:
    """The listing as the definition's schema expects it."""
    instance: dict[str, Any] = {}
    mapped = {
        "item_name": content.title.strip(),
        "bullet_point": [bullet for bullet in content.bullets if bullet.strip()],
        "product_description": content.description.strip(),
        "brand": (content.brand or "").strip(),
        "generic_keyword": content.search_terms.strip(),
    }
    for attribute, value in mapped.items():
        if value:
            instance[attribute] = _amazon_shape(schema, attribute, value)
    for attribute, value in content.attributes.items():
        if attribute not in CONTENT_KEYS and is_filled(value):
            instance[attribute] = _amazon_shape(schema, attribute, value)
    return instance


def _message(error: ValidationError) -> str:
    if error.validator == "enum":
        return f"{error.instance!r} is not one of the allowed values"
    if error.validator == "additionalProperties" and not error.path:
        return "not an attribute of this product type"
    return error.message[:MAX_MESSAGE]


def check_attributes(
    content: "ListingContent", schema: ProductTypeSchema, marketplace: str = ""
) -> AttributeCheck:
    """Missing required attributes and invalid values of `content` under `schema`."""
    instance = instance_of(content, schema)
    missing = [name for name in schema.required if name not in instance]
    invalid: dict[str, str] = {}
    for error in schema.validator.iter_errors(instance):
        if error.path:
            invalid.setdefault(str(error.path[0]), _message(error))
        elif error.validator == "required":
            # A requirement that depends on other attributes (the schema's if/then rules).
            found = _REQUIRED_MESSAGE.match(error.message)
            if found and found[1] not in missing:
                missing.append(found[1])
        elif error.validator == "additionalProperties":
            for name in sorted(set(instance) - set(schema.properties)):
                invalid.setdefault(name, "not an attribute of this product type")
    return AttributeCheck(
        product_type=schema.product_type,
        required=tuple(dict.fromkeys((*schema.required, *missing))),
        missing=tuple(missing),
        invalid=tuple(sorted(invalid.items())),
        provided=len(instance),
    )


# -- fetching definitions -------------------------------------------------------------------


class DefinitionsClient(Protocol):
    """What fetching needs of `SellingPartnerClient`."""

    def product_type_definition(self, product_type: str) -> dict[str, Any]: ...

    def product_type_schema(self, definition: Mapping[str, Any]) -> dict[str, Any]: ...


_compiled: dict[str, ProductTypeSchema] = {}  # checksum -> schema: compile a document once
MAX_COMPILED = 64


def _cache_key(marketplace_id: str, product_type: str) -> str:
    return f"{marketplace_id}:{product_type.upper()}"


def _compile(entry: Mapping[str, Any]) -> ProductTypeSchema:
    checksum = str(entry["checksum"])
    compiled = _compiled.get(checksum)
    if compiled is None:
        if len(_compiled) >= MAX_COMPILED:  # definitions change over months: drop old ones
            _compiled.clear()
        compiled = _compiled[checksum] = ProductTypeSchema(entry["schema"])
    return compiled


def cached_definition(
    cache: Cache, organization_id: uuid.UUID, marketplace_id: str, product_type: str
) -> ProductTypeSchema | None:
    """The product type's schema if the organization's cache holds it (no vendor call)."""
    stored = cache.get(organization_id, CACHE_NAMESPACE, _cache_key(marketplace_id, product_type))
    return _compile(json.loads(zlib.decompress(stored))) if stored is not None else None


def load_definition(
    cache: Cache,
    organization_id: uuid.UUID,
    client: DefinitionsClient,
    marketplace_id: str,
    product_type: str,
    ttl: timedelta,
) -> ProductTypeSchema:
    """The product type's schema for the marketplace, from the organization's cache, else
    fetched (the definition, then the schema its link names) and kept for `ttl`."""
    found = cached_definition(cache, organization_id, marketplace_id, product_type)
    if found is not None:
        return found
    definition = client.product_type_definition(product_type)
    entry = {
        "checksum": definition["schema"]["checksum"],
        "schema": client.product_type_schema(definition),
    }
    # Definitions run to megabytes of mostly repeated enum lists: they compress ~20x.
    packed = zlib.compress(json.dumps(entry, separators=(",", ":")).encode(), 6)
    cache.set(
        organization_id, CACHE_NAMESPACE, _cache_key(marketplace_id, product_type), packed, ttl
    )
    return _compile(entry)
