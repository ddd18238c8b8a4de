"""The dashboard in a real browser (Debian's chromium through Playwright): the acceptance
scenarios of issue 8 that the built pages support, with screenshots of every page."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_account, create_listing, create_tenant
from tests.web.browser_data import seed_catalog
from tests.web.conftest import screenshot

pytestmark = pytest.mark.browser


def log_in(page: Any, email: str, password: str, next_path: str = "") -> None:
    page.goto(f"/login?next={next_path}" if next_path else "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_login_catalog_listing_and_approve_a_proposal(
    context: AppContext, client: TestClient, tenant: Tenant, page: Any
) -> None:
    listings = seed_catalog(context, client, tenant)
    page.goto("/dashboard/catalog")
    assert page.url.endswith("/login?next=%2Fdashboard%2Fcatalog")
    screenshot(page, "login")
    page.get_by_label("E-mail").fill(tenant.email)
    page.get_by_label("Password").fill(tenant.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/catalog")
    assert page.locator("table.listings tbody tr").count() == 3

    page.get_by_label("Search").fill("kettle")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table.listings tbody tr")
    assert rows.count() == 1
    screenshot(page, "catalog")
    page.get_by_role("link", name="Stainless Steel Electric Kettle 1.7L").click()
    page.wait_for_url(f"**/dashboard/listings/{listings['B0KETTLE01']['id']}")
    assert page.locator("[data-version]").inner_text() == "1"
    assert page.locator("svg.chart polyline").count() == 2  # price and BSR
    assert page.locator("tr.mine td").first.inner_text() == "AMINE (you)"

    page.get_by_role("button", name="Propose new content").click()
    assert page.locator(".flash").inner_text() == "A new proposal is ready for review."
    screenshot(page, "listing")
    page.get_by_role("button", name="Approve").click()
    assert page.locator(".flash").inner_text() == "Approved: the listing is now at version 2."
    assert page.locator("[data-version]").inner_text() == "2"
    assert page.get_by_role("heading", name="Changes from version 1 to 2").is_visible()

    page.get_by_role("button", name="Roll back to this").click()  # confirm() is accepted
    assert page.locator("[data-version]").inner_text() == "3"
    screenshot(page, "listing-versions")
    page.goto("/dashboard")
    assert page.locator(".kpi strong").first.inner_text() == "3"
    screenshot(page, "overview")


def test_bulk_optimize_progress_reaches_100_percent(
    context: AppContext, client: TestClient, tenant: Tenant, page: Any
) -> None:
    seed_catalog(context, client, tenant)
    log_in(page, tenant.email, tenant.password, "/dashboard/catalog")
    page.wait_for_url("**/dashboard/catalog")
    page.get_by_label("Select all on this page").check()
    assert page.locator("[data-selected-count]").inner_text() == "3 selected"
    page.get_by_role("button", name="Optimize selected").click()
    page.wait_for_url(re.compile(r".*/dashboard/jobs#job-.*"))
    row = page.locator("table.jobs tbody tr").first
    row.locator("[data-percent]").filter(has_text="100%").wait_for(timeout=30_000)
    assert row.locator("[data-status]").inner_text() == "succeeded"
    screenshot(page, "jobs")


def test_viewer_cannot_see_settings_but_an_owner_can(
    context: AppContext, client: TestClient, tenant: Tenant, page: Any
) -> None:
    viewer = create_tenant(context, client, Role.VIEWER)
    log_in(page, viewer.email, viewer.password)
    page.wait_for_url("**/dashboard")
    response = page.goto("/dashboard/settings")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    screenshot(page, "settings-viewer")
    page.get_by_role("link", name="Back to the overview").click()
    assert page.get_by_role("link", name="Settings").count() == 1  # shown, refused when followed
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    log_in(page, tenant.email, tenant.password, "/dashboard/settings")
    page.wait_for_url("**/dashboard/settings")
    assert page.get_by_role("cell", name=tenant.email, exact=True).is_visible()
    screenshot(page, "settings")


def test_an_organization_cannot_see_anothers_listing(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, page: Any
) -> None:
    theirs = create_listing(client, other_tenant, title="Another org's secret lamp")
    log_in(page, tenant.email, tenant.password)
    page.wait_for_url("**/dashboard")
    screenshot(page, "overview-empty")
    response = page.goto(f"/dashboard/listings/{theirs['id']}")
    assert response is not None and response.status == 404
    assert "secret lamp" not in page.content()
    page.goto("/dashboard/catalog?q=secret+lamp")
    assert page.locator(".empty").is_visible()
    screenshot(page, "catalog-empty")


def test_fetch_asins_and_sync_them_into_the_catalog(
    client: TestClient, tenant: Tenant, page: Any
) -> None:
    create_account(client, tenant, marketplace="amazon.com")
    log_in(page, tenant.email, tenant.password, "/dashboard/asins")
    page.wait_for_url("**/dashboard/asins")
    screenshot(page, "asins-empty")
    page.get_by_label("ASINs").fill("B0DEMO0001, B08N5WRWNW")
    page.get_by_role("button", name="Fetch").click()
    rows = page.locator("table.items tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(2).inner_text() == "Anker USB-C Charger 65W demo"
    assert page.locator(".banner.demo").is_visible()  # demo items are marked as such
    screenshot(page, "asins-fetch")

    page.get_by_label("Select all items").check()
    page.get_by_role("button", name="Sync selected into the catalog").click()
    page.wait_for_url("**/dashboard/asins?tab=sync")
    assert page.locator(".flash").inner_text() == "Syncing 2 items into the catalog."
    history = page.locator("table.jobs tbody tr").first
    history.locator("[data-percent]").filter(has_text="100%").wait_for(timeout=30_000)
    page.reload()
    assert history.locator("td").nth(3).inner_text() == "2"  # created
    screenshot(page, "asins-sync")

    page.get_by_role("link", name="Cache").click()
    assert page.locator(".kpi strong").nth(1).inner_text() == "2"
    screenshot(page, "asins-cache")
    page.get_by_role("button", name="Clear the cache").click()
    assert page.locator(".flash").inner_text() == "Cleared 2 cached items."
    assert page.locator(".kpi strong").nth(1).inner_text() == "0"

    page.goto("/dashboard/catalog?q=Anker")
    assert page.get_by_role("link", name="Anker USB-C Charger 65W").is_visible()
