"""The demo organization: deterministic data, created once, login that works."""

from pathlib import Path

from fastapi.testclient import TestClient

from shelfwise.app import create_app
from shelfwise.catalog.identifiers import is_valid_asin, is_valid_gtin
from shelfwise.demo.catalog import generate
from shelfwise.demo.service import DEMO_EMAIL, ensure_demo
from shelfwise.platform.context import AppContext
from tests.databases import sqlite_settings


def test_generation_is_deterministic_and_valid() -> None:
    first, second = list(generate(50)), list(generate(50))
    assert [p.title for p in first] == [p.title for p in second]
    assert [[listing.price for listing in p.listings] for p in first] == [
        [listing.price for listing in p.listings] for p in second
    ]
    assert all(is_valid_gtin(p.gtin) and is_valid_asin(p.asin) for p in first)
    assert len({p.source_id for p in first}) == 50


def test_demo_is_created_once_and_its_login_works(tmp_path: Path) -> None:
    with sqlite_settings(tmp_path) as settings:
        context = AppContext.build(settings)
        login = ensure_demo(context)
        assert login is not None and login.email == DEMO_EMAIL
        assert ensure_demo(context) == login  # second start: same login, nothing new
        with TestClient(create_app(settings, context)) as client:
            response = client.post(
                "/api/auth/login", json={"email": login.email, "password": login.password}
            )
            assert response.status_code == 200
            headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
            summary = client.get("/api/products/stats/summary", headers=headers).json()
        context.database.dispose()
    assert summary["products"] == 300
    assert summary["listings"] == sum(len(p.listings) for p in generate())
    assert set(summary["listings_by_marketplace"]) == {"amazon.com", "amazon.co.uk", "amazon.de"}
    assert summary["brands"] > 10


def test_no_demo_is_added_to_an_installation_that_already_has_organizations(
    tmp_path: Path,
) -> None:
    from tests.factories import create_organization, create_user

    with sqlite_settings(tmp_path) as settings:
        context = AppContext.build(settings)
        create_user(context, "owner@example.com")
        create_organization(context, "owner@example.com", "Real Seller")
        assert ensure_demo(context) is None
        context.database.dispose()
