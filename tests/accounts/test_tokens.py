"""Access and refresh tokens: forgeries refused (E3), revocation by session, rotation."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from shelfwise.accounts import security
from shelfwise.accounts.security import signing_key
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.accounts.conftest import bearer, problem
from tests.factories import Tenant

INVALID_TOKEN = {
    "type": "about:blank",
    "title": "Unauthorized",
    "status": 401,
    "detail": "Missing, invalid or expired credentials.",
    "instance": "/api/auth/me",
}
NO_BEARER = INVALID_TOKEN | {"detail": "Send Authorization: Bearer <access token or API key>."}
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)

Claims = dict[str, Any]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_signed(header: dict[str, Any], claims: Claims, key: bytes | None) -> str:
    """A JWT assembled by hand, HMAC-SHA256 signed with `key` (None: no signature)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = (
        b"" if key is None else hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    )
    return f"{signing_input}.{b64url(signature)}"


def server_key(context: AppContext) -> str:
    return signing_key(context.settings)


def resigned(context: AppContext, claims: Claims, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, server_key(context), algorithm=algorithm)


def without(claims: Claims, name: str) -> Claims:
    return {k: v for k, v in claims.items() if k != name}


def tampered(context: AppContext, claims: Claims, token: str) -> str:
    header, _payload, signature = token.split(".")
    forged = claims | {"sub": str(uuid.uuid4())}
    return f"{header}.{b64url(json.dumps(forged).encode())}.{signature}"


Forgery = Callable[[AppContext, Claims, str], str]
HS256 = {"alg": "HS256", "typ": "JWT"}
FORGERIES: dict[str, Forgery] = {
    "alg-none": lambda c, claims, t: hand_signed({"alg": "none", "typ": "JWT"}, claims, None),
    "alg-none-with-real-signature": lambda c, claims, t: (
        hand_signed({"alg": "none", "typ": "JWT"}, claims, None) + t.rsplit(".", 1)[1]
    ),
    "other-hs256-key": lambda c, claims, t: jwt.encode(claims, "k" * 64, algorithm="HS256"),
    "rs256-own-rsa-key": lambda c, claims, t: jwt.encode(claims, RSA_KEY, algorithm="RS256"),
    "key-confusion-hs256-with-rsa-public-key": lambda c, claims, t: hand_signed(
        HS256, claims, RSA_PUBLIC_PEM
    ),
    "rs256-header-with-hmac-of-server-key": lambda c, claims, t: hand_signed(
        {"alg": "RS256", "typ": "JWT"}, claims, server_key(c).encode()
    ),
    "hs512-with-server-key": lambda c, claims, t: resigned(c, claims, "HS512"),
    "expired": lambda c, claims, t: resigned(
        c, claims | {"iat": int(time.time()) - 3600, "exp": int(time.time()) - 60}
    ),
    "wrong-aud": lambda c, claims, t: resigned(c, claims | {"aud": "someone-else"}),
    "wrong-iss": lambda c, claims, t: resigned(c, claims | {"iss": "evil"}),
    "missing-exp": lambda c, claims, t: resigned(c, without(claims, "exp")),
    "missing-jti": lambda c, claims, t: resigned(c, without(claims, "jti")),
    "missing-sid": lambda c, claims, t: resigned(c, without(claims, "sid")),
    "missing-aud": lambda c, claims, t: resigned(c, without(claims, "aud")),
    "missing-iss": lambda c, claims, t: resigned(c, without(claims, "iss")),
    "sid-not-a-uuid": lambda c, claims, t: resigned(c, claims | {"sid": "1"}),
    "unknown-sid": lambda c, claims, t: resigned(c, claims | {"sid": str(uuid.uuid4())}),
    "tampered-payload": tampered,
    "truncated-signature": lambda c, claims, t: t[:-4],
    "garbage": lambda c, claims, t: "garbage",
    "three-garbage-parts": lambda c, claims, t: "a.b.c",
}


def claims_of(token: str) -> Claims:
    value: Claims = jwt.decode(token, options={"verify_signature": False})
    return value


def me(client: TestClient, headers: dict[str, str]) -> Any:
    return client.get("/api/auth/me", headers=headers)


def test_e3_genuine_claims_resigned_with_the_server_key_are_accepted(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    """The control for the forgeries below: each differs from this token in one defect."""
    token = resigned(context, claims_of(tenant.access_token))
    response = me(client, bearer(token))
    assert response.status_code == 200
    assert response.json()["user_id"] == str(tenant.user_id)


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_e3_forged_access_token_is_401(
    client: TestClient, context: AppContext, tenant: Tenant, forge: Forgery
) -> None:
    token = forge(context, claims_of(tenant.access_token), tenant.access_token)
    response = me(client, bearer(token))
    assert response.status_code == 401
    assert problem(response) == INVALID_TOKEN


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-authorization"),
        pytest.param({"Authorization": "Bearer"}, id="bearer-without-token"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic-scheme"),
        pytest.param(None, id="token-without-scheme"),
    ],
)
def test_e3_missing_bearer_is_401(
    client: TestClient, tenant: Tenant, headers: dict[str, str] | None
) -> None:
    response = me(
        client, headers if headers is not None else {"Authorization": tenant.access_token}
    )
    assert response.status_code == 401
    assert problem(response) == NO_BEARER


