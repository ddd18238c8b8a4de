"""python-amazon-sp-api's HTTP calls, sent through the orchestrator (DESIGN 1.4, G1/G2).

The library builds each request (paths, parameters, headers, JSON) and parses each answer; the
orchestrator decides when it may leave and what a 429, a 5xx or a stall means. The seam between
them is the library's transport object (`client._transport`, which 2.1 calls with `request` and
`stream`): `OrchestratedTransport` stands in for it. The library does not say which operation a
request is, so the adapter names it around each call (`calling`), and the transport picks that
operation's token bucket and usage plan.

Login with Amazon is a vendor call as well: `AccessTokens` exchanges the refresh token through
the same orchestrator and keeps the access token until shortly before it expires (the library's
own cache is module-wide and keyed by refresh token only, so two fakes or a revoked grant would
share it).
"""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from sp_api.auth import AccessTokenResponse

from shelfwise.integrations.amazon_spapi.plans import LWA_TOKEN, plan_of
from shelfwise.integrations.errors import AccountDisconnectedError, VendorRejectedError
from shelfwise.integrations.http import VendorCaller

_operation: ContextVar[str | None] = ContextVar("spapi_operation", default=None)
# LWA errors that mean the grant itself is gone: only the seller can fix them, by reconnecting.
GRANT_ERRORS = ("invalid_grant", "invalid_client", "unauthorized_client")
TOKEN_EXPIRY_MARGIN = 60.0  # seconds: refresh a token this long before LWA says it expires


@contextmanager
def calling(operation: str) -> Iterator[None]:
    """Name the SP-API operation the library is about to send (the transport's bucket key)."""
    token = _operation.set(operation)
    try:
        yield
    finally:
        _operation.reset(token)


def current_operation() -> str:
    operation = _operation.get()
    if operation is None:
        raise RuntimeError("an SP-API request left without `calling(operation)` around it")
    return operation


@dataclass(frozen=True)
class CallOwner:
    """Whose quota a call spends: the organization's budget and the credential's buckets."""

    organization_id: uuid.UUID
    credential_id: uuid.UUID


class ParsedAnswer:
    """An httpx response whose JSON body was parsed once, by the usability check, and is handed
    to the library as is (it calls `.json()`, `.headers` and `.status_code`)."""

    def __init__(self, response: httpx.Response, document: Any) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self._document = document

    def json(self) -> Any:
        return self._document


_DOCUMENT = "shelfwise.document"


def is_unusable(response: httpx.Response) -> bool:
    """A 2xx whose body is not a whole JSON document (a truncated or empty answer): the
    orchestrator counts it as a failure and tries again. Refusals (4xx) are judged elsewhere."""
    if response.status_code >= 400 or response.status_code == 204:
        return False
    try:
        response.extensions[_DOCUMENT] = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return True
    return False


class OrchestratedTransport:
    """The library's transport, sending every request as one orchestrated call."""

    def __init__(self, caller: VendorCaller, owner: CallOwner) -> None:
        self._caller = caller
        self._owner = owner

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        data: Any = None,
        content: Any = None,
        headers: dict[str, str] | None = None,
    ) -> ParsedAnswer:
        operation = current_operation()
        # The library writes `host` from the endpoint's text; httpx derives the right one.
        sent_headers = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
        response = self._caller.call(
            self._owner.organization_id,
            self._owner.credential_id,
            operation,
            plan_of(operation),
            method,
            url,
            params=params or None,
            data=data or None,
            content=content,
            headers=sent_headers,
            is_challenge=is_unusable,
        )
        return ParsedAnswer(response, response.extensions.get(_DOCUMENT))

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("report documents are downloaded by the adapter, not streamed")

    def close(self) -> None:
        """The orchestrator's client is shared; there is nothing of ours to close."""


class AccessTokens:
    """LWA access tokens for one refresh token, exchanged through the orchestrator.

    Stands in for the library's `AccessTokenClient` (it calls `get_auth()`); `invalidate()` is
    what the adapter calls when SP-API says the token has expired earlier than announced.
    """

    def __init__(
        self,
        transport: OrchestratedTransport,
        token_url: str,
        form: dict[str, str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._token_url = token_url
        self._form = form
        self._clock = clock
        self._lock = threading.Lock()
        self._token: dict[str, Any] | None = None
        self._expires_at = 0.0

    def __call__(self, **_library_arguments: Any) -> "AccessTokens":
        """The library constructs its token client from a class; this instance is that class."""
        return self

    def get_auth(self) -> AccessTokenResponse:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._token = self._exchange()
                lifetime = float(self._token.get("expires_in", 3600))
                self._expires_at = self._clock() + max(0.0, lifetime - TOKEN_EXPIRY_MARGIN)
            return AccessTokenResponse(**self._token)

    def get_grantless_auth(self, scope: str = "") -> AccessTokenResponse:
        raise NotImplementedError("Shelfwise makes no grantless calls")

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def _exchange(self) -> dict[str, Any]:
        try:
            with calling(LWA_TOKEN):
                answer = self._transport.request(
                    "POST",
                    self._token_url,
                    data=self._form,
                    headers={"content-type": "application/x-www-form-urlencoded;charset=UTF-8"},
                )
        except VendorRejectedError as refused:
            reason = refused.vendor_reason or ""
            if refused.vendor_status in (400, 401) and reason.startswith(GRANT_ERRORS):
                raise AccountDisconnectedError(
                    f"Amazon refused the account's authorization ({reason}). Reconnect the"
                    " account (authorize Shelfwise again in Seller Central) to resume syncing."
                ) from None
            raise
        token = answer.json()
        if not isinstance(token, dict) or not isinstance(token.get("access_token"), str):
            raise VendorRejectedError("Login with Amazon answered without an access token.", 502)
        return token
