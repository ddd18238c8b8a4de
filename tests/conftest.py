"""Shared fixtures: every test using the database runs on SQLite and on PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shelfwise.app import create_app
from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from tests.databases import database_settings
from tests.factories import Tenant, create_tenant

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture(scope="session")
def settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with database_settings(backend, tmp_path_factory.mktemp(f"data-{backend}")) as value:
        yield value


@pytest.fixture(scope="session")
def context(settings: Settings) -> Iterator[AppContext]:
    value = AppContext.build(settings)
    yield value
    value.database.dispose()


@pytest.fixture(scope="session")
def client(settings: Settings, context: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(settings, context), raise_server_exceptions=False) as value:
        yield value


@pytest.fixture
def tenant(context: AppContext, client: TestClient) -> Tenant:
    return create_tenant(context, client)


@pytest.fixture
def other_tenant(context: AppContext, client: TestClient) -> Tenant:
    return create_tenant(context, client)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data beside the project; skips clearly when it is absent (CI always has it)."""
    path = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not beside the project")
    return path
