"""The dashboard in a real browser (Debian's chromium through Playwright): the acceptance
scenarios of issue 8 that the built pages support, with screenshots of every page."""

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.app import create_app
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from tests.databases import database_settings
from tests.factories import (
    Tenant,
    add_member,
    create_account,
    create_listing,
    create_tenant,
    create_user,
    post_webhook,
    unique,
)
from tests.web.browser_data import seed_catalog, seed_item_history
from tests.web.conftest import screenshot

pytestmark = pytest.mark.browser


# The browser tests get a database of their own (per module and backend): the live server runs
# the embedded worker and scheduler, which on the session's database would first work through
# every job and account sync other test modules left behind (minutes, in a whole-suite run).
@pytest.fixture(scope="module")
def settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with database_settings(backend, tmp_path_factory.mktemp(f"browser-{backend}")) as value:
        yield value


@pytest.fixture(scope="module")
def context(settings: Settings) -> Iterator[AppContext]:
    value = AppContext.build(settings)
    yield value
    value.database.dispose()


@pytest.fixture(scope="module")
def client(settings: Settings, context: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(settings, context), raise_server_exceptions=False) as value:
        yield value


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
    kettle_id = listings["B0KETTLE01"]["id"]
    api_score = client.get(f"/api/listings/{kettle_id}/score", headers=tenant.headers).json()
    assert page.locator("[data-score]").inner_text() == str(api_score["score"])
    fixes = [rule["fix"] for section in api_score["sections"] for rule in section["rules"]]
    assert "Add 3 bullet points: benefits, materials, size, compatibility, care." in fixes
    assert page.get_by_text("Add 3 bullet points: benefits, materials").is_visible()

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
    row.locator("[data-status]").filter(has_text="succeeded").wait_for(timeout=10_000)
    assert not row.get_by_role("button", name="Cancel").is_visible()  # hidden once it ended
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
    assert page.get_by_role("button", name="Log out").is_visible()  # the page keeps its header
    screenshot(page, "settings-viewer")
    page.get_by_role("link", name="Back to the overview").click()
    assert page.get_by_role("link", name="Settings").count() == 0  # not offered to a viewer
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    log_in(page, tenant.email, tenant.password, "/dashboard/settings")
    page.wait_for_url("**/dashboard/settings")
    assert page.locator("#members tr", has_text=tenant.email).is_visible()
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
    page.wait_for_url(re.compile(r"/dashboard/asins\?tab=sync&marketplace=amazon\.com$"))
    assert page.locator(".flash").inner_text() == "Syncing 2 items into the catalog."
    # The Sync tab lists the fetched items for review, newest first, selectable again.
    assert page.locator("table.items tbody tr").count() == 2
    history = page.locator("table.runs tbody tr").first
    history.locator("[data-percent]").filter(has_text="100%").wait_for(timeout=30_000)
    history.locator("[data-status]").filter(has_text="succeeded").wait_for(timeout=10_000)
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


