"""The demo's in-process Creators API (`demo_transport()`) through the real adapter."""

import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import httpx

from shelfwise.integrations.creators.client import CreatorsClient, CreatorsConnection
from shelfwise.integrations.creators.fake import MISSING_PREFIX, demo_transport
from shelfwise.integrations.creators.schemas import CreatorsConfig
from shelfwise.integrations.creators.service import CreatorsItems
from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.items import AmazonItem, ItemFailure, ItemFailureCode
from shelfwise.integrations.usage import InProcessUsage
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.ratelimit import InProcessBuckets
from shelfwise.platform.settings import Settings
from tests.fakes.creators.validation import assert_valid_answer


def demo_source(tmp_path: Path, answers: list[tuple[str, int, object]]) -> CreatorsItems:
    def record(response: httpx.Response) -> None:
        response.read()
        answers.append((response.request.url.path, response.status_code, response.json()))

    settings = Settings(data_dir=tmp_path, creators_rate_per_second=100, creators_burst=10)
    caller = VendorCaller(
        settings,
        client=httpx.Client(transport=demo_transport(), event_hooks={"response": [record]}),
        buckets=InProcessBuckets(),
        breakers=CircuitBreakers.from_settings(settings),
        usage=InProcessUsage(),
    )
    config = CreatorsConfig(
        credential_id="demo", credential_secret="demo", version="3.1", partner_tag="demo-20"
    )
    connection = CreatorsConnection(uuid.uuid4(), uuid.uuid4(), config)
    return CreatorsItems(CreatorsClient(connection, caller))


def test_the_demo_answers_items_and_unknown_asins_in_the_wire_format(tmp_path: Path) -> None:
    answers: list[tuple[str, int, object]] = []
    source = demo_source(tmp_path, answers)
    first = source.fetch_items(["B0DEMO0001", f"{MISSING_PREFIX}1"], "demo")
    again = source.fetch_items(["B0DEMO0001"], "demo")
    item, missing = first
    assert isinstance(item, AmazonItem)
    assert item.marketplace == "demo"
    assert item.currency == "USD"
    assert isinstance(item.price, Decimal)
    assert item.price > Decimal("5")
    assert item.title and item.brand and item.main_image and item.bullets and item.sales_ranks
    assert (
        item.detail_url
        == "https://www.amazon.com/dp/B0DEMO0001?tag=demo-20&linkCode=ogi&th=1&psc=1"
    )
    assert replace(again[0], fetched_at=item.fetched_at) == item  # the same ASIN, the same item
    assert missing == ItemFailure(
        f"{MISSING_PREFIX}1",
        ItemFailureCode.NOT_FOUND,
        f"Amazon answered ItemNotAccessible: The ItemId {MISSING_PREFIX}1 is not accessible"
        " through the Creators API.",
    )
    assert [path for path, _status, _body in answers] == [
        "/auth/o2/token",
        "/catalog/v1/getItems",
        "/catalog/v1/getItems",
    ]
    for path, status, body in answers[1:]:
        assert_valid_answer(path, status, body)


def test_the_demo_searches_in_the_marketplaces_currency(tmp_path: Path) -> None:
    answers: list[tuple[str, int, object]] = []
    items = demo_source(tmp_path, answers).search_items("desk lamp", "amazon.de", item_count=5)
    assert len(items) == 5
    assert {item.currency for item in items} == {"EUR"}
    assert len({item.asin for item in items}) == 5
    path, status, body = answers[-1]
    assert_valid_answer(path, status, body)
