"""The organization's chat client for one request or job, closed when done."""

from collections.abc import Iterator
from contextlib import contextmanager

from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.llm.accounts import chat_client
from shelfwise.integrations.llm.client import ChatClient, LLMConnection
from shelfwise.platform.settings import Settings


@contextmanager
def open_model(connection: LLMConnection | None, settings: Settings) -> Iterator[ChatClient | None]:
    """A client of the organization's model, or None (no `llm` credential: offline).

    Read the connection with `llm_connection`, which raises `ModelCredentialError` (409) for a
    credential that is not a valid llm configuration: a mistake to fix, not a model failure."""
    if connection is None:
        yield None
        return
    caller = VendorCaller(settings)
    client = chat_client(connection, caller, settings)
    try:
        yield client
    finally:
        client.close()
        caller.close()