def _catalog_csv(path: Path, rows: int) -> Path:
    lines = ["source id,title,Hersteller X,price,currency"]
    lines += [f"CSV-{n},Garden Hose {n}m,Hoseworks,{10 + n}.50,GBP" for n in range(1, rows + 1)]
    lines.append("CSV-BAD,Broken price row,Hoseworks,not-a-price,GBP")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_upload_a_csv_with_mapping_and_dry_run_then_watch_it_reach_100_percent(
    tenant: Tenant, page: Any, tmp_path: Path
) -> None:
    csv_file = _catalog_csv(tmp_path / "hoses.csv", 40)
    log_in(page, tenant.email, tenant.password, "/dashboard/imports")
    page.wait_for_url("**/dashboard/imports")
    screenshot(page, "imports-empty")
    page.get_by_label("CSV or XLSX file").set_input_files(str(csv_file))
    brand = page.get_by_label("Field for Hersteller X")
    assert brand.input_value() == ""  # not a known name for any field: skipped unless mapped
    assert page.get_by_label("Field for title").input_value() == "title"
    brand.select_option("brand")
    page.get_by_label("Dry run").check()
    screenshot(page, "imports-mapping")
    page.get_by_role("button", name="Upload").click()
    assert page.locator(".flash").inner_text() == "Dry run of hoses.csv started."
    dry = page.locator("table.runs tbody tr").first
    dry.locator("[data-percent]").filter(has_text="100").wait_for(timeout=30_000)

    page.get_by_label("CSV or XLSX file").set_input_files(str(csv_file))
    # The mapping chosen for these headers was saved with the dry run and is suggested now.
    assert page.get_by_label("Field for Hersteller X").input_value() == "brand"
    page.get_by_role("button", name="Upload").click()
    run = page.locator("table.runs tbody tr").first
    run.locator("[data-percent]").filter(has_text="100").wait_for(timeout=30_000)
    # 100% can show while the job records its end; then the status reads succeeded.
    run.locator("[data-status]").filter(has_text="succeeded").wait_for(timeout=10_000)
    page.reload()
    cells = page.locator("table.runs tbody tr").first.locator("td")
    assert [cells.nth(i).inner_text() for i in (3, 5)] == ["40", "1"]  # created, rejected
    with page.expect_download() as download:
        page.get_by_role("link", name="errors.csv").first.click()
    report = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert report == ["row,field,message", "line 42,price,'not-a-price' is not a price"]
    screenshot(page, "imports")


def test_webhook_source_shows_its_secret_once_with_an_example(
    client: TestClient, tenant: Tenant, page: Any
) -> None:
    log_in(page, tenant.email, tenant.password, "/dashboard/imports")
    page.wait_for_url("**/dashboard/imports")
    page.get_by_label("New source name").fill("n8n-allegro")
    page.get_by_role("button", name="Create source").click()
    secret = page.locator("code.secret").inner_text()
    assert f"SECRET='{secret}'" in page.locator("pre.example").inner_text()
    screenshot(page, "webhook-secret")
    page.get_by_role("link", name="Back to imports").click()
    source = page.locator("article.credential", has_text="n8n-allegro")
    assert secret not in source.inner_text()
    assert secret[-4:] in source.inner_text()  # only the masked hint is shown again

    # Rotation: a second secret (shown once), then the first one deleted.
    source.get_by_role("button", name="Rotate: add a new secret").click()
    rotated = page.locator("code.secret").inner_text()
    assert rotated != secret
    page.get_by_role("link", name="Back to imports").click()
    source = page.locator("article.credential", has_text="n8n-allegro")
    assert source.locator("tbody tr").count() == 2
    source.locator("tr", has_text=secret[-4:]).get_by_role("button", name="Delete secret").click()
    assert page.locator(".flash").inner_text().startswith("Deleted the secret")
    source = page.locator("article.credential", has_text="n8n-allegro")
    assert secret[-4:] not in source.inner_text() and rotated[-4:] in source.inner_text()

    # A delivery signed with the new secret is listed and can be replayed.
    source_id = source.locator("p.meta code").inner_text()
    body = b'{"source_platform":"n8n","source_id":"SKU-1","title":"Cordless Drill 18V"}'
    receipt = post_webhook(client, {"id": source_id, "secret": rotated}, body, event_id="evt-1")
    assert receipt.status_code == 202
    page.reload()
    delivery = page.locator("#deliveries tr", has_text="evt-1")
    assert delivery.is_visible()
    screenshot(page, "imports-sources")
    delivery.get_by_role("button", name="Replay").click()
    page.wait_for_url("**/dashboard/jobs**")
    assert page.locator(".flash").inner_text() == "Delivery queued again."
    page.goto("/dashboard/imports")
    source = page.locator("article.credential", has_text="n8n-allegro")
    source.get_by_role("button", name="Pause").click()
    assert "paused" in page.locator(".flash").inner_text()


