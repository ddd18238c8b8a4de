"""Answering ASINs: the cache first (one multi-get), then the organization's sources, best first.

Per ASIN: a cached item is served as stored. A miss goes to the sources in batches of each
source's `max_batch`: an item ends it; `not_found` (and `invalid_asin`) is final; `unavailable`
or `refused` hands the ASIN to the next source, and when none is left the last reason is the
error item. Only items are cached (`SHELFWISE_ASIN_CACHE_TTL`) and kept for asin-sync.

A request waits at most `SHELFWISE_ASIN_FETCH_DEADLINE` for vendors, checked before each call:
the scraper waits seconds between pages, and 100 ASINs through it would hold a request for
minutes. What is not fetched by then answers `unavailable` with a retry-after, and the job
`bridge.fetch_items` fetches it into the cache, so asking again later is answered from there.
"""

import hashlib
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.orm import Session

from shelfwise.accounts.repository import AccountsRepository
from shelfwise.bridge.asins import AsinList, parse_asins
from shelfwise.bridge.repository import FetchedItemRepository, PriceHistoryRepository
from shelfwise.bridge.schemas import error_document, item_document
from shelfwise.bridge.sources import ChosenSource, SourceSetup, choose_sources
from shelfwise.catalog.marketplaces import Marketplace, marketplace
from shelfwise.catalog.models import Platform
from shelfwise.integrations.errors import (
    AccountDisconnectedError,
    RetryableError,
    VendorRejectedError,
)
from shelfwise.integrations.items import AmazonItem, ItemFailure, ItemFailureCode, ItemResult
from shelfwise.intelligence.deal import PriceRange
from shelfwise.jobs import service as jobs
from shelfwise.platform.cache import Cache, shared_cache
from shelfwise.platform.errors import InvalidInputError, NotFoundError
from shelfwise.platform.settings import Settings
from shelfwise.platform.types import utcnow
from shelfwise.vault.service import VaultService

if TYPE_CHECKING:
    from shelfwise.platform.context import AppContext

NAMESPACE = "amazon_items"
FETCH_JOB = "bridge.fetch_items"
HISTORY_WINDOW = timedelta(days=90)
FINAL = frozenset({ItemFailureCode.NOT_FOUND, ItemFailureCode.INVALID_ASIN})
NO_SOURCE = (
    "No source can fetch items for this organization: connect an Amazon account with SP-API"
    " credentials for this marketplace, add a Creators API credential, or switch the scraper on."
)


def amazon_marketplace(code: str, field_name: str = "marketplace") -> Marketplace:
    """The Amazon marketplace of a storefront domain; 422 for anything else."""
    found = marketplace(code.strip().lower())
    if found is None or found.platform is not Platform.AMAZON:
        message = f'"{code[:40]}" is not an Amazon marketplace (e.g. amazon.com, amazon.de).'
        raise InvalidInputError(message, [{"field": field_name, "message": message}])
    return found


def cache_key(marketplace_code: str, asin: str) -> str:
    return f"{marketplace_code}/{asin}"


def invalid_document(asin: str) -> bytes:
    reason = "Not an ASIN: an ASIN is 10 letters and digits."
    return orjson.dumps(error_document(ItemFailure(asin, ItemFailureCode.INVALID_ASIN, reason)))


