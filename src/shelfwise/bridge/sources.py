"""Which item sources an organization has, best first: a registry keyed by `ItemSourceKind`.

A factory builds its source from the organization's credentials, or returns None when the
organization has none for it; given a transport, it builds the source against that instead,
with demo credentials (the demo marketplace). Sources are tried in `ItemSourceKind` order:
SP-API, the Creators API, the scraper.

The organization's own sources are those its credentials open: SP-API and the Creators API.
The scraper needs none (`KEYLESS`), so it is no sign of an organization's own: an organization
without credentials (for any marketplace) gets the demo sources when the demo marketplace is on
(`SHELFWISE_DEMO_MARKETPLACE`), and the real scraper (when `SHELFWISE_SCRAPER_ENABLED`) only when
it is off; one with credentials gets them, then the real scraper as the last resort. Counting
the scraper as its own would end the demo for everyone, and the embedded start would reach for
amazon.com pages instead of working offline; demo and real items are never mixed in one answer.
"""

import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Protocol

import httpx
from sqlalchemy.orm import Session

from shelfwise.bridge.repository import BridgeAccountRepository
from shelfwise.catalog.marketplaces import Marketplace
from shelfwise.integrations.amazon_spapi import fake as spapi_fake
from shelfwise.integrations.amazon_spapi.accounts import spapi_connection
from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient, SpApiConnection
from shelfwise.integrations.amazon_spapi.items import SpApiItems
from shelfwise.integrations.creators import fake as creators_fake
from shelfwise.integrations.creators.accounts import creators_credential_id, creators_items
from shelfwise.integrations.creators.client import CreatorsClient, CreatorsConnection
from shelfwise.integrations.creators.schemas import DEFAULT_ENDPOINT, TOKEN_URLS
from shelfwise.integrations.creators.service import CreatorsItems
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.items import ItemSource, ItemSourceKind
from shelfwise.integrations.scraper import fake as scraper_fake
from shelfwise.integrations.scraper.client import shared_client
from shelfwise.integrations.scraper.source import PageScraper
from shelfwise.platform.settings import Settings
from shelfwise.vault.service import VaultService

DEMO_NAMESPACE = uuid.UUID("5b1e7f3c-6a0d-4c55-9d7e-2f1a8b9c0d11")


@dataclass(frozen=True)
class SourceSetup:
    """What a factory may read: the organization's rows (read-only) and the process's config."""

    session: Session
    vault: VaultService
    settings: Settings
    organization_id: uuid.UUID
    marketplace: Marketplace


class SourceFactory(Protocol):
    def __call__(
        self, setup: SourceSetup, resources: ExitStack, transport: httpx.BaseTransport | None
    ) -> ItemSource | None:
        """The source, its clients closed by `resources`; None when the organization lacks
        what it needs (no credentials, a disconnected account, another marketplace's region)."""
        ...


@dataclass(frozen=True)
class ChosenSource:
    source: ItemSource
    is_demo: bool


def spapi_source(
    setup: SourceSetup, resources: ExitStack, transport: httpx.BaseTransport | None
) -> ItemSource | None:
    settings, found = setup.settings, setup.marketplace
    if found.amazon_marketplace_id is None or found.region is None:
        return None
    if transport is None:
        connection = _spapi_connection(setup)
        if connection is None:
            return None
        caller = VendorCaller(settings)
        endpoint, token_url = settings.spapi_endpoint, settings.spapi_token_url
    else:
        # Demo credentials of this organization: its own token buckets and call counts.
        connection = SpApiConnection(
            organization_id=setup.organization_id,
            credential_id=_demo_credential_id(setup, ItemSourceKind.SPAPI),
            seller_id=spapi_fake.DEMO_SELLER_ID,
            marketplace_id=found.amazon_marketplace_id,
            region=found.region,
            refresh_token="Atzr|demo",  # noqa: S106 (the demo's, not a secret)
            client_id="amzn1.application-oa2-client.demo",
            client_secret="demo",  # noqa: S106
        )
        caller = _demo_caller(settings, resources, transport)
        endpoint, token_url = None, None
    resources.callback(caller.close)
    client_api = SellingPartnerClient(connection, caller, endpoint=endpoint, token_url=token_url)
    return SpApiItems(client_api)


def _spapi_connection(setup: SourceSetup) -> SpApiConnection | None:
    repository = BridgeAccountRepository(setup.session, setup.organization_id)
    for account in repository.amazon_accounts(setup.marketplace.code):
        if account.credential_id is None:
            continue
        try:
            return spapi_connection(setup.session, setup.vault, account)
        except AccountDisconnectedError:
            continue  # the account page says why; another account may still connect
    return None


