"""`shelfwise user create`, `org create` and `org add-member` on a fresh embedded database."""

import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from shelfwise.accounts import security
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.cli import app
from shelfwise.platform.db import Database
from shelfwise.platform.settings import Settings, get_settings

Run = Callable[..., Result]
PASSWORD = "a long enough password"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()
    # The CLI points the root logger at the runner's (now closed) stderr; give it back.
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def run(data_dir: Path) -> Run:
    environment: dict[str, str | None] = {
        "SHELFWISE_DATA_DIR": str(data_dir),
        "SHELFWISE_LOG_LEVEL": "WARNING",
        "SHELFWISE_LOG_JSON": "false",
        "SHELFWISE_DATABASE_URL": None,
        "SHELFWISE_MIGRATION_DATABASE_URL": None,
        "SHELFWISE_VAULT_KEYS": None,
        "SHELFWISE_VAULT_KEY_FILE": None,
    }

    def invoke(*arguments: str, stdin: str | None = None) -> Result:
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(app, list(arguments), input=stdin, env=environment)
        finally:
            get_settings.cache_clear()

    return invoke


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    value = Database(Settings(data_dir=data_dir, database_url=None))
    yield value
    value.dispose()


def last_line(result: Result) -> str:
    return result.stdout.strip().splitlines()[-1]


def test_user_create_reads_the_password_from_stdin(run: Run, database: Database) -> None:
    result = run("user", "create", "Ana@Example.com", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    user_id = uuid.UUID(last_line(result))
    with database.unit_of_work(write=False) as session:
        user = AccountsRepository(session).user_by_email("ana@example.com")
        assert user is not None
        assert user.id == user_id
        assert security.verify_password(user.password_hash, PASSWORD)
        assert not security.verify_password(user.password_hash, f"{PASSWORD}\n")


def test_org_create_prints_the_organization_id_last(run: Run, database: Database) -> None:
    run("user", "create", "owner@example.com", "--password-stdin", stdin=PASSWORD)
    result = run("org", "create", "Acme Tools", "--owner", "owner@example.com")
    assert result.exit_code == 0, result.output
    organization_id = uuid.UUID(last_line(result))
    with database.unit_of_work(write=False) as session:
        repository = AccountsRepository(session)
        organization = repository.organization(organization_id)
        assert organization is not None and organization.name == "Acme Tools"
        assert [(u.email, m.role.value) for m, u in repository.members_of(organization_id)] == [
            ("owner@example.com", "owner")
        ]


def test_org_add_member_with_a_role(run: Run, database: Database) -> None:
    run("user", "create", "owner@example.com", "--password-stdin", stdin=PASSWORD)
    run("user", "create", "ana@example.com", "--password-stdin", stdin=PASSWORD)
    organization_id = last_line(run("org", "create", "Acme", "--owner", "owner@example.com"))

    result = run("org", "add-member", organization_id, "ana@example.com", "--role", "analyst")
    assert result.exit_code == 0, result.output
    assert last_line(result) == f"ana@example.com is now analyst of {organization_id}"
    with database.unit_of_work(write=False) as session:
        rows = AccountsRepository(session).members_of(uuid.UUID(organization_id))
        assert [(u.email, m.role.value) for m, u in rows] == [
            ("owner@example.com", "owner"),
            ("ana@example.com", "analyst"),
        ]


def test_duplicate_user_exits_1(run: Run, database: Database) -> None:
    first = run("user", "create", "ana@example.com", "--password-stdin", stdin=PASSWORD)
    assert first.exit_code == 0
    again = run("user", "create", "ANA@example.com", "--password-stdin", stdin="another password")
    assert again.exit_code == 1
    assert again.stderr == "error: A user with e-mail ana@example.com already exists.\n"
    assert again.stdout == ""
    with database.unit_of_work(write=False) as session:
        user = AccountsRepository(session).user_by_email("ana@example.com")
        assert user is not None and security.verify_password(user.password_hash, PASSWORD)


def test_unknown_owner_exits_1_and_creates_nothing(run: Run, database: Database) -> None:
    result = run("org", "create", "Acme", "--owner", "ghost@example.com")
    assert result.exit_code == 1
    assert result.stderr == "error: no user with e-mail ghost@example.com\n"
    with database.unit_of_work(write=False) as session:
        assert AccountsRepository(session).all_organization_ids() == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ("{organization}", "ghost@example.com"),
            "error: No user with e-mail ghost@example.com.\n",
            id="unknown-user",
        ),
        pytest.param(
            ("{organization}", "owner@example.com"),
            "error: That user is already a member.\n",
            id="already-a-member",
        ),
        pytest.param(
            (str(uuid.UUID(int=7)), "owner@example.com"),
            f"error: no organization {uuid.UUID(int=7)}\n",
            id="unknown-organization",
        ),
    ],
)
def test_add_member_errors_exit_1(
    run: Run, database: Database, arguments: tuple[str, str], message: str
) -> None:
    run("user", "create", "owner@example.com", "--password-stdin", stdin=PASSWORD)
    organization = last_line(run("org", "create", "Acme", "--owner", "owner@example.com"))
    given = [argument.format(organization=organization) for argument in arguments]
    result = run("org", "add-member", *given, "--role", "analyst")
    assert result.exit_code == 1
    assert result.stderr == message
    with database.unit_of_work(write=False) as session:
        rows = AccountsRepository(session).members_of(uuid.UUID(organization))
        assert [(u.email, m.role.value) for m, u in rows] == [("owner@example.com", "owner")]


def test_short_password_exits_1(run: Run, database: Database) -> None:
    result = run("user", "create", "ana@example.com", "--password-stdin", stdin="short\n")
    assert result.exit_code == 1
    assert result.stderr == "error: Password too short.\n"
    with database.unit_of_work(write=False) as session:
        assert AccountsRepository(session).user_by_email("ana@example.com") is None
