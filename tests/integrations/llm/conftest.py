"""A chat client of the fake OpenAI server through a real orchestrator (short backoffs)."""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.llm.client import ChatClient, LLMConnection
from shelfwise.integrations.llm.schemas import LLMConfig
from shelfwise.integrations.usage import InProcessUsage
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.ratelimit import InProcessBuckets
from shelfwise.platform.settings import Settings
from tests.fakes.openai.server import FakeOpenAI


def llm_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "vendor_backoff_base": 0.001,
        "vendor_backoff_cap": 0.01,
        "vendor_max_attempts": 3,
        "breaker_failure_threshold": 50,
        "llm_timeout": 2.0,
        "llm_allow_private_hosts": True,
        **overrides,
    }
    return Settings(data_dir=tmp_path, **values)


def connect(
    fake: FakeOpenAI,
    settings: Settings,
    *,
    api_key: str | None = "sk-test-key",
    model: str = "llama-3.1-8b-instant",
) -> ChatClient:
    caller = VendorCaller(
        settings,
        buckets=InProcessBuckets(),
        breakers=CircuitBreakers.from_settings(settings),
        usage=InProcessUsage(),
    )
    config = LLMConfig.model_validate({"base_url": fake.url, "model": model, "api_key": api_key})
    connection = LLMConnection(uuid.uuid4(), uuid.uuid4(), config)
    return ChatClient(
        connection,
        caller,
        timeout=settings.llm_timeout.total_seconds(),
        allow_private_hosts=settings.llm_allow_private_hosts,
    )


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def chat(fake: FakeOpenAI, tmp_path: Path) -> Iterator[ChatClient]:
    client = connect(fake, llm_settings(tmp_path))
    yield client
    client.close()
