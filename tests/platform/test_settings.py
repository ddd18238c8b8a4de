"""Settings: every field documented, durations and URLs parsed."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from shelfwise.platform.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def documented_variables() -> set[str]:
    return set(re.findall(r"^\| `(SHELFWISE_[A-Z_]+)` \|", README.read_text(), flags=re.MULTILINE))


def test_every_setting_is_in_the_readme_table() -> None:
    expected = {f"SHELFWISE_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented_variables() == set()


def test_the_readme_documents_no_setting_that_does_not_exist() -> None:
    expected = {f"SHELFWISE_{name.upper()}" for name in Settings.model_fields}
    assert documented_variables() - expected == set()


def test_environment_overrides_and_durations(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SHELFWISE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHELFWISE_ACCESS_TOKEN_TTL", "PT5M")
    monkeypatch.setenv("SHELFWISE_SQLITE_BUSY_TIMEOUT", "7")
    settings = Settings()
    assert settings.access_token_ttl == timedelta(minutes=5)
    assert settings.sqlite_busy_timeout == timedelta(seconds=7)
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'shelfwise.db').resolve()}"
    assert settings.resolved_migration_url == settings.resolved_database_url


def test_postgresql_url_switches_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELFWISE_DATABASE_URL", "postgresql+psycopg://app@db/shelfwise")
    settings = Settings()
    assert settings.is_sqlite is False
    assert settings.resolved_database_url == "postgresql+psycopg://app@db/shelfwise"