def test_e3_logout_revokes_the_session_at_once(client: TestClient, tenant: Tenant) -> None:
    assert me(client, tenant.headers).status_code == 200
    assert client.post("/api/auth/logout", headers=tenant.headers).status_code == 204

    response = me(client, tenant.headers)
    assert response.status_code == 401
    assert problem(response) == INVALID_TOKEN
    assert client.post("/api/auth/logout", headers=tenant.headers).status_code == 401
    refreshed = client.post("/api/auth/refresh", json={"refresh_token": tenant.refresh_token})
    assert refreshed.status_code == 401
    assert problem(refreshed) == INVALID_TOKEN | {"instance": "/api/auth/refresh"}


def test_e3_logout_ends_only_its_own_session(client: TestClient, tenant: Tenant) -> None:
    second = client.post(
        "/api/auth/login", json={"email": tenant.email, "password": tenant.password}
    ).json()
    assert client.post("/api/auth/logout", headers=tenant.headers).status_code == 204
    assert me(client, bearer(second["access_token"])).status_code == 200


def test_e3_refresh_rotates_the_refresh_token(client: TestClient, tenant: Tenant) -> None:
    first = client.post("/api/auth/refresh", json={"refresh_token": tenant.refresh_token})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["token_type"] == "bearer"
    assert rotated["refresh_token"] != tenant.refresh_token
    assert rotated["access_token"] != tenant.access_token
    assert claims_of(rotated["access_token"])["sid"] == claims_of(tenant.access_token)["sid"]
    assert me(client, bearer(rotated["access_token"])).json()["user_id"] == str(tenant.user_id)

    second = client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert second.status_code == 200
    for spent in (tenant.refresh_token, rotated["refresh_token"]):
        response = client.post("/api/auth/refresh", json={"refresh_token": spent})
        assert response.status_code == 401
        assert problem(response) == INVALID_TOKEN | {"instance": "/api/auth/refresh"}


def test_e3_reusing_a_rotated_refresh_token_revokes_the_session(
    client: TestClient, tenant: Tenant
) -> None:
    rotated = client.post("/api/auth/refresh", json={"refresh_token": tenant.refresh_token}).json()
    # Someone replays the copied, already rotated token: the session must end for everyone.
    replay = client.post("/api/auth/refresh", json={"refresh_token": tenant.refresh_token})
    assert replay.status_code == 401
    latest = client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert latest.status_code == 401
    assert me(client, bearer(rotated["access_token"])).status_code == 401


def test_e3_unknown_refresh_token_is_401(client: TestClient) -> None:
    response = client.post("/api/auth/refresh", json={"refresh_token": "swr_not-a-real-token"})
    assert response.status_code == 401
    assert problem(response) == INVALID_TOKEN | {"instance": "/api/auth/refresh"}


def test_e3_issued_tokens_pin_hs256_and_carry_every_required_claim(
    context: AppContext, tenant: Tenant
) -> None:
    header = jwt.get_unverified_header(tenant.access_token)
    claims = claims_of(tenant.access_token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert set(claims) == {"sub", "sid", "jti", "iat", "nbf", "exp", "iss", "aud"}
    assert claims["sub"] == str(tenant.user_id)
    assert (claims["iss"], claims["aud"]) == (
        context.settings.token_issuer,
        context.settings.token_audience,
    )
    assert claims["exp"] - claims["iat"] == context.settings.access_token_ttl.total_seconds()


def test_a_token_remembered_as_verified_still_expires(
    client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/api/auth/me", headers=tenant.headers).status_code == 200  # remembered
    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr(security, "utcnow", lambda: later)

    response = client.get("/api/auth/me", headers=tenant.headers)

    assert response.status_code == 401
    assert problem(response) == INVALID_TOKEN


def test_a_remembered_token_is_refused_once_its_session_ends(
    client: TestClient, tenant: Tenant
) -> None:
    assert client.get("/api/auth/me", headers=tenant.headers).status_code == 200
    assert client.post("/api/auth/logout", headers=tenant.headers).status_code in (200, 204)

    assert client.get("/api/auth/me", headers=tenant.headers).status_code == 401


def test_openapi_documents_the_bearer_and_organization_schemes(client: TestClient) -> None:
    document = client.get("/openapi.json").json()

    assert set(document["components"]["securitySchemes"]) == {"Bearer", "Organization"}
    assert document["paths"]["/api/products"]["get"]["security"] == [
        {"Bearer": []},
        {"Bearer": [], "Organization": []},
    ]
    assert "security" not in document["paths"]["/api/auth/login"]["post"]
    assert "security" not in document["paths"]["/api/import/webhook"]["post"]
