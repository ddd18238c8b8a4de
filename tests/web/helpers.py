"""Signing in to the dashboard through its login form, as a browser does."""

import re

from fastapi.testclient import TestClient

from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


def login_form(client: TestClient, **fields: str) -> dict[str, str]:
    """`fields` plus the login token of a freshly loaded login form (its cookie is now set)."""
    page = client.get("/login")
    found = LOGIN_TOKEN.search(page.text)
    assert found is not None
    return {"login_token": found.group(1), **fields}


def dashboard_login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log `client` in through POST /login (its cookies now hold the session); the CSRF token."""
    client.cookies.clear()
    data = login_form(client, email=email, password=password)
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/dashboard")
    assert page.status_code == 200
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)