def test_settings_credentials_masked_rotated_and_deleted_and_api_keys(
    tenant: Tenant, page: Any
) -> None:
    log_in(page, tenant.email, tenant.password, "/dashboard/settings")
    page.wait_for_url("**/dashboard/settings")
    page.get_by_label("Base URL").fill("http://127.0.0.1:9/v1")
    page.get_by_label("Model").fill("tiny-model")
    page.get_by_label("API key").fill("sk-test-abcdefgh1234")
    page.get_by_role("button", name="Store provider").click()
    assert page.locator(".flash").inner_text() == "Stored the LLM provider (tiny-model)."
    credential = page.locator("article.credential")
    assert "sk-test-abcdefgh1234" not in page.content()  # only the masked hint
    assert "1234" in credential.inner_text()

    credential.get_by_text("Rotate").click()
    credential.get_by_label("New api_key").fill("sk-test-new-secret-9999")
    credential.get_by_label("New base_url").fill("http://127.0.0.1:9/v1")
    credential.get_by_label("New model").fill("tiny-model")
    credential.get_by_role("button", name="Save new secrets").click()
    assert page.locator(".flash").inner_text() == "Rotated the secrets of LLM tiny-model."
    assert "9999" in page.locator("article.credential").inner_text()
    screenshot(page, "settings-credentials")

    page.get_by_role("button", name="Delete").click()  # confirm() is accepted
    assert page.locator(".flash").inner_text() == "Deleted the credential LLM tiny-model."
    assert page.locator("article.credential").count() == 0

    page.locator("#api-keys").get_by_label("Name", exact=True).fill("n8n")
    page.get_by_role("button", name="Create API key").click()
    key = page.locator("code.secret").inner_text()
    assert key.startswith("swk_")
    page.get_by_role("link", name="Back to settings").click()
    assert key not in page.content()
    page.get_by_role("button", name="Revoke").click()
    assert page.locator(".flash").inner_text() == "Revoked the API key n8n."
    assert page.get_by_role("cell", name="revoked").is_visible()


def test_organization_switcher_changes_what_is_shown(
    context: AppContext, client: TestClient, tenant: Tenant, other_tenant: Tenant, page: Any
) -> None:
    create_listing(client, tenant, title="Home org teapot")
    create_listing(client, other_tenant, title="Second org lantern")
    add_member(context, other_tenant.organization_id, tenant.email, Role.ANALYST)
    log_in(page, tenant.email, tenant.password, "/dashboard/catalog")
    page.wait_for_url("**/dashboard/catalog")
    assert page.get_by_role("link", name="Home org teapot").is_visible()
    assert page.get_by_role("link", name="Second org lantern").count() == 0
    switcher = page.get_by_label("Organization")
    switcher.select_option(str(other_tenant.organization_id))  # app.js submits on change
    page.wait_for_url("**/dashboard")
    assert page.locator(".flash").inner_text() == "Organization switched."
    screenshot(page, "overview-switched")
    page.goto("/dashboard/catalog")
    assert page.get_by_role("link", name="Second org lantern").is_visible()
    assert page.get_by_role("link", name="Home org teapot").count() == 0
    assert page.goto("/dashboard/settings").status == 403  # an analyst there