def creators_source(
    setup: SourceSetup, resources: ExitStack, transport: httpx.BaseTransport | None
) -> ItemSource | None:
    organization_id = setup.organization_id
    if transport is not None:
        caller = _demo_caller(setup.settings, resources, transport)
        resources.callback(caller.close)
        credential_id = _demo_credential_id(setup, ItemSourceKind.CREATORS)
        connection = CreatorsConnection(organization_id, credential_id, creators_fake.demo_config())
        # Amazon's own addresses, whatever the settings point at: the transport answers them.
        token_url = TOKEN_URLS[connection.config.version]
        client = CreatorsClient(connection, caller, endpoint=DEFAULT_ENDPOINT, token_url=token_url)
        return CreatorsItems(client)
    credential = creators_credential_id(setup.session, organization_id)
    if credential is None:
        return None
    caller = VendorCaller(setup.settings)
    resources.callback(caller.close)
    try:
        return creators_items(setup.session, setup.vault, organization_id, credential, caller)
    except AccountDisconnectedError:
        return None  # the credentials page says why


def scraper_source(
    setup: SourceSetup, resources: ExitStack, transport: httpx.BaseTransport | None
) -> ItemSource | None:
    if transport is not None:
        client = scraper_fake.demo_client(setup.settings, transport)
        resources.callback(client.close)
        return PageScraper(client, setup.organization_id)
    if not setup.settings.scraper_enabled:
        return None
    # The process's client, not closed here: its throttle and robots.txt outlive a request.
    return PageScraper(shared_client(setup.settings), setup.organization_id)


def _demo_credential_id(setup: SourceSetup, kind: ItemSourceKind) -> uuid.UUID:
    """Per organization and source, stable: each organization has its own demo token buckets
    and call counts, as it would with credentials of its own."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind.value}:{setup.organization_id}")


def _demo_caller(
    settings: Settings, resources: ExitStack, transport: httpx.BaseTransport
) -> VendorCaller:
    timeout = httpx.Timeout(settings.vendor_timeout.total_seconds())
    client = resources.enter_context(httpx.Client(transport=transport, timeout=timeout))
    return VendorCaller(settings, client=client)


SOURCES: dict[ItemSourceKind, SourceFactory] = {
    ItemSourceKind.SPAPI: spapi_source,
    ItemSourceKind.CREATORS: creators_source,
    ItemSourceKind.SCRAPER: scraper_source,
}
DEMO_TRANSPORTS: dict[ItemSourceKind, Callable[[], httpx.BaseTransport]] = {
    ItemSourceKind.SPAPI: spapi_fake.demo_transport,
    ItemSourceKind.CREATORS: creators_fake.demo_transport,
    ItemSourceKind.SCRAPER: scraper_fake.demo_transport,
}
# Sources that need no credentials of the organization: they do not make a source its own.
KEYLESS = frozenset({ItemSourceKind.SCRAPER})


def choose_sources(setup: SourceSetup, resources: ExitStack) -> list[ChosenSource]:
    """The organization's sources for the marketplace, best first, then the keyless ones; the
    demo's instead when it has none of its own and the demo marketplace is on."""
    own = _built(setup, resources, [kind for kind in ItemSourceKind if kind not in KEYLESS])
    if not own and setup.settings.demo_marketplace and not _has_credentials(setup):
        chosen = []
        for kind in ItemSourceKind:
            factory, make_transport = SOURCES.get(kind), DEMO_TRANSPORTS.get(kind)
            if factory is not None and make_transport is not None:
                source = factory(setup, resources, make_transport())
                if source is not None:
                    chosen.append(ChosenSource(source, is_demo=True))
        return chosen
    keyless = _built(setup, resources, [kind for kind in ItemSourceKind if kind in KEYLESS])
    order = list(ItemSourceKind)
    return sorted(own + keyless, key=lambda chosen: order.index(chosen.source.kind))


def _has_credentials(setup: SourceSetup) -> bool:
    """Credentials for any marketplace make the organization a real one: where they open no
    source (another marketplace, a disconnected account) it gets the keyless scraper or an
    answer saying no source has the item, never demo items beside its real catalog."""
    accounts = BridgeAccountRepository(setup.session, setup.organization_id)
    if accounts.any_with_credentials():
        return True
    return creators_credential_id(setup.session, setup.organization_id) is not None


def _built(
    setup: SourceSetup, resources: ExitStack, kinds: list[ItemSourceKind]
) -> list[ChosenSource]:
    chosen = []
    for kind in kinds:
        factory = SOURCES.get(kind)
        source = factory(setup, resources, None) if factory is not None else None
        if source is not None:
            chosen.append(ChosenSource(source, is_demo=False))
    return chosen
