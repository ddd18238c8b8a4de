"""The Creators API adapter against the fake: a client of the fake's associate, its calls
through a real orchestrator (short backoffs, a short timeout) and every answer recorded."""

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from shelfwise.integrations.creators.client import CreatorsClient, CreatorsConnection
from shelfwise.integrations.creators.schemas import CreatorsConfig
from shelfwise.integrations.creators.service import CreatorsItems
from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.usage import InProcessUsage
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.ratelimit import InProcessBuckets
from shelfwise.platform.settings import Settings
from tests.fakes.creators.examples import ITEMS
from tests.fakes.creators.server import FakeCreatorsApi


@dataclass
class Recorded:
    path: str
    status: int
    body: Any


@dataclass
class Harness:
    fake: FakeCreatorsApi
    client: CreatorsClient
    items: CreatorsItems
    usage: InProcessUsage
    answers: list[Recorded] = field(default_factory=list)
    pauses: list[float] = field(default_factory=list)


def creators_settings(tmp_path: Path, fake: FakeCreatorsApi, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "creators_endpoint": fake.url,
        "creators_token_url": fake.lwa_url,
        "creators_rate_per_second": fake.rate_per_second,
        "creators_burst": fake.burst,
        "vendor_backoff_base": 0.001,
        "vendor_backoff_cap": 0.01,
        "vendor_timeout": 0.5,
        "vendor_max_attempts": 4,
        "vendor_max_queue_wait": 30,
        "breaker_failure_threshold": 20,
        **overrides,
    }
    return Settings(data_dir=tmp_path, **values)


def connect(
    fake: FakeCreatorsApi,
    settings: Settings,
    *,
    secret: str | None = None,
    version: str = "3.1",
    clock: Callable[[], float] = time.monotonic,
) -> Harness:
    """A client of the fake's associate; `clock` is its token manager's."""
    answers: list[Recorded] = []
    pauses: list[float] = []

    def record(response: httpx.Response) -> None:
        response.read()
        try:
            body = response.json()
        except ValueError:
            body = None
        answers.append(Recorded(response.request.url.path, response.status_code, body))

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds)

    usage = InProcessUsage()
    caller = VendorCaller(
        settings,
        client=httpx.Client(event_hooks={"response": [record]}),
        buckets=InProcessBuckets(),
        breakers=CircuitBreakers.from_settings(settings),
        usage=usage,
        sleep=sleep,
    )
    credentials = fake.credentials
    config = CreatorsConfig(
        credential_id=credentials.credential_id,
        credential_secret=secret or credentials.credential_secret,
        version=version,
        partner_tag=credentials.partner_tag,
    )
    connection = CreatorsConnection(uuid.uuid4(), uuid.uuid4(), config)
    client = CreatorsClient(connection, caller, clock=clock)
    harness = Harness(fake, client, CreatorsItems(client), usage, answers, pauses)
    return harness


@pytest.fixture
def creators(tmp_path: Path) -> Iterator[Harness]:
    # A generous limit: the tests of the limit itself start their own fake.
    with FakeCreatorsApi(rate_per_second=200.0, burst=20, items=dict(ITEMS)) as fake:
        yield connect(fake, creators_settings(tmp_path, fake))
