"""Which item sources an organization has, best first: a registry keyed by `ItemSourceKind`.

A factory builds its source from the organization's credentials, or returns None when the
organization has none for it; given a transport, it builds the source against that instead,
with demo credentials (the demo marketplace). Sources are tried in `ItemSourceKind` order:
SP-API, the Creators API, the scraper. An organization with no source of its own gets the
demo sources when the demo marketplace is on (`SHELFWISE_DEMO_MARKETPLACE`).

Another source plugs in with one line in each registry, e.g. for the Creators API:
    SOURCES:          ItemSourceKind.CREATORS: creators.service.creators_source,
    DEMO_TRANSPORTS:  ItemSourceKind.CREATORS: creators.fake.demo_transport,
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
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.items import ItemSource, ItemSourceKind
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
            credential_id=uuid.uuid5(DEMO_NAMESPACE, str(setup.organization_id)),
            seller_id=spapi_fake.DEMO_SELLER_ID,
            marketplace_id=found.amazon_marketplace_id,
            region=found.region,
            refresh_token="Atzr|demo",  # noqa: S106 (the demo's, not a secret)
            client_id="amzn1.application-oa2-client.demo",
            client_secret="demo",  # noqa: S106
        )
        timeout = httpx.Timeout(settings.vendor_timeout.total_seconds())
        client = resources.enter_context(httpx.Client(transport=transport, timeout=timeout))
        caller = VendorCaller(settings, client=client)
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


SOURCES: dict[ItemSourceKind, SourceFactory] = {
    ItemSourceKind.SPAPI: spapi_source,
    # ItemSourceKind.CREATORS: creators_source,  (integrations/creators/, its branch)
    # ItemSourceKind.SCRAPER: scraper_source,  (integrations/scraper/, its branch)
}
DEMO_TRANSPORTS: dict[ItemSourceKind, Callable[[], httpx.BaseTransport]] = {
    ItemSourceKind.SPAPI: spapi_fake.demo_transport,
    # ItemSourceKind.CREATORS: creators_fake.demo_transport,  (integrations/creators/fake.py)
    # ItemSourceKind.SCRAPER: scraper_fake.demo_transport,  (integrations/scraper/fake.py)
}


def choose_sources(setup: SourceSetup, resources: ExitStack) -> list[ChosenSource]:
    """The organization's sources for the marketplace, best first; else the demo's (when on)."""
    chosen = []
    for kind in ItemSourceKind:
        factory = SOURCES.get(kind)
        source = factory(setup, resources, None) if factory is not None else None
        if source is not None:
            chosen.append(ChosenSource(source, is_demo=False))
    if chosen or not setup.settings.demo_marketplace:
        return chosen
    for kind in ItemSourceKind:
        factory, make_transport = SOURCES.get(kind), DEMO_TRANSPORTS.get(kind)
        if factory is not None and make_transport is not None:
            source = factory(setup, resources, make_transport())
            if source is not None:
                chosen.append(ChosenSource(source, is_demo=True))
    return chosen
