"""The one settings class; every field is a `SHELFWISE_`-prefixed environment variable."""

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

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
    max_upload_bytes: int = Field(
        default=512 * 1024 * 1024,
        ge=1024,
        description="Largest upload accepted by the import endpoints (413).",
    )
    max_page_size: int = Field(default=200, ge=1, description="Page sizes are clamped to this.")
    default_page_size: int = Field(default=50, ge=1, description="Page size when none is asked.")
    log_level: str = Field(default="INFO", description="Root log level.")
    log_json: bool = Field(default=True, description="JSON log lines (false: console format).")
    demo: bool = Field(
        default=True,
        description="Create the demo organization on the first embedded start.",
    )
    broker_url: str | None = Field(
        default=None,
        description="Dramatiq broker: unset runs jobs inside `serve` (embedded); redis://… or "
        "amqp://… for separate `shelfwise worker` processes.",
    )
    broker_namespace: str = Field(
        default="shelfwise",
        pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,39}$",
        description="Prefix of this installation's queue names, so installations sharing a "
        "broker never take each other's jobs.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for the shared cache and rate-limit buckets; default: broker_url when "
        "it is a Redis URL, else in-process.",
    )
    worker_threads: int = Field(default=4, ge=1, description="Job threads per worker process.")
    embedded_worker: bool = Field(
        default=True,
        description="Run job workers, relay and scheduler inside `serve` when no broker is set.",
    )
    job_max_attempts: int = Field(
        default=5, ge=1, description="Tries of a job with transient errors before it is dead."
    )
    job_backoff_min: Duration = Field(
        default=timedelta(seconds=2), description="First retry delay (doubles, full jitter)."
    )
    job_backoff_max: Duration = Field(
        default=timedelta(minutes=10), description="Longest retry delay of a job."
    )
    job_lease: Duration = Field(
        default=timedelta(seconds=60),
        description="A running job whose worker sent no heartbeat for this long is redelivered.",
    )
    job_redelivery_after: Duration = Field(
        default=timedelta(minutes=2),
        description="A dispatched job not started by then is sent again (a lost broker message).",
    )
    relay_interval: Duration = Field(
        default=timedelta(seconds=1),
        description="How often the relay looks for committed jobs it was not told about.",
    )
    cache_ttl: Duration = Field(
        default=timedelta(minutes=10), description="Default lifetime of cached vendor responses."
    )
    cache_max_items: int = Field(
        default=50_000, ge=1, description="Entries kept by the in-process cache (LRU beyond)."
    )
    vendor_max_attempts: int = Field(
        default=5, ge=1, description="Tries of one vendor call (429, 5xx, timeouts)."
    )
    vendor_retry_budget: Duration = Field(
        default=timedelta(seconds=60),
        description="Most time one vendor call may spend waiting between its tries.",
    )
    vendor_backoff_base: Duration = Field(
        default=timedelta(milliseconds=500), description="First backoff of a vendor call."
    )
    vendor_backoff_cap: Duration = Field(
        default=timedelta(seconds=30), description="Longest single backoff of a vendor call."
    )
    vendor_timeout: Duration = Field(
        default=timedelta(seconds=20), description="Timeout of every outbound HTTP call (E4)."
    )
    vendor_max_queue_wait: Duration = Field(
        default=timedelta(seconds=10),
        description="A call that would wait longer for its rate limit is deferred, so one "
        "organization's throttling never holds a worker that another needs.",
    )
    breaker_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive failures that open a circuit breaker."
    )
    breaker_cooldown: Duration = Field(
        default=timedelta(seconds=30), description="How long an open breaker waits to half-open."
    )
    vendor_daily_call_budget: int = Field(
        default=0, ge=0, description="Vendor calls per organization and day; 0 is unlimited."
    )
    vendor_rate_headroom: float = Field(
        default=0.01,
        ge=0,
        lt=1,
        description="Share of a usage plan's rate left unused, so network jitter between us and "
        "the vendor never lands two calls closer together than its bucket allows (a 429).",
    )
    spapi_endpoint: str | None = Field(
        default=None,
        description="Send SP-API calls here instead of Amazon's regional endpoint (the demo "
        "marketplace and tests point it at a local fake); operator-only, never per tenant.",
    )
    spapi_token_url: str | None = Field(
        default=None,
        description="Login with Amazon's token endpoint, when not https://api.amazon.com.",
    )
    creators_endpoint: str | None = Field(
        default=None,
        description="Send Creators API calls here instead of https://creatorsapi.amazon (tests "
        "point it at a local fake); operator-only, never per tenant.",
    )
    creators_token_url: str | None = Field(
        default=None,
        description="The Creators API's OAuth2 token endpoint, when not the one of the "
        "credential's version.",
    )
    creators_rate_per_second: float = Field(
        default=1.0,
        gt=0,
        description="Creators API calls per second per credential: Amazon starts new associates "
        "at 1 and raises it with their shipped revenue, so an operator sets what Amazon granted.",
    )
    creators_burst: int = Field(
        default=1, ge=1, description="Creators API burst per credential (1 for new associates)."
    )
    llm_timeout: Duration = Field(
        default=timedelta(seconds=60),
        description="Timeout of a chat-completion call: a model writes for seconds before and "
        "between chunks, longer than other vendors answer (E4).",
    )
    llm_allow_private_hosts: bool = Field(
        default=False,
        description="Let organizations' llm credentials point at private or loopback addresses "
        "(a local Ollama or vLLM on a self-hosted install); off, such a base URL is refused (E5).",
    )
    offer_refresh_interval: Duration = Field(
        default=timedelta(minutes=30),
        description="An item's offers are due for a refresh this long after the last one.",
    )
    offer_sweep_slice: Duration = Field(
        default=timedelta(minutes=4),
        description="Longest run of one offer sweep job (sweeps are scheduled every 5 minutes; "
        "the next one goes on where this one stopped).",
    )
    notifications_queue_url: str | None = Field(
        default=None,
        description="SQS queue of the SP-API application's notifications (ANY_OFFER_CHANGED, "
        "PRICING_HEALTH), shared by all its sellers; unset: notifications off, the offer sweeps "
        "alone keep offers current.",
    )
    notifications_region: str = Field(
        default="us-east-1", description="AWS region of the notifications queue (signs calls)."
    )
    notifications_endpoint_url: str | None = Field(
        default=None,
        description="SQS endpoint, when not AWS's regional one (ElasticMQ, LocalStack, a fake).",
    )
    notifications_access_key_id: SecretStr | None = Field(
        default=None,
        description="AWS access key id for the queue; unset: boto3's default credential chain "
        "(environment, instance or task role).",
    )
    notifications_secret_access_key: SecretStr | None = Field(
        default=None, description="AWS secret access key paired with the access key id."
    )
    notifications_wait_seconds: int = Field(
        default=20,
        ge=0,
        le=20,
        description="Long polling: how long one receive waits for a message (SQS allows 20).",
    )
    notifications_batch_size: int = Field(
        default=10, ge=1, le=10, description="Messages per receive (SQS allows 10 at most)."
    )
    notifications_visibility_timeout: Duration = Field(
        default=timedelta(minutes=2),
        ge=timedelta(seconds=1),
        le=timedelta(hours=12),
        description="A received message stays hidden this long, then is delivered again unless "
        "deleted: longer than storing one batch takes, short enough that a crash costs little.",
    )
    scraper_enabled: bool = Field(
        default=True,
        description="The product-page scraper, the last-resort item source (DESIGN 1.4).",
    )
    scraper_min_delay: Duration = Field(
        default=timedelta(seconds=3),
        description="Shortest pause between two requests to one Amazon host: a polite crawler.",
    )
    scraper_max_delay: Duration = Field(
        default=timedelta(seconds=8),
        description="Longest pause (before error slow-downs); random in between, so requests "
        "do not tick like a robot's.",
    )
    scraper_user_agents: list[str] = Field(
        default=[
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
        ],
        min_length=1,
        description="Desktop browser user agents the scraper rotates through (JSON list).",
    )
    scraper_max_wait: Duration = Field(
        default=timedelta(seconds=30),
        description="A page that would wait longer for its host's turn is deferred instead, so a "
        "slowed-down host never holds a worker.",
    )
    scraper_robots_ttl: Duration = Field(
        default=timedelta(hours=24),
        description="How long a host's robots.txt is kept (RFC 9309 asks for at most 24 h).",
    )
    scraper_max_page_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1,
        description="Largest page read (real product pages are 0.5-3 MB); larger is refused (E5).",
    )
    scraper_timeout: Duration = Field(
        default=timedelta(seconds=20),
        description="Longest one page fetch may take, connection to last byte (E5).",
    )
    scraper_retries: int = Field(
        default=2, ge=0, description="Further tries of a page after a 5xx, timeout or error shell."
    )
    scraper_cache_ttl: Duration = Field(
        default=timedelta(hours=1),
        description="How long a fetched product page is reused instead of fetched again.",
    )
    scraper_disabled_components: list[
        Literal["throttle", "user_agent", "retry", "challenge", "cache"]
    ] = Field(
        default=[],
        description="Scraper components switched off (robots.txt and the address guard cannot "
        "be: G3, E5).",
    )
    scraper_base_urls: dict[str, str] = Field(
        default={},
        description="Marketplace domain to base URL instead of https://www.<domain> (tests and "
        "fakes); operator-only.",
    )
    scraper_allowed_hosts: list[str] = Field(
        default=[],
        description="Hosts the scraper may fetch besides Amazon's storefronts (tests, fakes).",
    )
    scraper_allow_loopback: bool = Field(
        default=False,
        description="Let the scraper reach loopback addresses: local fakes in tests only (E5).",
    )
    product_type_definition_ttl: Duration = Field(
        default=timedelta(days=7),
        # Amazon revises definitions every few weeks; a week-old schema scores the same.
        description="How long a fetched Amazon product type definition is kept in the cache "
        "(the quality score's attribute checks).",
    )
    asin_cache_ttl: Duration = Field(
        default=timedelta(minutes=10),
        description="How long a fetched Amazon item is served from the cache (the ASIN bridge).",
    )
    asin_fetch_deadline: Duration = Field(
        default=timedelta(seconds=10),
        description="Longest an ASIN bridge request waits for vendors; ASINs not fetched by then "
        "answer `unavailable` with a retry-after while a job fetches them into the cache (the "
        "scraper waits 3-8 s between pages).",
    )
    demo_marketplace: bool = Field(
        default=True,
        description="Organizations without SP-API or Creators API credentials fetch Amazon items "
        "from the built-in demo marketplace (in-process fakes, items marked demo); false: from "
        "the real scraper, else they get `unavailable` error items.",
    )
    keywords_semantic: bool = Field(
        default=False,
        description="Blend semantic similarity into keyword scores: the `ml` extra's embedding "
        "model when installed, else character trigrams. Off by default: the model costs a "
        "second and ~100 MB per process on first use.",
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
    def resolved_redis_url(self) -> str | None:
        """Redis for cache and rate limits: explicit, else the broker when it is Redis."""
        if self.redis_url:
            return self.redis_url
        if self.broker_url and self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return None

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
