"""Attributes against Amazon's real BRACELET product type definition (JSON Schema 2019-09):
required attributes missing, values outside an enumeration, plain values put in Amazon's
shape; and the definition fetched through the SP-API adapter from the fake, then cached."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from shelfwise.intelligence.product_types import (
    ProductTypeSchema,
    cached_definition,
    check_attributes,
    instance_of,
    load_definition,
)
from shelfwise.intelligence.scoring import score_listing
from shelfwise.platform.cache import InProcessCache
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE
from tests.integrations.amazon_spapi.conftest import Harness, connect, spapi_settings
from tests.intelligence.listings import content

BRACELET_REQUIRED = (
    "brand", "bullet_point", "country_of_origin", "item_name", "item_type_keyword",
    "product_description", "supplier_declared_dg_hz_regulation",
)  # fmt: skip
# What the schema's conditions add when nothing more is given (e.g. an external product id or a
# suggested ASIN, the department, offer terms for a LISTING).
CONDITIONAL = (
    "externally_assigned_product_identifier", "merchant_suggested_asin", "department",
    "cpsia_cautionary_statement", "jewelry_material_categorization", "material", "color",
    "size", "gem_type", "stones", "part_number", "clasp_type", "item_length",
    "fulfillment_availability", "condition_type", "list_price", "item_package_dimensions",
    "item_package_weight", "batteries_required",
)  # fmt: skip


@pytest.fixture(scope="module")
def bracelet() -> ProductTypeSchema:
    path = (
        Path(__file__).resolve().parents[3]
        / "shared/data/spapi/product_type_definitions/BRACELET_US_schema.json"
    )
    if not path.is_file():
        pytest.skip("../shared/data is not beside the project")
    return ProductTypeSchema(json.loads(path.read_text(encoding="utf-8")))


def test_the_schema_names_its_product_type_and_required_attributes(
    bracelet: ProductTypeSchema,
) -> None:
    assert (bracelet.product_type, bracelet.required) == ("BRACELET", BRACELET_REQUIRED)
    assert (bracelet.language_tag, bracelet.marketplace_id) == ("en_US", "ATVPDKIKX0DER")


def test_content_fields_and_plain_values_take_amazons_shape(bracelet: ProductTypeSchema) -> None:
    listing = content(
        bullets=("Solid 925 sterling silver",),
        attributes={"country_of_origin": "IT", "product_type": "BRACELET"},
    )
    instance = instance_of(listing, bracelet)
    assert instance["bullet_point"] == [
        {
            "value": "Solid 925 sterling silver",
            "language_tag": "en_US",
            "marketplace_id": "ATVPDKIKX0DER",
        }
    ]
    # country_of_origin is not localised: no language tag, which its schema would refuse.
    assert instance["country_of_origin"] == [{"value": "IT", "marketplace_id": "ATVPDKIKX0DER"}]
    assert "product_type" not in instance


def test_missing_required_attributes_are_named(bracelet: ProductTypeSchema) -> None:
    check = check_attributes(content(attributes={}), bracelet)
    assert check.missing == (
        "country_of_origin", "item_type_keyword", "supplier_declared_dg_hz_regulation",
        *CONDITIONAL,
    )  # fmt: skip
    assert (check.invalid, check.provided) == ((), 5)
    rule = score_listing(content(attributes={}), "amazon.com", bracelet).rule("attributes.required")
    assert (rule.earned, rule.possible) == (1, 8)  # 4 of 26 present: floor(8 x 4 / 26)
    assert (
        rule.reason == "22 of 26 required attributes are missing: " + ", ".join(check.missing) + "."
    )


def test_a_value_outside_the_enumeration_is_invalid(bracelet: ProductTypeSchema) -> None:
    listing = content(attributes={"country_of_origin": "ZZ", "item_type_keyword": "bracelets"})
    check = check_attributes(listing, bracelet)
    assert check.invalid == (("country_of_origin", "'ZZ' is not one of the allowed values"),)
    rule = score_listing(listing, "amazon.com", bracelet).rule("attributes.valid")
    assert (rule.earned, rule.reason, rule.fix) == (
        3,  # 6 of 7 valid: floor(4 x 6 / 7)
        "1 of 7 attributes are invalid for BRACELET: country_of_origin: 'ZZ' is not one of"
        " the allowed values",
        "Correct country_of_origin to values the product type allows.",
    )


def test_an_attribute_the_product_type_does_not_have_is_invalid(
    bracelet: ProductTypeSchema,
) -> None:
    check = check_attributes(content(attributes={"horsepower": "300"}), bracelet)
    assert check.invalid == (("horsepower", "not an attribute of this product type"),)


def test_filling_a_required_attribute_raises_the_attributes_section(
    bracelet: ProductTypeSchema,
) -> None:
    values: dict[str, Any] = {}
    earned = []
    for name, value in [
        ("country_of_origin", "IT"),
        ("item_type_keyword", "charm-bracelets"),
        ("supplier_declared_dg_hz_regulation", "not_applicable"),
    ]:
        values[name] = value
        card = score_listing(content(attributes=dict(values)), "amazon.com", bracelet)
        earned.append(card.section("attributes").earned)
    assert earned == sorted(earned) and earned[0] < earned[-1]


@pytest.fixture
def spapi(tmp_path: Path) -> Iterator[Harness]:
    with FakeSellingPartnerApi() as fake:
        harness = connect(fake, spapi_settings(tmp_path), [], [])
        yield harness
        harness.http.close()


def test_the_definition_is_fetched_through_the_adapter_once_then_cached(
    spapi: Harness,
) -> None:
    cache = InProcessCache(10, timedelta(minutes=5))
    organization_id = spapi.client.connection.organization_id
    assert cached_definition(cache, organization_id, US_MARKETPLACE, "BRACELET") is None
    fetched = load_definition(
        cache, organization_id, spapi.client, US_MARKETPLACE, "BRACELET", timedelta(days=7)
    )
    again = load_definition(
        cache, organization_id, spapi.client, US_MARKETPLACE, "bracelet", timedelta(days=7)
    )
    assert (fetched.product_type, fetched.required) == ("BRACELET", BRACELET_REQUIRED)
    assert again is fetched
    assert spapi.fake.total("getDefinitionsProductType").accepted == 1
    assert [answer.operation for answer in spapi.answers if answer.status == 200] == [
        "lwa.token",
        "getDefinitionsProductType",
        "(document)",  # the schema, downloaded from the link the definition gave
    ]
