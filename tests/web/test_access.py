"""Dashboard access control without a browser: login, CSRF, roles, tenancy, redirects."""

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.demo.service import DEMO_ORGANIZATION
from shelfwise.platform.context import AppContext
from tests.accounts.test_totp import enroll, fresh_code
from tests.factories import (
    Tenant,
    create_listing,
    create_organization,
    create_tenant,
    create_user,
    unique,
)
from tests.web.helpers import dashboard_login, login_form


@pytest.mark.parametrize(
    "path", ["/dashboard", "/dashboard/catalog", "/dashboard/jobs", "/dashboard/settings"]
)
def test_anonymous_visitor_is_sent_to_login(client: TestClient, path: str) -> None:
    client.cookies.clear()
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path.replace('/', '%2F')}"


def test_public_landing_page_needs_no_login(client: TestClient) -> None:
    client.cookies.clear()
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/dashboard"' in response.text


def test_login_sets_httponly_lax_cookies_and_logout_revokes_the_session(
    client: TestClient, tenant: Tenant
) -> None:
    client.cookies.clear()
    response = client.post(
        "/login",
        data=login_form(
            client,
            **{"email": tenant.email, "password": tenant.password, "next": "/dashboard/jobs"},
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/jobs"
    cookies = response.headers.get_list("set-cookie")
    access = next(c for c in cookies if c.startswith("sw_access="))
    assert "HttpOnly" in access and "SameSite=lax" in access
    assert "Max-Age" not in access  # a browser-session cookie: closing the browser ends it
    csrf = dashboard_login(client, tenant.email)
    token = client.cookies["sw_access"]
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    # The session behind the cookie is revoked server-side: the token no longer works anywhere.
    api = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    client.cookies.set("sw_access", token)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_wrong_password_shows_the_form_again(client: TestClient, tenant: Tenant) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data=login_form(client, email=tenant.email, password="wrong-password!")
    )
    assert response.status_code == 401
    assert "Invalid email or password." in response.text
    assert "sw_access" not in client.cookies


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
    ids=["absolute", "scheme-relative", "backslash", "javascript"],
)
def test_next_outside_the_site_is_not_followed(
    client: TestClient, tenant: Tenant, target: str
) -> None:
    client.cookies.clear()
    response = client.post(
        "/login",
        data=login_form(
            client, **{"email": tenant.email, "password": tenant.password, "next": target}
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"


def test_post_without_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, tenant: Tenant
) -> None:
    dashboard_login(client, tenant.email)
    response = client.post("/logout", data={"csrf": "0" * 64}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/dashboard", follow_redirects=False).status_code == 200
    missing = client.post("/logout", data={}, follow_redirects=False)
    assert missing.status_code == 403
    assert client.get("/dashboard", follow_redirects=False).status_code == 200


def test_viewer_cannot_see_settings(context: AppContext, client: TestClient) -> None:
    viewer = create_tenant(context, client, Role.VIEWER)
    dashboard_login(client, viewer.email)
    response = client.get("/dashboard/settings")
    assert response.status_code == 403
    assert "admin role or higher" in response.text
    assert 'href="/dashboard/settings"' not in client.get("/dashboard").text


def test_another_organizations_listing_is_not_found(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = create_listing(client, other_tenant, title="Their secret kettle")
    dashboard_login(client, tenant.email)
    response = client.get(f"/dashboard/listings/{theirs['id']}")
    assert response.status_code == 404
    assert "Their secret kettle" not in response.text
    catalog = client.get("/dashboard/catalog", params={"q": "secret kettle"})
    assert "Their secret kettle" not in catalog.text


def test_dashboard_routes_stay_out_of_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert [path for path in paths if path.startswith(("/dashboard", "/login"))] == []


def test_login_asks_for_the_totp_code_when_enrolled(client: TestClient, tenant: Tenant) -> None:
    secret, step = enroll(client, tenant)
    client.cookies.clear()
    first = client.post(
        "/login", data=login_form(client, email=tenant.email, password=tenant.password)
    )
    assert first.status_code == 200
    assert 'name="totp_code"' in first.text
    assert "sw_access" not in client.cookies
    wrong = client.post(
        "/login",
        data=login_form(
            client, **{"email": tenant.email, "password": tenant.password, "totp_code": "000000"}
        ),
    )
    assert wrong.status_code == 401
    assert "A valid TOTP code is required." in wrong.text
    code, _ = fresh_code(secret, step)
    signed_in = client.post(
        "/login",
        data=login_form(
            client, **{"email": tenant.email, "password": tenant.password, "totp_code": code}
        ),
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert client.get("/dashboard", follow_redirects=False).status_code == 200


def test_switching_to_an_organization_one_is_not_a_member_of_is_refused(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    csrf = dashboard_login(client, tenant.email)
    response = client.post(
        "/dashboard/organization",
        data={"csrf": csrf, "organization_id": str(other_tenant.organization_id)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "sw_org" not in response.headers.get("set-cookie", "")
    # Even a forged cookie naming it shows the user's own organization, never the other one.
    client.cookies.set("sw_org", str(other_tenant.organization_id))
    page = client.get("/dashboard")
    assert page.status_code == 200
    own = client.get("/api/auth/me", headers=tenant.headers).json()["organizations"][0]["name"]
    other = client.get("/api/auth/me", headers=other_tenant.headers).json()
    assert f"{own} · owner" in page.text
    assert other["organizations"][0]["name"] not in page.text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/dashboard/catalog/bulk", {"action": "optimize"}),
        ("/dashboard/settings/api-keys", {"name": "k", "role": "viewer"}),
        ("/dashboard/asins/cache/clear", {}),
    ],
    ids=["bulk-optimize", "create-api-key", "clear-cache"],
)
def test_every_form_post_needs_the_csrf_token(
    client: TestClient, tenant: Tenant, path: str, data: dict[str, str]
) -> None:
    dashboard_login(client, tenant.email)
    response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 403
    keys = client.get("/api/api-keys", headers=tenant.headers).json()
    assert keys == []


def test_an_expired_access_cookie_is_renewed_with_the_refresh_cookie(
    client: TestClient, tenant: Tenant
) -> None:
    dashboard_login(client, tenant.email)
    old_refresh = client.cookies["sw_refresh"]
    domain = next(c.domain for c in client.cookies.jar if c.name == "sw_access")
    client.cookies.set("sw_access", "expired-or-garbage", domain=domain, path="/")
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 200
    assert client.cookies["sw_refresh"] != old_refresh  # rotated, like POST /api/auth/refresh
    fresh = client.cookies["sw_access"]
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    )


def test_cookies_are_secure_over_https(client: TestClient, tenant: Tenant) -> None:
    client.cookies.clear()
    response = client.post(
        "https://testserver/login",
        data=login_form(client, email=tenant.email, password=tenant.password),
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    assert all("Secure" in cookie for cookie in cookies if cookie.startswith("sw_"))
    client.cookies.clear()


def test_text_from_the_catalog_is_escaped(client: TestClient, tenant: Tenant) -> None:
    listing = create_listing(client, tenant, title="<script>alert(1)</script> Kettle")
    dashboard_login(client, tenant.email)
    for path in ("/dashboard/catalog", f"/dashboard/listings/{listing['id']}"):
        page = client.get(path).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Kettle" in page


def test_the_demo_organization_carries_a_banner(context: AppContext, client: TestClient) -> None:
    email = f"{unique('demo')}@example.com"
    create_user(context, email)
    create_organization(context, email, DEMO_ORGANIZATION)
    dashboard_login(client, email)
    assert "Demo organization: every product" in client.get("/dashboard").text


def test_a_login_post_without_the_forms_token_is_refused(
    client: TestClient, tenant: Tenant
) -> None:
    client.cookies.clear()
    # What a form on another site could send: no login cookie comes with a cross-site POST.
    response = client.post(
        "/login",
        data={"email": tenant.email, "password": tenant.password, "login_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "The login form expired; please try again." in response.text
    assert "sw_access" not in client.cookies
