"""In-test item sources implementing the `ItemSource` Protocol, plugged into the bridge's
registry the way the Creators API and the scraper plug in, and small helpers."""

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.bridge import sources
from shelfwise.bridge.sources import SourceSetup
from shelfwise.integrations.errors import RetryableError
from shelfwise.integrations.items import (
    AmazonItem,
    ItemFailure,
    ItemFailureCode,
    ItemResult,
    ItemSource,
    ItemSourceKind,
)
from shelfwise.jobs.models import Job
from shelfwise.jobs.runtime import JobRunner
from shelfwise.platform.context import AppContext
from tests.apps import client_with
from tests.factories import PASSWORD, Tenant, add_member, create_user, login, unique

FETCHED_AT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def item(asin: str, source: ItemSourceKind, **fields: object) -> AmazonItem:
    values: dict[str, object] = {
        "title": f"Item {asin}",
        "brand": "Acme",
        "price": Decimal("80.00"),
        "list_price": Decimal("100.00"),
        "currency": "USD",
        "rating": 4.5,
        "review_count": 99,
    } | fields
    return AmazonItem(asin, "amazon.com", source, FETCHED_AT, **values)  # type: ignore[arg-type]


Answer = Callable[[str, ItemSourceKind], ItemResult]


def found(asin: str, kind: ItemSourceKind) -> ItemResult:
    return item(asin, kind)


def unavailable(asin: str, _kind: ItemSourceKind) -> ItemResult:
    return ItemFailure(asin, ItemFailureCode.UNAVAILABLE, "Throttled.", 30.0)


def refused(asin: str, _kind: ItemSourceKind) -> ItemResult:
    return ItemFailure(asin, ItemFailureCode.REFUSED, "Access denied for this item.")


def not_found(asin: str, _kind: ItemSourceKind) -> ItemResult:
    return ItemFailure(asin, ItemFailureCode.NOT_FOUND, f"No item {asin}.")


@dataclass
class ScriptedSource:
    """An ItemSource answering each ASIN as `answers` says (default: found), recording calls."""

    kind: ItemSourceKind
    max_batch: int
    answers: dict[str, Answer] = field(default_factory=dict)
    seconds_per_call: float = 0.0
    raises: RetryableError | None = None
    calls: list[list[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fetch_items(self, asins: Sequence[str], marketplace: str) -> list[ItemResult]:
        assert len(asins) <= self.max_batch
        with self.lock:
            self.calls.append(list(asins))
        time.sleep(self.seconds_per_call)
        if self.raises is not None:
            raise self.raises
        return [self.answers.get(asin, found)(asin, self.kind) for asin in asins]


def plug(monkeypatch: pytest.MonkeyPatch, *scripted: ScriptedSource) -> None:
    """These sources, and only these, for every organization (as if each had credentials)."""

    def factory_of(source: ScriptedSource) -> sources.SourceFactory:
        def factory(
            _setup: SourceSetup, _resources: ExitStack, _transport: httpx.BaseTransport | None
        ) -> ItemSource | None:
            return source

        return factory

    monkeypatch.setattr(
        sources, "SOURCES", {source.kind: factory_of(source) for source in scripted}
    )


def member(context: AppContext, client: TestClient, tenant: Tenant, role: Role) -> Tenant:
    """Another user of `tenant`'s organization, with `role`."""
    email = f"{unique(role.value)}@example.com"
    user_id = create_user(context, email)
    add_member(context, tenant.organization_id, email, role)
    tokens = login(client, email)
    return Tenant(
        tenant.organization_id,
        user_id,
        email,
        PASSWORD,
        tokens["access_token"],
        tokens["refresh_token"],
        role,
    )


def run_job(context: AppContext, job_id: str | uuid.UUID) -> Job:
    JobRunner(context.database, context.settings).execute(str(job_id))
    with context.database.unit_of_work(write=False) as session:
        job = session.get(Job, uuid.UUID(str(job_id)))
        assert job is not None
        session.expunge(job)
        return job


@pytest.fixture
def demo_client(context: AppContext) -> Iterator[TestClient]:
    with client_with(context, demo_marketplace=True) as value:
        yield value
