"""Signing in to the dashboard through its login form, as a browser does."""

import re

from fastapi.testclient import TestClient

from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def dashboard_login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log `client` in through POST /login (its cookies now hold the session); the CSRF token."""
    client.cookies.clear()
    response = client.post(
        "/login", data={"email": email, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    page = client.get("/dashboard")
    assert page.status_code == 200
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)
