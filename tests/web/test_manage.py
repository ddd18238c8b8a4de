"""Dashboard management forms without a browser: members, marketplace accounts, webhook sources
and two-factor sign-in. Each action is the API's own service call: checked here through the API
afterwards, with refusals that name the field and write nothing."""

import re
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.platform.context import AppContext
from tests.accounts.test_totp import fresh_code, wrong_code
from tests.factories import (
    Tenant,
    create_account,
    create_credential,
    create_tenant,
    create_user,
    create_webhook_source,
    post_webhook,
    unique,
)
from tests.web.helpers import dashboard_login

SECRET_SHOWN = re.compile(r'<code class="secret" data-copy>([^<]+)</code>')


def post(client: TestClient, path: str, csrf: str, **fields: Any) -> Any:
    return client.post(path, data={"csrf": csrf, **fields}, follow_redirects=False)


def product_body() -> bytes:
    """A fresh delivery body: the same body signed in the same second is a replay (B3)."""
    return b'{"source_platform":"n8n","source_id":"%s","title":"Drill"}' % unique("SKU").encode()


def audit_actions(client: TestClient, tenant: Tenant) -> list[str]:
    response = client.get("/api/audit", headers=tenant.headers)
    assert response.status_code == 200
    return [entry["action"] for entry in response.json()["items"]]


def members(client: TestClient, tenant: Tenant) -> dict[str, str]:
    response = client.get("/api/organization/members", headers=tenant.headers)
    return {member["email"]: member["role"] for member in response.json()}


