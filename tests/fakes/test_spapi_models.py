"""Usage plans parsed from the official models, and the response validator."""

import pytest

from tests.fakes.spapi.examples import ROUTED_PLANS
from tests.fakes.spapi.models import MODELS, UsagePlan, load_model, operations, parse_usage_plan
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE
from tests.fakes.spapi.validation import response_errors

# -- usage plans parsed from the models -------------------------------------------------------


def test_routed_operations_carry_the_plans_their_models_state() -> None:
    assert FakeSellingPartnerApi().buckets.plans == ROUTED_PLANS


@pytest.mark.parametrize(
    ("model_name", "operation_id", "table_row"),
    [
        ("productPricingV0", "getItemOffersBatch", "| 0.1 | 1 |"),
        ("productPricingV0", "getListingOffersBatch", "| 0.5 | 1 |"),
        ("orders_2026-01-01", "searchOrders", "| 0.0056 | 20 |"),
        ("catalogItems_2022-04-01", "searchCatalogItems", "| 2 | 2 |"),
    ],
    ids=["getItemOffersBatch", "getListingOffersBatch", "searchOrders", "searchCatalogItems"],
)
def test_plans_come_from_the_model_text(model_name: str, operation_id: str, table_row: str) -> None:
    (spec,) = [
        spec
        for path_item in load_model(model_name)["paths"].values()
        for spec in path_item.values()
        if isinstance(spec, dict) and spec.get("operationId") == operation_id
    ]
    assert table_row in spec["description"]
    assert parse_usage_plan(spec["description"]) == ROUTED_PLANS[operation_id]


def test_the_plan_type_table_variant_parses_its_default_row() -> None:
    description = (
        "**Usage Plan:**\n\n| Plan type | Rate (requests per second) | Burst |\n"
        "| ---- | ---- | ---- |\n|Default| 5 | 10 |\n"
        "|Selling partner specific| Variable | Variable |"
    )
    assert parse_usage_plan(description) == UsagePlan(5.0, 10)


def test_every_model_operation_has_a_plan_but_the_sandbox_only_ones() -> None:
    without_plan = {
        spec.operation_id
        for path in sorted(MODELS.glob("*.json"))
        for spec in operations(path.stem)
        if spec.usage_plan is None
    }
    assert without_plan == {"createInventoryItem", "deleteInventoryItem", "addInventory"}


def test_the_validator_names_what_a_body_lacks() -> None:
    body = {"payload": {"marketplaceId": US_MARKETPLACE, "ItemCondition": "New", "status": "x"}}
    assert response_errors("productPricingV0", "getItemOffers", 200, body) == [
        "payload: 'Identifier' is a required property",
        "payload: 'Offers' is a required property",
        "payload: 'Summary' is a required property",
    ]
