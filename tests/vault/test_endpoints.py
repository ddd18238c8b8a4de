"""Credentials through the HTTP API: a canary secret goes in and never comes out (D1)."""

import io
import logging
import shutil
import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy.engine import make_url

from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from shelfwise.vault.repository import CredentialRepository
from tests.factories import Tenant, create_credential, unique


def canary() -> str:
    return f"canary-{uuid.uuid4().hex}-{uuid.uuid4().hex}"


def leak_forms(secret: str) -> list[bytes]:
    """How a plaintext could show up: raw, or hex as PostgreSQL prints bytea."""
    raw = secret.encode()
    return [raw, raw.hex().encode()]


def assert_absent(secret: str, haystack: bytes, where: str) -> None:
    for form in leak_forms(secret):
        assert form not in haystack, f"the secret appears in {where}"


def _postgres_owner_url(settings: Settings) -> str:
    assert settings.migration_database_url is not None
    return (
        make_url(settings.migration_database_url)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def database_dumps(settings: Settings) -> dict[str, bytes]:
    """Everything the database holds, as bytes, keyed by where it came from."""
    if settings.is_sqlite:
        database_file = settings.data_dir / "shelfwise.db"
        files = [database_file, database_file.with_name("shelfwise.db-wal")]
        return {str(path): path.read_bytes() for path in files if path.exists()}
    url = _postgres_owner_url(settings)
    dumps: dict[str, bytes] = {}
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        for table in tables:
            statement = sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(table))
            rows = [row[0] for row in connection.execute(statement)]
            dumps[f"table {table}"] = "\n".join(rows).encode()
    pg_dump = shutil.which("pg_dump")
    if pg_dump is not None:
        result = subprocess.run(
            [pg_dump, "--data-only", "--dbname", url], capture_output=True, check=True
        )
        dumps["pg_dump"] = result.stdout
    return dumps


@pytest.fixture
def captured_logs(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """Every log record at any level, rendered by the configured formatter as on stderr."""
    caplog.set_level(logging.DEBUG)
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter = next((h.formatter for h in root.handlers if h.formatter is not None), None)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def test_d1_canary_secret_never_leaves_the_vault(
    client: TestClient,
    context: AppContext,
    settings: Settings,
    tenant: Tenant,
    caplog: pytest.LogCaptureFixture,
    captured_logs: io.StringIO,
) -> None:
    first, second = canary(), canary()
    name = unique("canary-credential")
    responses = []

    created = client.post(
        "/api/credentials",
        json={"name": name, "kind": "amazon_spapi", "secrets": {"client_secret": first}},
        headers=tenant.headers,
    )
    assert created.status_code == 201
    assert created.json()["masked"] == {"client_secret": "••••" + first[-4:]}
    credential_id = created.json()["id"]
    responses.append(created)
    responses.append(client.get("/api/credentials", headers=tenant.headers))
    responses.append(client.get(f"/api/credentials/{credential_id}", headers=tenant.headers))
    # Refused requests carrying a secret must not echo it either.
    responses.append(
        client.post(
            "/api/credentials",
            json={"name": name, "kind": "amazon_spapi", "secrets": {"client_secret": second}},
            headers=tenant.headers,
        )
    )
    responses.append(
        client.post(
            "/api/credentials",
            json={"name": "", "kind": "Not A Kind", "secrets": {"client_secret": second}},
            headers=tenant.headers,
        )
    )
    responses.append(
        client.put(
            f"/api/credentials/{credential_id}/secrets",
            json={"secrets": {"client_secret": second}, "unexpected": second},
            headers=tenant.headers,
        )
    )
    rotated = client.put(
        f"/api/credentials/{credential_id}/secrets",
        json={"secrets": {"client_secret": second, "refresh_token": first}},
        headers=tenant.headers,
    )
    assert rotated.status_code == 200
    assert rotated.json()["masked"] == {
        "client_secret": "••••" + second[-4:],
        "refresh_token": "••••" + first[-4:],
    }
    responses.append(rotated)
    responses.append(client.get("/api/credentials", headers=tenant.headers))
    audit = client.get("/api/audit", params={"limit": 200}, headers=tenant.headers)
    assert [entry["action"] for entry in audit.json()["items"]] == [
        "credential.rotated",
        "credential.created",
    ]
    responses.append(audit)

    assert [response.status_code for response in responses] == [
        201, 200, 200, 409, 422, 422, 200, 200, 200
    ]  # fmt: skip
    for response in responses:
        where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
        assert_absent(first, response.content, where)
        assert_absent(second, response.content, where)
        for header, value in response.headers.items():
            assert_absent(first, value.encode(), f"header {header} of {where}")

    logged = (
        captured_logs.getvalue().encode()
        + "\n".join(
            f"{record.getMessage()} {record.msg!r} {record.args!r}" for record in caplog.records
        ).encode()
    )
    assert b"http.request" in logged  # the capture saw the request log lines
    assert_absent(first, logged, "the log output")
    assert_absent(second, logged, "the log output")

    dumps = database_dumps(settings)
    assert any(name.encode() in dump for dump in dumps.values())  # the dump sees the row
    for where, dump in dumps.items():
        assert_absent(first, dump, where)
        assert_absent(second, dump, where)

    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        credential = CredentialRepository(session, tenant.organization_id).get(
            uuid.UUID(credential_id)
        )
        assert credential is not None
        assert context.vault.reveal(session, credential) == {
            "client_secret": second,
            "refresh_token": first,
        }


def test_d1_short_secrets_show_no_characters(client: TestClient, tenant: Tenant) -> None:
    created = create_credential(client, tenant, secrets={"api_key": "0123456789abcde"})
    assert created["masked"] == {"api_key": "••••"}