def test_an_owner_adds_a_member_connects_an_account_and_turns_on_two_factor(
    context: AppContext, tenant: Tenant, page: Any
) -> None:
    colleague = f"{unique('colleague')}@example.com"
    create_user(context, colleague)
    log_in(page, tenant.email, tenant.password, "/dashboard/settings")
    page.wait_for_url("**/dashboard/settings")
    team = page.locator("#members form[action='/dashboard/settings/members']")
    team.get_by_label("E-mail of an existing user").fill(colleague)
    team.get_by_label("Role").select_option("viewer")
    team.get_by_role("button", name="Add member").click()
    assert page.locator(".flash").inner_text() == f"{colleague} joined as viewer."
    assert page.locator("#members tr", has_text=colleague).is_visible()

    vault = page.locator("#credentials")
    vault.get_by_text("Add Amazon SP-API (Login with Amazon) credentials").click()
    spapi = vault.locator("form", has=page.locator("input[value=amazon_spapi]"))
    spapi.get_by_label("Name", exact=True).fill("SP-API EU")
    spapi.get_by_label("refresh_token").fill("Atzr|IwEBIA-refresh-token-0001")
    spapi.get_by_label("lwa_app_id").fill("amzn1.application-oa2-client.0001")
    spapi.get_by_label("lwa_client_secret").fill("amzn1.oa2-cs.v1.client-secret-4242")
    spapi.get_by_role("button", name="Store credentials").click()
    assert page.locator(".flash").inner_text() == "Stored the credential SP-API EU."
    assert "client-secret-4242" not in page.content()

    accounts = page.locator("#accounts")
    accounts.get_by_label("Name", exact=True).fill("EU store")
    accounts.get_by_label("Platform").select_option("amazon")
    accounts.get_by_label("Marketplace").fill("amazon.de")
    accounts.get_by_label("Credentials").select_option(label="SP-API EU (amazon_spapi)")
    accounts.get_by_role("button", name="Connect").click()
    assert page.locator(".flash").inner_text() == "Connected EU store (amazon.de)."
    store = page.locator("#accounts article", has_text="EU store")
    store.get_by_text("Edit").click()
    store.get_by_label("Active").uncheck()
    store.get_by_role("button", name="Save").click()
    assert page.locator(".flash").inner_text() == "Saved EU store (paused)."
    assert "credentials SP-API EU" in page.locator("#accounts article").inner_text()
    screenshot(page, "settings-members-accounts")

    page.get_by_role("link", name=tenant.email).click()
    page.wait_for_url("**/dashboard/account")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    assert page.locator("figure.qr svg").is_visible()
    secret = page.locator("code.secret").inner_text()
    screenshot(page, "account-totp")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    assert page.locator(".flash").inner_text().startswith("Two-factor sign-in is on")
    screenshot(page, "account")


def test_an_owner_watches_a_competitor_and_opens_its_price_history(
    context: AppContext, client: TestClient, tenant: Tenant, page: Any
) -> None:
    account = create_account(client, tenant, name="UK store")
    rival = "B0RIVAL001"
    seed_item_history(context, tenant.organization_id, uuid.UUID(account["id"]), rival)
    log_in(page, tenant.email, tenant.password)
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="Accounts").click()
    assert page.get_by_role("cell", name="amazon · amazon.co.uk").is_visible()
    screenshot(page, "accounts")
    page.get_by_role("link", name="UK store").click()
    assert page.get_by_text("No orders synced yet.").is_visible()
    screenshot(page, "account-orders-empty")
    page.get_by_role("link", name="Inventory").click()
    assert page.get_by_text("No FBA inventory synced yet.").is_visible()
    screenshot(page, "account-inventory-empty")
    page.get_by_role("link", name="Competitors").click()
    page.get_by_label("ASIN").fill(rival.lower())
    page.get_by_label("Note").fill("Rival kettle")
    page.get_by_role("button", name="Watch").click()
    assert page.locator(".flash").inner_text().startswith(f"Watching {rival}")
    row = page.locator("table.watched tbody tr", has_text=rival)
    assert "28.99 GBP" in row.inner_text()
    screenshot(page, "account-competitors")
    row.get_by_role("link", name=rival).click()
    assert page.locator("svg").first.is_visible()
    assert page.get_by_role("heading", name=rival).is_visible()
    screenshot(page, "account-item")
    page.goto(f"/dashboard/accounts/{account['id']}?tab=sync")
    assert page.get_by_text("No sync has run on this account yet.").is_visible()
    screenshot(page, "account-sync")
