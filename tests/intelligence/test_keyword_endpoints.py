"""GET /api/listings/{id}/keywords on SQLite and PostgreSQL: competitors from the ASINs given or
watched, their kept items' text, tenant scoping and precise 422s."""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.bridge.repository import FetchedItemRepository
from shelfwise.platform.context import AppContext
from tests.apps import client_with
from tests.factories import (
    Tenant,
    add_member,
    create_account,
    create_listing,
    create_user,
    login,
    unique,
)

FETCHED_AT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
COMPETITOR_ITEMS = {
    "B0COMP0001": ("Makita Cordless Drill 18V, Brushless Motor", ["LED work light", "Belt clip"]),
    "B0COMP0002": ("DeWalt Cordless Drill 18V brushless motor", ["LED work light"]),
    "B0OWN00001": ("Bosch Cordless Drill 18V brushless motor", ["LED work light"]),
}


def keep_items(context: AppContext, tenant: Tenant, marketplace: str = "amazon.co.uk") -> None:
    """Items as the ASIN bridge keeps them after a fetch (marketplace item format)."""
    rows = [
        {
            "marketplace": marketplace,
            "asin": asin,
            "source": "sp_api",
            "is_demo": False,
            "item": {"asin": asin, "marketplace": marketplace, "title": title, "bullets": bullets},
            "fetched_at": FETCHED_AT,
        }
        for asin, (title, bullets) in COMPETITOR_ITEMS.items()
    ]
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        FetchedItemRepository(session, tenant.organization_id).keep(rows)


