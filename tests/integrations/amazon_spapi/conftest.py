"""The SP-API adapter against the fake: a client for the fake's seller, and every answer recorded
with the operation it answered, so tests can check each against the official model."""

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient, SpApiConnection
from shelfwise.integrations.amazon_spapi.transport import current_operation
from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.usage import InProcessUsage, UsageStore
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.ratelimit import InProcessBuckets
from shelfwise.platform.settings import Settings
from tests.fakes.spapi.examples import SELLER, seeded_state
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE


@dataclass
class Recorded:
    operation: str
    status: int
    body: Any


@dataclass
class Harness:
    fake: FakeSellingPartnerApi
    client: SellingPartnerClient
    caller: VendorCaller
    http: httpx.Client
    usage: UsageStore
    answers: list[Recorded] = field(default_factory=list)
    pauses: list[float] = field(default_factory=list)


def spapi_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "vendor_backoff_base": 0.001,
        "vendor_backoff_cap": 0.01,
        "vendor_timeout": 2,
        "vendor_max_attempts": 4,
        "vendor_max_queue_wait": 30,
        "breaker_failure_threshold": 20,
        **overrides,
    }
    return Settings(data_dir=tmp_path, **values)


def connect(
    fake: FakeSellingPartnerApi,
    settings: Settings,
    answers: list[Recorded],
    pauses: list[float],
    usage: UsageStore | None = None,
    owner: tuple[uuid.UUID, uuid.UUID] | None = None,
) -> Harness:
    """A client of the fake's seller; `owner` (organization, credential) is whose quota its
    calls count against (random ids by default)."""

    def record(response: httpx.Response) -> None:
        response.read()
        try:
            operation = current_operation()
        except RuntimeError:
            operation = "(document)"
        try:
            body = response.json()
        except ValueError:
            body = None
        answers.append(Recorded(operation, response.status_code, body))

    # The orchestrator runs on the fake's clock (as bench/offer_sync.py does): an accelerated
    # fake's usage plans are waited out at its pace.
    acceleration = fake.clock.acceleration

    def clock() -> float:
        return time.monotonic() * acceleration

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds / acceleration)

    usage = usage or InProcessUsage()
    http = httpx.Client(
        timeout=settings.vendor_timeout.total_seconds(), event_hooks={"response": [record]}
    )
    caller = VendorCaller(
        settings,
        client=http,
        buckets=InProcessBuckets(clock=clock),
        breakers=CircuitBreakers.from_settings(settings, clock),
        usage=usage,
        sleep=sleep,
    )
    credentials = fake.credentials
    connection = SpApiConnection(
        organization_id=owner[0] if owner else uuid.uuid4(),
        credential_id=owner[1] if owner else uuid.uuid4(),
        seller_id=SELLER,
        marketplace_id=US_MARKETPLACE,
        region="na",
        refresh_token=credentials.refresh_token,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
    )
    client = SellingPartnerClient(
        connection, caller, endpoint=fake.url, token_url=fake.lwa_url, clock=clock
    )
    return Harness(fake, client, caller, http, usage, answers, pauses)


@pytest.fixture
def spapi(tmp_path: Path) -> Iterator[Harness]:
    with FakeSellingPartnerApi(state=seeded_state()) as fake:
        harness = connect(fake, spapi_settings(tmp_path), [], [])
        yield harness
        harness.http.close()
