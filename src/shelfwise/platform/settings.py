"""The one settings class; every field is a `SHELFWISE_`-prefixed environment variable."""

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _plain_seconds(value: Any) -> Any:
    """Environment variables say "10" for ten seconds; pydantic alone wants ISO 8601 ("PT10S")."""
    if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
        return float(value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_plain_seconds)]


class Settings(BaseSettings):
    """Shelfwise configuration, read from the environment (and an optional `.env` file)."""

    model_config = SettingsConfigDict(env_prefix="SHELFWISE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("./shelfwise-data"),
        description="Where the embedded database, generated keys and demo login live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL the application connects with; default: SQLite in data_dir. "
        "Use postgresql+psycopg://… for PostgreSQL (as a role that owns no table).",
    )
    migration_database_url: str | None = Field(
        default=None,
        description="URL `shelfwise migrate` connects with (the tables' owner); "
        "default: database_url.",
    )
    database_app_role: str | None = Field(
        default=None,
        description="PostgreSQL role granted DML after migrations; default: the user of "
        "database_url when it differs from the migration user.",
    )
    database_pool_size: int = Field(default=10, ge=1, description="Connections per process.")
    sqlite_busy_timeout: Duration = Field(
        default=timedelta(seconds=10),
        description="How long a SQLite writer waits for the lock (H1 asks for at least 5 s).",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="HMAC key for access tokens; default: generated once into data_dir.",
    )
    vault_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated base64 key-encryption keys, current first; "
        "default: the key file below.",
    )
    vault_key_file: Path | None = Field(
        default=None,
        description="File of key-encryption keys, one base64 key a line, current first; "
        "default: data_dir/vault.keys, generated on first use.",
    )
    access_token_ttl: Duration = Field(
        default=timedelta(minutes=15),
        description="Lifetime of a JWT access token; short because revocation is by session.",
    )
    refresh_token_ttl: Duration = Field(
        default=timedelta(days=30), description="Lifetime of a refresh token and its session."
    )
    token_issuer: str = Field(default="shelfwise", description="`iss` claim of access tokens.")
    token_audience: str = Field(default="shelfwise-api", description="`aud` claim of tokens.")
    login_max_failures_per_account: int = Field(
        default=5, ge=1, description="Failed logins for one e-mail within the window before 429."
    )
    login_max_failures_per_ip: int = Field(
        default=20, ge=1, description="Failed logins from one IP within the window before 429."
    )
    login_throttle_window: Duration = Field(
        default=timedelta(minutes=15), description="Sliding window for login throttling."
    )
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest request body accepted (413)."
    )
    max_page_size: int = Field(default=200, ge=1, description="Page sizes are clamped to this.")
    default_page_size: int = Field(default=50, ge=1, description="Page size when none is asked.")
    log_level: str = Field(default="INFO", description="Root log level.")
    log_json: bool = Field(default=True, description="JSON log lines (false: console format).")
    demo: bool = Field(
        default=True,
        description="Create the demo organization on the first embedded start.",
    )
    host: str = Field(default="127.0.0.1", description="Default bind address of `serve`.")
    port: int = Field(default=8000, description="Default port of `serve`.")

    @property
    def resolved_database_url(self) -> str:
        """The application's database URL, defaulting to SQLite inside data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'shelfwise.db').resolve()}"

    @property
    def resolved_migration_url(self) -> str:
        """The URL migrations run with."""
        return self.migration_database_url or self.resolved_database_url

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
