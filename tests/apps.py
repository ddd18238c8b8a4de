"""A second application on the session's database with some settings changed (caps, page sizes)."""

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from shelfwise.app import create_app
from shelfwise.platform.context import AppContext


@contextmanager
def client_with(context: AppContext, **overrides: object) -> Iterator[TestClient]:
    """A client for an app sharing `context`'s database and keys, with `overrides` applied."""
    settings = context.settings.model_copy(update={"embedded_worker": False, **overrides})
    app = create_app(settings, dataclasses.replace(context, settings=settings))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
