"""The Creators API SDK's HTTP calls, sent through the orchestrator (DESIGN 1.4, G1/G2).

Amazon's generated SDK (`creatorsapi_python_sdk`, shipped by python-amazon-paapi) builds each
request (path, `x-marketplace`, JSON body, `Authorization`) and we read its answers with its
models. Two seams of its `ApiClient` hand the wire to us, as python-amazon-paapi's own wrapper
does: `rest_client` (called with `request(method, url, headers, body, …)`) is
`OrchestratedRest`, and `_token_manager` (`get_token()`, `clear_token()`) is `CreatorsTokens`,
which exchanges the client credentials through the orchestrator as well.
"""

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from shelfwise.integrations.errors import AccountDisconnectedError, VendorRejectedError
from shelfwise.integrations.http import UsagePlan, VendorCaller

# The associate's rate limit is one for all operations (Amazon counts requests per credential),
# so every API call shares one bucket; the token service publishes no plan, this one keeps a
# broken loop from hammering it.
API_OPERATION = "creators.api"
TOKEN_OPERATION = "creators.token"  # noqa: S105 (an operation name)
TOKEN_PLAN = UsagePlan(1.0, 5)
TOKEN_EXPIRY_MARGIN = 60.0  # seconds: exchange again this long before the token expires
# What the token services answer for credentials they do not know (Cognito 400, LWA 401).
CREDENTIAL_ERRORS = ("invalid_client", "unauthorized_client", "invalid_grant")
DOCUMENT = "shelfwise.document"


@dataclass(frozen=True)
class CallOwner:
    """Whose quota a call spends: the organization's budget and the credential's bucket."""

    organization_id: uuid.UUID
    credential_id: uuid.UUID


def is_unusable(response: httpx.Response) -> bool:
    """A 2xx whose body is not a whole JSON document (a truncated or empty answer): the
    orchestrator counts it as a failure and tries again. Refusals (4xx) are judged elsewhere."""
    if response.status_code >= 400:
        return False
    try:
        response.extensions[DOCUMENT] = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return True
    return False


class Answer:
    """An orchestrated response in the shape of the SDK's `RESTResponse`, its JSON body parsed
    once (by `is_unusable`) and kept in `document`."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.reason = response.reason_phrase
        self.data = response.content
        self.headers = response.headers
        self.document: Any = response.extensions.get(DOCUMENT)

    @property
    def response(self) -> "Answer":
        """The SDK's `*_without_preload_content` calls return `RESTResponse.response` (the
        urllib3 response); this object stands for both."""
        return self

    def read(self) -> bytes:
        return self.data

    def getheaders(self) -> httpx.Headers:
        return self.headers

    def getheader(self, name: str, default: str | None = None) -> str | None:
        value = self.headers.get(name)
        return default if value is None else str(value)


class OrchestratedRest:
    """The SDK's REST client, sending every request as one orchestrated call."""

    def __init__(
        self, caller: VendorCaller, owner: CallOwner, plan: UsagePlan, timeout: float
    ) -> None:
        self._caller = caller
        self._owner = owner
        self._plan = plan
        self._timeout = timeout

    def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        body: Any = None,
        post_params: Any = None,
        _request_timeout: Any = None,
    ) -> Answer:
        # The SDK's own timeout argument is ignored: ours comes from settings, for every call.
        response = self._caller.call(
            self._owner.organization_id,
            self._owner.credential_id,
            API_OPERATION,
            self._plan,
            method,
            url,
            content=orjson.dumps(body) if body is not None else None,
            headers=headers or {},
            timeout=self._timeout,
            is_challenge=is_unusable,
        )
        return Answer(response)


class CreatorsTokens:
    """OAuth2 client-credentials tokens for one credential, exchanged through the orchestrator;
    stands in for the SDK's `OAuth2TokenManager` (whose exchange has no timeout and bypasses
    our rate limits)."""

    def __init__(
        self,
        caller: VendorCaller,
        owner: CallOwner,
        token_url: str,
        form: dict[str, str],
        *,
        as_json: bool,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._caller = caller
        self._owner = owner
        self._token_url = token_url
        self._form = form
        self._as_json = as_json
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.exchanges = 0

    def get_token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._token, lifetime = self._exchange()
                self._expires_at = self._clock() + max(0.0, lifetime - TOKEN_EXPIRY_MARGIN)
            return self._token

    def clear_token(self) -> None:
        with self._lock:
            self._token = None

    def _exchange(self) -> tuple[str, float]:
        # Login with Amazon (3.x) takes JSON, Cognito (2.x) a form, as the SDK sends them.
        body: dict[str, Any] = {"json": self._form} if self._as_json else {"data": self._form}
        try:
            response = self._caller.call(
                self._owner.organization_id,
                self._owner.credential_id,
                TOKEN_OPERATION,
                TOKEN_PLAN,
                "POST",
                self._token_url,
                timeout=self._timeout,
                is_challenge=is_unusable,
                **body,
            )
        except VendorRejectedError as refused:
            reason = refused.vendor_reason or ""
            if refused.vendor_status in (400, 401) and reason.startswith(CREDENTIAL_ERRORS):
                raise AccountDisconnectedError(
                    f"Amazon refused the Creators API credential ({reason}). Create a new"
                    " credential in Associates Central and replace this one's id and secret."
                ) from None
            raise
        self.exchanges += 1
        token = response.extensions.get(DOCUMENT)
        if not isinstance(token, dict) or not isinstance(token.get("access_token"), str):
            said = "The Creators API token service answered without an access token."
            raise VendorRejectedError(said, 502)
        lifetime = token.get("expires_in", 3600)
        if not isinstance(lifetime, int | float):
            lifetime = 3600
        return token["access_token"], float(lifetime)