def drill_listing(client: TestClient, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    return create_listing(
        client,
        tenant,
        title="Bosch Cordless Drill 18V",
        bullets=["Two 2.0Ah batteries"],
        asin="B0OWN00001",
        **overrides,
    )


def keywords(client: TestClient, tenant: Tenant, listing_id: str, **params: Any) -> Any:
    return client.get(f"/api/listings/{listing_id}/keywords", params=params, headers=tenant.headers)


EXPECTED_MISSING = [
    {
        "term": "brushless motor",
        "score": 0.6919,
        "used_by": [
            {"asin": "B0COMP0001", "fields": ["title"]},
            {"asin": "B0COMP0002", "fields": ["title"]},
        ],
    },
    {
        "term": "led work light",
        "score": 0.4955,
        "used_by": [
            {"asin": "B0COMP0001", "fields": ["bullets"]},
            {"asin": "B0COMP0002", "fields": ["bullets"]},
        ],
    },
]


def test_report_for_the_competitors_given(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listing = drill_listing(client, tenant)
    keep_items(context, tenant)
    # Lower case is taken; the listing's own ASIN is no competitor; a never fetched one is named.
    response = keywords(
        client, tenant, listing["id"], competitors="b0comp0001 B0COMP0002,B0OWN00001,B0NOTKEPT1"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {key: body[key] for key in ("listing_id", "marketplace", "language", "method")} == {
        "listing_id": listing["id"],
        "marketplace": "amazon.co.uk",
        "language": "en",
        "method": "bm25",
    }
    assert body["competitors"] == [
        {"asin": "B0COMP0001", "title": COMPETITOR_ITEMS["B0COMP0001"][0], "relevance": 0.2604},
        {"asin": "B0COMP0002", "title": COMPETITOR_ITEMS["B0COMP0002"][0], "relevance": 0.2604},
    ]
    assert body["competitors_without_text"] == ["B0NOTKEPT1"]
    assert body["missing"] == EXPECTED_MISSING
    assert body["candidates"][:3] == [
        {"term": "18v", "score": 2.1709, "competitor_count": 2, "in_listing": True},
        {"term": "cordless", "score": 2.1709, "competitor_count": 2, "in_listing": True},
        {"term": "cordless drill", "score": 2.1709, "competitor_count": 2, "in_listing": True},
    ]
    limited = keywords(client, tenant, listing["id"], competitors="B0COMP0001,B0COMP0002", limit=1)
    assert [item["term"] for item in limited.json()["candidates"]] == ["18v"]
    assert limited.json()["missing"] == EXPECTED_MISSING[:1]


def test_watched_asins_are_the_default_competitors_for_any_member(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    account = create_account(client, tenant)
    listing = drill_listing(client, tenant, marketplace_account_id=account["id"])
    keep_items(context, tenant)
    for asin in ("B0COMP0002", "B0COMP0001", "B0NOTKEPT1"):
        watched = client.post(
            f"/api/marketplace-accounts/{account['id']}/watched-asins",
            json={"asin": asin},
            headers=tenant.headers,
        )
        assert watched.status_code == 201, watched.text
    email = f"{unique('viewer')}@example.com"
    create_user(context, email)
    add_member(context, tenant.organization_id, email, Role.VIEWER)
    viewer = {"Authorization": f"Bearer {login(client, email)['access_token']}"}
    response = client.get(f"/api/listings/{listing['id']}/keywords", headers=viewer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["asin"] for item in body["competitors"]] == ["B0COMP0001", "B0COMP0002"]
    assert body["competitors_without_text"] == ["B0NOTKEPT1"]
    assert body["missing"] == EXPECTED_MISSING


def test_without_competitor_text_the_listing_ranks_its_own_terms(
    client: TestClient, tenant: Tenant
) -> None:
    listing = drill_listing(client, tenant)
    body = keywords(client, tenant, listing["id"], limit=3).json()
    assert (body["competitors"], body["competitors_without_text"], body["missing"]) == ([], [], [])
    assert [item["term"] for item in body["candidates"]] == ["18v", "bosch", "bosch cordless"]


def test_items_of_another_marketplace_are_not_competitors(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listing = drill_listing(client, tenant)
    keep_items(context, tenant, marketplace="amazon.de")
    body = keywords(client, tenant, listing["id"], competitors="B0COMP0001").json()
    assert (body["competitors"], body["competitors_without_text"]) == ([], ["B0COMP0001"])


def test_semantic_setting_blends_in_trigrams_for_a_german_listing(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    account = create_account(client, tenant, marketplace="amazon.de")
    listing = drill_listing(client, tenant, marketplace_account_id=account["id"])
    keep_items(context, tenant, marketplace="amazon.de")
    with client_with(context, keywords_semantic=True) as semantic:
        response = keywords(semantic, tenant, listing["id"], competitors="B0COMP0001,B0COMP0002")
    assert response.status_code == 200, response.text
    assert (response.json()["language"], response.json()["method"]) == ("de", "bm25+lexical")


def test_another_organization_gets_404(
    client: TestClient, context: AppContext, tenant: Tenant, other_tenant: Tenant
) -> None:
    listing = drill_listing(client, tenant)
    keep_items(context, other_tenant)
    response = keywords(client, other_tenant, listing["id"], competitors="B0COMP0001")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "No such listing."


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        pytest.param(
            {"competitors": "B0COMP0001,not-an-asin,B0X"},
            "query.competitors",
            "Not ASINs: B0X, NOT-AN-ASIN.",
            id="malformed-asins",
        ),
        pytest.param({"competitors": " , "}, "query.competitors", "no ASIN given", id="no-asin"),
        pytest.param(
            {"competitors": ",".join(f"B0{index:08d}" for index in range(101))},
            "query.competitors",
            "101 distinct ASINs given; a request takes at most 100.",
            id="too-many-asins",
        ),
        pytest.param(
            {"limit": "0"}, "query.limit", "Input should be greater than or equal to 1", id="zero"
        ),
        pytest.param(
            {"limit": "201"}, "query.limit", "Input should be less than or equal to 200", id="201"
        ),
        pytest.param(
            {"limit": "ten"},
            "query.limit",
            "Input should be a valid integer, unable to parse string as an integer",
            id="not-a-number",
        ),
    ],
)
def test_malformed_query_parameters_are_422_with_the_field(
    client: TestClient, tenant: Tenant, params: dict[str, str], field: str, message: str
) -> None:
    listing = drill_listing(client, tenant)
    response = keywords(client, tenant, listing["id"], **params)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [{"field": e["field"], "message": e["message"]} for e in errors] == [
        {"field": field, "message": message}
    ]


def test_a_malformed_listing_id_is_422(client: TestClient, tenant: Tenant) -> None:
    response = keywords(client, tenant, "not-a-uuid")
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["path.listing_id"]


@pytest.mark.parametrize(
    "attributes",
    [{"generic_keyword": ["brushless motor", 7]}, {"search_terms": "brushless motor"}],
    ids=["generic-keyword-list", "search-terms-string"],
)
def test_search_terms_attribute_counts_as_listing_text(
    client: TestClient, context: AppContext, tenant: Tenant, attributes: dict[str, Any]
) -> None:
    listing = drill_listing(client, tenant, attributes=attributes)
    keep_items(context, tenant)
    body = keywords(client, tenant, listing["id"], competitors="B0COMP0001,B0COMP0002").json()
    assert [term["term"] for term in body["missing"]] == ["led work light"]
