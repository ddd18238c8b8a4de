"""Helpers for the accounts tests: clients with their own IP, so login throttles stay apart."""

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

PROBLEM_JSON = "application/problem+json"
# Documentation networks (RFC 5737); a counter per app, so per database.
_NETWORKS = ("203.0.113", "198.51.100", "192.0.2")
_addresses: dict[int, Iterator[int]] = {}

NewClient = Callable[[], TestClient]


@pytest.fixture
def client_from_new_ip(client: TestClient) -> Iterator[NewClient]:
    """Makes clients of the session app, each from an address no other test uses (E2)."""
    made: list[TestClient] = []

    def make() -> TestClient:
        number = next(_addresses.setdefault(id(client.app), itertools.count(0)))
        host = f"{_NETWORKS[number // 254 % len(_NETWORKS)]}.{number % 254 + 1}"
        value = TestClient(client.app, client=(host, 5000), raise_server_exceptions=False)
        made.append(value)
        return value

    yield make
    for value in made:
        value.close()


def problem(response: httpx.Response) -> dict[str, Any]:
    """The problem body without the parts that differ per request (request_id)."""
    assert response.headers["content-type"] == PROBLEM_JSON, response.text
    body: dict[str, Any] = response.json()
    body.pop("request_id")
    return body


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}