@dataclass
class Fetched:
    """A fetch's answers per ASIN (JSON), what to keep, and what the deadline left undone."""

    documents: dict[str, bytes] = field(default_factory=dict)
    kept: list[dict[str, Any]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """Every requested ASIN's entry, in order, and what the caller must write and queue."""

    marketplace: str
    entries: list[bytes]
    kept: list[dict[str, Any]]
    pending: list[str]

    @property
    def is_demo(self) -> bool:
        return any(b'"demo":true' in entry for entry in self.entries)


class ItemBridge:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock

    def lookup(
        self,
        session: Session,
        vault: VaultService,
        settings: Settings,
        cache: Cache,
        organization_id: uuid.UUID,
        found: Marketplace,
        asins: AsinList,
        *,
        deadline: timedelta | None,
    ) -> Answer:
        """Cached entries, the misses fetched; `session` is only read. The caller writes
        `kept` and queues `pending` (see `record`), in its own transaction."""
        started = self._clock()
        valid = asins.valid
        keys = [cache_key(found.code, asin) for asin in valid]
        hits = dict(zip(valid, cache.get_many(organization_id, NAMESPACE, keys), strict=True))
        misses = [asin for asin, value in hits.items() if value is None]
        fetched = Fetched()
        if misses:
            deadline_at = started + deadline.total_seconds() if deadline is not None else None
            setup = SourceSetup(session, vault, settings, organization_id, found)
            fetched = self.fetch(setup, misses, deadline_at)
            ttl = settings.asin_cache_ttl
            for row in fetched.kept:
                value = fetched.documents[row["asin"]]
                cache.set(
                    organization_id, NAMESPACE, cache_key(found.code, row["asin"]), value, ttl
                )
        entries = [
            invalid_document(asin)
            if asin in asins.invalid
            else (hits.get(asin) or fetched.documents[asin])
            for asin in asins.asins
        ]
        return Answer(found.code, entries, fetched.kept, fetched.pending)

    def fetch(self, setup: SourceSetup, asins: Sequence[str], deadline_at: float | None) -> Fetched:
        """Each ASIN through the sources, best first, until one answers it for good."""
        fetched = Fetched()
        with ExitStack() as resources:
            sources = choose_sources(setup, resources)
            if not sources:
                for asin in asins:
                    failure = ItemFailure(asin, ItemFailureCode.UNAVAILABLE, NO_SOURCE)
                    document = error_document(failure)
                    fetched.documents[asin] = orjson.dumps(document)
                return fetched
            history = self._history(setup, asins)
            last: dict[str, ItemFailure] = {}
            remaining = list(asins)
            for chosen in sources:
                unanswered = []
                size = max(1, chosen.source.max_batch)
                for start in range(0, len(remaining), size):
                    batch = remaining[start : start + size]
                    if deadline_at is not None and self._clock() >= deadline_at:
                        fetched.pending.extend(batch)
                        continue
                    for asin, result in zip(batch, _ask(chosen, batch, setup), strict=True):
                        if isinstance(result, AmazonItem):
                            _found(fetched, chosen, result, history.get(asin))
                        elif result.code in FINAL:
                            fetched.documents[asin] = orjson.dumps(error_document(result))
                        else:
                            last[asin] = result
                            unanswered.append(asin)
                remaining = unanswered
            for asin in remaining:
                fetched.documents[asin] = orjson.dumps(error_document(last[asin]))
        retry_after = setup.settings.asin_fetch_deadline.total_seconds()
        for asin in fetched.pending:
            reason = "Still being fetched (the source is slow); ask again shortly."
            waiting = ItemFailure(asin, ItemFailureCode.UNAVAILABLE, reason, retry_after)
            fetched.documents[asin] = orjson.dumps(error_document(waiting))
        return fetched

    def record(
        self, session: Session, organization_id: uuid.UUID, answer: Answer, settings: Settings
    ) -> uuid.UUID | None:
        """Keep the fetched items and queue the fetch of what the deadline left (one job per
        ASIN set and cache lifetime); the caller commits. Returns the job queued, if any."""
        FetchedItemRepository(session, organization_id).keep(answer.kept)
        if not answer.pending:
            return None
        window = int(time.time() // max(1.0, settings.asin_cache_ttl.total_seconds()))
        digest = hashlib.sha256(",".join(sorted(answer.pending)).encode()).hexdigest()[:32]
        return jobs.enqueue(
            session,
            FETCH_JOB,
            {"marketplace": answer.marketplace, "asins": answer.pending},
            organization_id=organization_id,
            dedupe_key=f"{FETCH_JOB}:{organization_id}:{answer.marketplace}:{window}:{digest}",
        )

    def _history(self, setup: SourceSetup, asins: Sequence[str]) -> dict[str, PriceRange]:
        repository = PriceHistoryRepository(setup.session, setup.organization_id)
        ranges = repository.ranges(setup.marketplace.code, asins, utcnow() - HISTORY_WINDOW)
        return {asin: PriceRange(low, high) for asin, (low, high) in ranges.items()}


def _ask(chosen: ChosenSource, batch: list[str], setup: SourceSetup) -> list[ItemResult]:
    """One call; a failure of the whole call is a failure of each ASIN in it."""
    source, code = chosen.source, setup.marketplace.code
    try:
        results = source.fetch_items(batch, code)
    except RetryableError as busy:
        return [
            ItemFailure(asin, ItemFailureCode.UNAVAILABLE, busy.detail, busy.defer_seconds)
            for asin in batch
        ]
    except (VendorRejectedError, AccountDisconnectedError) as refused:
        return [ItemFailure(asin, ItemFailureCode.REFUSED, refused.detail) for asin in batch]
    by_asin = {result.asin: result for result in results}
    silent = f"The {source.kind.value} source gave no answer for this ASIN."
    return [
        by_asin.get(asin) or ItemFailure(asin, ItemFailureCode.UNAVAILABLE, silent)
        for asin in batch
    ]


def _found(
    fetched: Fetched, chosen: ChosenSource, item: AmazonItem, history: PriceRange | None
) -> None:
    document = item_document(item, is_demo=chosen.is_demo, history=history)
    fetched.documents[item.asin] = orjson.dumps(document)
    fetched.kept.append(
        {
            "marketplace": item.marketplace,
            "asin": item.asin,
            "source": item.source.value,
            "is_demo": chosen.is_demo,
            "item": document,
            "fetched_at": item.fetched_at,
        }
    )


bridge = ItemBridge()


def fetch_now(
    context: "AppContext", organization_id: uuid.UUID | None, marketplace_code: str, text: str
) -> Answer:
    """The command line's fetch: no deadline (the caller waits), then kept and cached as any.
    Without an organization: the only one, else the demo's; NotFoundError otherwise."""
    settings = context.settings
    found, asins = amazon_marketplace(marketplace_code), parse_asins(text)
    organization_id = organization_id or _default_organization(context)
    cache = shared_cache(settings)
    database = context.database
    with database.unit_of_work(organization_id=organization_id, write=False) as session:
        if AccountsRepository(session).organization(organization_id) is None:
            raise NotFoundError(f"No organization {organization_id}.")
        answer = bridge.lookup(
            session, context.vault, settings, cache, organization_id, found, asins, deadline=None
        )
    with database.unit_of_work(organization_id=organization_id) as session:
        bridge.record(session, organization_id, answer, settings)
    return answer


def _default_organization(context: "AppContext") -> uuid.UUID:
    with context.database.unit_of_work(write=False) as session:
        organizations = AccountsRepository(session).all_organization_ids()
    if len(organizations) == 1:
        return organizations[0]
    demo = context.settings.data_dir / "demo-login.json"
    if demo.exists():
        return uuid.UUID(orjson.loads(demo.read_bytes())["organization_id"])
    raise NotFoundError(f"{len(organizations)} organizations: name one with --org.")
