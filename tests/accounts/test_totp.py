"""TOTP two-factor authentication (RFC 6238): enrolment, login, single use, disabling.

Fresh codes come from the next time step (the server accepts one step of drift) instead of
waiting for the clock.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from tests.accounts.conftest import NewClient, problem
from tests.factories import Tenant

INTERVAL = 30


def fresh_code(secret: str, after_step: int | None = None) -> tuple[str, int]:
    """A code the server accepts now, from a later time step than `after_step`."""
    current = int(time.time() // INTERVAL)
    step = current if after_step is None else max(after_step + 1, current)
    assert step <= current + 1, "no unused step inside the drift window"
    return pyotp.TOTP(secret).at(step * INTERVAL), step


def wrong_code(secret: str) -> str:
    """A six-digit code that matches none of the steps the server accepts now."""
    current = int(time.time() // INTERVAL)
    valid = {pyotp.TOTP(secret).at(step * INTERVAL) for step in range(current - 2, current + 3)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def enroll(client: TestClient, tenant: Tenant) -> tuple[str, int]:
    """Enrol and confirm; returns the secret and the step its confirming code used."""
    response = client.post("/api/auth/totp/enroll", headers=tenant.headers)
    assert response.status_code == 200
    secret: str = response.json()["secret"]
    code, step = fresh_code(secret)
    verified = client.post("/api/auth/totp/verify", json={"code": code}, headers=tenant.headers)
    assert verified.status_code == 204
    return secret, step


def login(client: TestClient, tenant: Tenant, code: str | None = None) -> Any:
    body = {"email": tenant.email, "password": tenant.password}
    return client.post("/api/auth/login", json=body | ({"totp_code": code} if code else {}))


def is_enabled(client: TestClient, tenant: Tenant) -> bool:
    value: bool = client.get("/api/auth/me", headers=tenant.headers).json()["is_totp_enabled"]
    return value


def test_enroll_returns_secret_and_otpauth_uri(client: TestClient, tenant: Tenant) -> None:
    response = client.post("/api/auth/totp/enroll", headers=tenant.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["otpauth_uri"] == pyotp.TOTP(body["secret"]).provisioning_uri(
        name=tenant.email, issuer_name="Shelfwise"
    )
    assert body["otpauth_uri"].startswith("otpauth://totp/Shelfwise:")
    assert len(body["secret"]) == 32
    assert not is_enabled(client, tenant)  # only a verified code turns it on


def test_verify_with_a_wrong_code_keeps_it_off(client: TestClient, tenant: Tenant) -> None:
    secret = client.post("/api/auth/totp/enroll", headers=tenant.headers).json()["secret"]
    response = client.post(
        "/api/auth/totp/verify", json={"code": wrong_code(secret)}, headers=tenant.headers
    )
    assert response.status_code == 422
    assert problem(response)["errors"] == [{"field": "code", "message": "does not match"}]
    assert not is_enabled(client, tenant)


def test_login_needs_a_code_once_enabled(
    client: TestClient, tenant: Tenant, client_from_new_ip: NewClient
) -> None:
    secret, step = enroll(client, tenant)
    assert is_enabled(client, tenant)
    browser = client_from_new_ip()

    without = login(browser, tenant)
    assert without.status_code == 401
    assert problem(without) == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "A valid TOTP code is required.",
        "instance": "/api/auth/login",
        "totp_required": True,
    }
    wrong = login(browser, tenant, wrong_code(secret))
    assert (wrong.status_code, wrong.json()["totp_required"]) == (401, True)

    code, _step = fresh_code(secret, after_step=step)
    accepted = login(browser, tenant, code)
    assert accepted.status_code == 200
    assert accepted.json()["access_token"]


def test_a_code_is_single_use(
    client: TestClient, tenant: Tenant, client_from_new_ip: NewClient
) -> None:
    secret, step = enroll(client, tenant)
    browser = client_from_new_ip()
    # The code that confirmed enrolment is spent already.
    spent_at_enrolment = pyotp.TOTP(secret).at(step * INTERVAL)
    assert login(browser, tenant, spent_at_enrolment).status_code == 401

    code, _step = fresh_code(secret, after_step=step)
    assert login(browser, tenant, code).status_code == 200
    replay = login(browser, tenant, code)
    assert replay.status_code == 401
    assert replay.json()["totp_required"] is True


def test_a_code_is_single_use_also_for_concurrent_logins(
    client: TestClient, tenant: Tenant, client_from_new_ip: NewClient
) -> None:
    secret, step = enroll(client, tenant)
    code, _step = fresh_code(secret, after_step=step)
    browsers = [client_from_new_ip() for _ in range(4)]
    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = sorted(pool.map(lambda b: login(b, tenant, code).status_code, browsers))
    assert statuses == [200, 401, 401, 401]


def test_disable_needs_a_valid_code(
    client: TestClient, tenant: Tenant, client_from_new_ip: NewClient
) -> None:
    secret, step = enroll(client, tenant)
    rejected = client.post(
        "/api/auth/totp/disable", json={"code": wrong_code(secret)}, headers=tenant.headers
    )
    assert rejected.status_code == 422
    assert is_enabled(client, tenant)
    spent = pyotp.TOTP(secret).at(step * INTERVAL)
    replayed = client.post("/api/auth/totp/disable", json={"code": spent}, headers=tenant.headers)
    assert replayed.status_code == 422
    assert is_enabled(client, tenant)

    code, _step = fresh_code(secret, after_step=step)
    disabled = client.post("/api/auth/totp/disable", json={"code": code}, headers=tenant.headers)
    assert disabled.status_code == 204
    assert not is_enabled(client, tenant)
    assert login(client_from_new_ip(), tenant).status_code == 200


def test_enrolling_twice_while_enabled_is_409(client: TestClient, tenant: Tenant) -> None:
    enroll(client, tenant)
    response = client.post("/api/auth/totp/enroll", headers=tenant.headers)
    assert response.status_code == 409
    assert is_enabled(client, tenant)


def test_api_keys_have_no_totp(client: TestClient, tenant: Tenant) -> None:
    key = client.post(
        "/api/api-keys", json={"name": "k", "role": "admin"}, headers=tenant.headers
    ).json()["key"]
    response = client.post("/api/auth/totp/enroll", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