# members
def test_an_admin_adds_changes_and_removes_a_member(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    email = f"{unique('colleague')}@example.com"
    create_user(context, email)
    csrf = dashboard_login(client, tenant.email)
    added = post(client, "/dashboard/settings/members", csrf, email=email.upper(), role="viewer")
    assert added.status_code == 303
    assert members(client, tenant)[email] == "viewer"
    page = client.get("/dashboard/settings")
    assert f"{email} joined as viewer." in page.text
    user_id = client.get("/api/organization/members", headers=tenant.headers).json()
    colleague = next(m["user_id"] for m in user_id if m["email"] == email)
    assert post(
        client, f"/dashboard/settings/members/{colleague}", csrf, role="analyst"
    ).is_redirect
    assert members(client, tenant)[email] == "analyst"
    removed = post(client, f"/dashboard/settings/members/{colleague}/remove", csrf)
    assert removed.status_code == 303
    assert email not in members(client, tenant)
    actions = audit_actions(client, tenant)
    assert {"member.added", "member.role_changed", "member.removed"} <= set(actions)


def test_adding_a_member_is_refused_with_the_reason_and_nothing_written(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    csrf = dashboard_login(client, tenant.email)
    before = members(client, tenant)
    unknown = post(
        client, "/dashboard/settings/members", csrf, email="nobody@example.com", role="viewer"
    )
    assert unknown.status_code == 404
    assert "No user with e-mail nobody@example.com." in unknown.text
    malformed = post(client, "/dashboard/settings/members", csrf, email="not-an-email", role="x")
    assert malformed.status_code == 422
    assert "<strong>email</strong>" in malformed.text and "<strong>role</strong>" in malformed.text
    again = post(client, "/dashboard/settings/members", csrf, email=tenant.email, role="viewer")
    assert again.status_code == 409
    assert "already a member" in again.text
    assert members(client, tenant) == before


def test_the_last_owner_cannot_leave_and_an_admin_cannot_make_owners(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    csrf = dashboard_login(client, tenant.email)
    leave = post(client, f"/dashboard/settings/members/{tenant.user_id}/remove", csrf)
    assert leave.status_code == 409
    assert "at least one owner" in leave.text
    admin = create_tenant(context, client, Role.ADMIN)
    email = f"{unique('colleague')}@example.com"
    create_user(context, email)
    admin_csrf = dashboard_login(client, admin.email)
    refused = post(client, "/dashboard/settings/members", admin_csrf, email=email, role="owner")
    assert refused.status_code == 403
    assert email not in members(client, admin)


def test_viewers_and_analysts_cannot_manage_members(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    for role in (Role.VIEWER, Role.ANALYST):
        member = create_tenant(context, client, role)
        csrf = dashboard_login(client, member.email)
        response = post(client, "/dashboard/settings/members", csrf, email=tenant.email, role=role)
        assert response.status_code == 403
        assert tenant.email not in members(client, member)


# marketplace accounts
def accounts(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    response = client.get("/api/marketplace-accounts", headers=tenant.headers)
    result: list[dict[str, Any]] = response.json()
    return result


def test_an_admin_connects_edits_pauses_and_removes_an_account(
    client: TestClient, tenant: Tenant
) -> None:
    credential = create_credential(client, tenant)
    csrf = dashboard_login(client, tenant.email)
    fields = {"name": "EU store", "platform": "amazon", "marketplace": "Amazon.DE"}
    created = post(
        client, "/dashboard/settings/accounts", csrf, **fields, credential_id=credential["id"]
    )
    assert created.status_code == 303
    (account,) = accounts(client, tenant)
    assert (account["marketplace"], account["credential_id"]) == ("amazon.de", credential["id"])
    path = f"/dashboard/settings/accounts/{account['id']}"
    # The edit form: the unchecked "active" box pauses; the empty credential option clears it.
    assert post(client, path, csrf, name="EU store (paused)", credential_id="").is_redirect
    (edited,) = accounts(client, tenant)
    assert (edited["name"], edited["is_active"], edited["credential_id"]) == (
        "EU store (paused)",
        False,
        None,
    )
    page = client.get("/dashboard/settings")
    assert "EU store (paused)" in page.text and "paused" in page.text
    no_credentials = post(client, f"{path}/sync", csrf, dataset="offers")
    assert no_credentials.status_code == 422
    assert "no credentials" in no_credentials.text
    assert post(client, f"{path}/delete", csrf).status_code == 303
    assert accounts(client, tenant) == []
    actions = set(audit_actions(client, tenant))
    assert {"marketplace_account.created", "marketplace_account.deleted"} <= actions


def test_a_bad_account_form_names_each_field_and_creates_nothing(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    csrf = dashboard_login(client, tenant.email)
    bad = post(
        client,
        "/dashboard/settings/accounts",
        csrf,
        name=" ",
        platform="etsy",
        marketplace="amazon.xx",
    )
    assert bad.status_code == 422
    for field in ("name", "platform", "marketplace"):
        assert f"<strong>{field}</strong>" in bad.text
    assert "unknown marketplace" in bad.text
    # Another organization's credential is not found here: refused, nothing created.
    theirs = create_credential(client, other_tenant)
    foreign = post(
        client,
        "/dashboard/settings/accounts",
        csrf,
        name="EU store",
        platform="amazon",
        marketplace="amazon.de",
        credential_id=theirs["id"],
    )
    assert foreign.status_code in (404, 422)
    assert accounts(client, tenant) == []
    missing = post(client, "/dashboard/settings/accounts", csrf, platform="amazon")
    assert missing.status_code == 422
    assert "<strong>name</strong>: Field required" in missing.text
    assert "<strong>marketplace</strong>: Field required" in missing.text


def test_another_organizations_account_cannot_be_edited_or_removed(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = create_account(client, other_tenant, name="Their store")
    csrf = dashboard_login(client, tenant.email)
    path = f"/dashboard/settings/accounts/{theirs['id']}"
    assert post(client, path, csrf, name="Mine now", is_active="true").status_code == 404
    assert post(client, f"{path}/delete", csrf).status_code == 404
    assert [a["name"] for a in accounts(client, other_tenant)] == ["Their store"]


# webhook sources
def test_rotating_a_webhook_secret_keeps_both_until_the_old_one_is_deleted(
    client: TestClient, tenant: Tenant
) -> None:
    source = create_webhook_source(client, tenant)
    old_secret = source["secret"]
    csrf = dashboard_login(client, tenant.email)
    path = f"/dashboard/imports/sources/{source['id']}"
    rotated = post(client, f"{path}/secrets", csrf)
    assert rotated.status_code == 201
    assert "shown <strong>this once</strong>" in rotated.text
    found = SECRET_SHOWN.search(rotated.text)
    assert found is not None
    new_secret = found.group(1)
    assert new_secret != old_secret
    assert post_webhook(client, source, product_body(), secret=old_secret).status_code == 202
    assert post_webhook(client, source, product_body(), secret=new_secret).status_code == 202
    hints = client.get(f"/api/webhook-sources/{source['id']}", headers=tenant.headers).json()
    old_id = hints["secrets"][0]["id"]
    assert post(client, f"{path}/secrets/{old_id}/delete", csrf).status_code == 303
    assert post_webhook(client, source, product_body(), secret=old_secret).status_code == 401
    assert post_webhook(client, source, product_body(), secret=new_secret).status_code == 202
    page = client.get("/dashboard/imports")
    assert "Deleted the secret" in page.text
    assert old_secret not in page.text and new_secret not in page.text


def test_the_last_secret_stays_and_a_paused_source_gets_401(
    client: TestClient, tenant: Tenant
) -> None:
    source = create_webhook_source(client, tenant)
    csrf = dashboard_login(client, tenant.email)
    path = f"/dashboard/imports/sources/{source['id']}"
    hints = client.get(f"/api/webhook-sources/{source['id']}", headers=tenant.headers).json()
    last = post(client, f"{path}/secrets/{hints['secrets'][0]['id']}/delete", csrf)
    assert last.status_code == 409
    assert "at least one secret" in last.text
    assert post(client, f"{path}/active", csrf, is_active="false").status_code == 303
    assert post_webhook(client, source, product_body()).status_code == 401
    assert post(client, f"{path}/active", csrf, is_active="true").status_code == 303
    assert post_webhook(client, source, product_body()).status_code == 202


def test_a_stored_delivery_is_replayed_and_a_source_deleted(
    client: TestClient, tenant: Tenant
) -> None:
    source = create_webhook_source(client, tenant)
    receipt = post_webhook(client, source, product_body()).json()
    csrf = dashboard_login(client, tenant.email)
    page = client.get("/dashboard/imports")
    assert receipt["event_id"] in page.text
    replayed = post(client, f"/dashboard/imports/events/{receipt['id']}/replay", csrf)
    assert replayed.status_code == 303
    event = client.get("/api/webhook-events", headers=tenant.headers).json()["items"][0]
    assert event["job_id"] != receipt["job_id"]
    assert replayed.headers["location"] == f"/dashboard/jobs#job-{event['job_id']}"
    assert post(client, f"/dashboard/imports/sources/{source['id']}/delete", csrf).is_redirect
    gone = client.get(f"/api/webhook-sources/{source['id']}", headers=tenant.headers)
    assert gone.status_code == 404


def test_another_organizations_source_is_not_found(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = create_webhook_source(client, other_tenant)
    csrf = dashboard_login(client, tenant.email)
    path = f"/dashboard/imports/sources/{theirs['id']}"
    for action, fields in (("secrets", {}), ("active", {"is_active": "false"}), ("delete", {})):
        assert post(client, f"{path}/{action}", csrf, **fields).status_code == 404
    assert post_webhook(client, theirs, product_body()).status_code == 202


# two-factor sign-in
def test_a_user_turns_two_factor_on_with_the_qr_code_and_off_again(
    context: AppContext, client: TestClient
) -> None:
    viewer = create_tenant(context, client, Role.VIEWER)  # any role manages their own sign-in
    csrf = dashboard_login(client, viewer.email)
    page = client.get("/dashboard/account")
    assert page.status_code == 200 and "Off." in page.text
    started = post(client, "/dashboard/account/totp/enroll", csrf)
    assert started.status_code == 200
    assert '<svg width="' in started.text and 'class="segno"' in started.text
    found = SECRET_SHOWN.search(started.text)
    assert found is not None
    secret = found.group(1)
    pyotp.TOTP(secret).now()  # a valid base32 key for any authenticator app
    wrong = post(client, "/dashboard/account/totp/confirm", csrf, code=wrong_code(secret))
    assert wrong.status_code == 303
    pending = client.get("/dashboard/account")
    assert "That code does not match" in pending.text and "Set-up started" in pending.text
    assert client.get("/api/auth/me", headers=viewer.headers).json()["is_totp_enabled"] is False
    code, step = fresh_code(secret)
    assert post(client, "/dashboard/account/totp/confirm", csrf, code=code).status_code == 303
    assert "Two-factor sign-in is on" in client.get("/dashboard/account").text
    assert client.get("/api/auth/me", headers=viewer.headers).json()["is_totp_enabled"] is True
    refused = post(client, "/dashboard/account/totp/disable", csrf, code=wrong_code(secret))
    assert "nothing changed" in client.get(refused.headers["location"]).text
    assert client.get("/api/auth/me", headers=viewer.headers).json()["is_totp_enabled"] is True
    code, _ = fresh_code(secret, step)
    assert post(client, "/dashboard/account/totp/disable", csrf, code=code).status_code == 303
    assert client.get("/api/auth/me", headers=viewer.headers).json()["is_totp_enabled"] is False


def test_account_forms_need_the_csrf_token(client: TestClient, tenant: Tenant) -> None:
    dashboard_login(client, tenant.email)
    response = post(client, "/dashboard/account/totp/enroll", "0" * 64)
    assert response.status_code == 403
    assert client.get("/api/auth/me", headers=tenant.headers).json()["is_totp_enabled"] is False


# credentials
def credentials(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = client.get("/api/credentials", headers=tenant.headers).json()
    return result


def test_an_admin_stores_sp_api_credentials_shown_only_masked(
    client: TestClient, tenant: Tenant
) -> None:
    csrf = dashboard_login(client, tenant.email)
    fields = ["refresh_token", "lwa_app_id", "lwa_client_secret"]
    values = [
        "Atzr|refresh-0123456789",
        "amzn1.application-oa2-client.abc",
        "amzn1.oa2-cs.v1.lwa-secret-5678",
    ]
    stored = client.post(
        "/dashboard/settings/credentials",
        data={
            "csrf": csrf,
            "name": "SP-API EU",
            "kind": "amazon_spapi",
            "field": fields,
            "value": values,
        },
        follow_redirects=False,
    )
    assert stored.status_code == 303
    (credential,) = credentials(client, tenant)
    assert (credential["name"], credential["kind"]) == ("SP-API EU", "amazon_spapi")
    assert sorted(credential["masked"]) == sorted(fields)
    page = client.get("/dashboard/settings")
    assert "Stored the credential SP-API EU." in page.text
    assert all(value not in page.text for value in values)
    assert "5678" in page.text  # the masked hint


def test_a_credential_missing_a_field_or_of_an_unknown_kind_is_not_stored(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    csrf = dashboard_login(client, tenant.email)
    missing = client.post(
        "/dashboard/settings/credentials",
        data={
            "csrf": csrf,
            "name": "Half",
            "kind": "amazon_spapi",
            "field": ["refresh_token", "lwa_app_id", "lwa_client_secret"],
            "value": ["Atzr|x", "", "secret"],
        },
    )
    assert "Fill in lwa_app_id." in missing.text
    unknown = client.post(
        "/dashboard/settings/credentials",
        data={"csrf": csrf, "name": "Odd", "kind": "keepa", "field": ["key"], "value": ["k"]},
    )
    assert "Unknown credential kind: keepa." in unknown.text
    assert credentials(client, tenant) == []
    analyst = create_tenant(context, client, Role.ANALYST)
    analyst_csrf = dashboard_login(client, analyst.email)
    refused = client.post(
        "/dashboard/settings/credentials",
        data={
            "csrf": analyst_csrf,
            "name": "Mine",
            "kind": "amazon_creators",
            "field": ["credential_id", "credential_secret", "version", "partner_tag"],
            "value": ["id", "secret", "2.1", "tag-20"],
        },
    )
    assert refused.status_code == 403
    assert credentials(client, tenant) == []
