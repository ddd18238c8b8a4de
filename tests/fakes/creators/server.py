"""A fake Amazon Creators API on 127.0.0.1: its OAuth2 token services (Login with Amazon's
JSON form for 3.x credentials, Cognito's form for 2.x), GetItems and SearchItems in the real
wire format (the documents of shelfwise.integrations.creators.fake, checked against the SDK's
models by tests/fakes/test_creators_models.py).

What only tests need: a rate limit per credential like Amazon's (429 ThrottleException beyond
it), tokens that expire (or are expired early by `expire_tokens()`), wrong client secrets,
injected faults (5xx, 429 storms, stalls, truncated JSON, any raw body) and every request
recorded with its headers and JSON body.
"""

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qsl

import orjson
import pydantic
from creatorsapi_python_sdk.models.get_items_request_content import GetItemsRequestContent
from creatorsapi_python_sdk.models.search_items_request_content import (
    SearchItemsRequestContent,
)

from shelfwise.integrations.creators.fake import (
    GET_ITEMS_PATH,
    SEARCH_ITEMS_PATH,
    get_items_answer,
    search_items_answer,
    validation_error,
)
from tests.fakes.loopback import LoopbackFake, LoopbackHandler, start_loopback_server

LWA_TOKEN_PATH = "/auth/o2/token"
COGNITO_TOKEN_PATH = "/oauth2/token"
THROTTLED = {"type": "ThrottleException", "message": "Rate exceeded"}


@dataclass(frozen=True)
class Credentials:
    credential_id: str = "amzn1.application-oa2-client.creators0fake"
    credential_secret: str = "creators-fake-secret-0123456789"
    partner_tag: str = "shelfwise-20"


@dataclass
class Fault:
    """What the next API requests (GetItems, SearchItems) get instead of an answer; `times`
    requests in a row. `body` is sent as is (raw bytes), with `status`."""

    status: int = 500
    times: int = 1
    stall_seconds: float = 0.0
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def server_error(status: int = 500, times: int = 1) -> Fault:
    document = {"type": "InternalServerException", "message": "We encountered an internal error."}
    return Fault(status, times, body=orjson.dumps(document))


def throttled(times: int, retry_after: float | None = None) -> Fault:
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return Fault(429, times, body=orjson.dumps(THROTTLED), headers=headers)


def stall(seconds: float, times: int = 1) -> Fault:
    """A 200 that arrives after `seconds` (past the client's timeout, when longer)."""
    return Fault(200, times, stall_seconds=seconds, body=b'{"itemsResult": {"items": []}}')


def truncated(times: int = 1) -> Fault:
    return Fault(200, times, body=b'{"itemsResult": {"items": [{"asin": "B0')


def raw(document: Any, times: int = 1) -> Fault:
    """A 200 with `document` as its JSON body (malformed answers)."""
    return Fault(200, times, body=orjson.dumps(document))


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any
    status: int


class Bucket:
    """Amazon's limit for one credential: `rate` requests a second, `burst` at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._tokens, self._at = float(burst), 0.0

    def take(self, now: float) -> bool:
        if self._at:
            self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


class FakeCreatorsApi(LoopbackFake):
    def __init__(
        self,
        *,
        credentials: Credentials | None = None,
        rate_per_second: float = 1.0,
        burst: int = 1,
        token_lifetime: int = 3600,
        items: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.credentials = credentials or Credentials()
        self.rate_per_second, self.burst = rate_per_second, burst
        self.token_lifetime = token_lifetime
        self.items = items  # ASIN → item document; None: the generated catalog
        self.requests: list[Recorded] = []
        self.token_requests: list[Recorded] = []
        self.faults: deque[Fault] = deque()
        self.throttled_count = 0
        self._tokens: dict[str, float] = {}  # access token → expiry (wall clock)
        self._numbers = itertools.count(1)
        self._buckets: dict[str, Bucket] = {}
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def lwa_url(self) -> str:
        return self.url + LWA_TOKEN_PATH

    @property
    def cognito_url(self) -> str:
        return self.url + COGNITO_TOKEN_PATH

    def start(self) -> Self:
        fake = self

        class Handler(LoopbackHandler):
            def do_POST(self) -> None:
                fake.handle(self)

        self._server = start_loopback_server(Handler, poll_interval=0.05)
        return self

    def inject(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def set_limit(self, rate_per_second: float, burst: int) -> None:
        """Amazon granted the associate another rate (from the next request on)."""
        with self.lock:
            self.rate_per_second, self.burst = rate_per_second, burst
            self._buckets.clear()

    def expire_tokens(self) -> None:
        """Every access token issued so far expires now (before its announced lifetime)."""
        with self.lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)

    # -- serving ------------------------------------------------------------------------

    def handle(self, handler: LoopbackHandler) -> None:
        raw_body = handler.read_body()
        path = handler.path.split("?", 1)[0]
        headers = {name.lower(): value for name, value in handler.headers.items()}
        if path in (LWA_TOKEN_PATH, COGNITO_TOKEN_PATH):
            status, answer = self._token(path, headers, raw_body)
            sent = (
                _parsed(raw_body) if path == LWA_TOKEN_PATH else dict(parse_qsl(raw_body.decode()))
            )
            self.token_requests.append(Recorded(path, headers, sent, status))
            handler.send_answer(status, _json_headers(), orjson.dumps(answer))
            return
        try:
            body = orjson.loads(raw_body)
        except orjson.JSONDecodeError:
            body = None
        status, answer, extra, stall_seconds = self._api(path, headers, body, handler.arrival)
        with self.lock:
            self.requests.append(Recorded(path, headers, body, status))
        content = answer if isinstance(answer, bytes) else orjson.dumps(answer)
        handler.send_answer(status, _json_headers() | extra, content, stall_seconds)

    def _token(self, path: str, headers: dict[str, str], raw_body: bytes) -> tuple[int, Any]:
        is_lwa = path == LWA_TOKEN_PATH
        form = _parsed(raw_body) if is_lwa else dict(parse_qsl(raw_body.decode()))
        if not isinstance(form, dict) or form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        expected_scope = "creatorsapi::default" if is_lwa else "creatorsapi/default"
        if form.get("scope") != expected_scope:
            return 400, {"error": "invalid_scope"}
        credentials = self.credentials
        if (form.get("client_id"), form.get("client_secret")) != (
            credentials.credential_id,
            credentials.credential_secret,
        ):
            # LWA answers 401 with a description; Cognito a bare 400.
            if is_lwa:
                return 401, {
                    "error": "invalid_client",
                    "error_description": "Client authentication failed",
                }
            return 400, {"error": "invalid_client"}
        token = f"Atza|fake-{next(self._numbers)}"
        with self.lock:
            self._tokens[token] = time.time() + self.token_lifetime
        return 200, {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.token_lifetime,
        }

    def _api(
        self, path: str, headers: dict[str, str], body: Any, arrival: float
    ) -> tuple[int, Any, dict[str, str], float]:
        token = headers.get("authorization", "").removeprefix("Bearer ").split(",")[0]
        with self.lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            return 401, {"message": "Invalid token", "reason": "InvalidToken"}, {}, 0.0
        if expiry <= time.time():
            answer = {"message": "The access token has expired", "reason": "TokenExpired"}
            return 401, answer, {}, 0.0
        with self.lock:
            bucket = self._buckets.setdefault(
                self.credentials.credential_id, Bucket(self.rate_per_second, self.burst)
            )
            admitted = bucket.take(arrival)
            if not admitted:
                self.throttled_count += 1
                return 429, THROTTLED, {}, 0.0
            fault = self._next_fault()
        if fault is not None:
            return fault.status, fault.body or b"", fault.headers, fault.stall_seconds
        locale = headers.get("x-marketplace")
        if not locale:
            return 400, validation_error("The x-marketplace header is required."), {}, 0.0
        model = {
            GET_ITEMS_PATH: GetItemsRequestContent,
            SEARCH_ITEMS_PATH: SearchItemsRequestContent,
        }
        if path not in model:
            return 400, validation_error(f"Unknown operation {path}", "UnknownOperation"), {}, 0.0
        try:
            model[path].from_dict(body)
        except (pydantic.ValidationError, TypeError) as invalid:
            return 400, validation_error(str(invalid).splitlines()[0]), {}, 0.0
        if path == GET_ITEMS_PATH:
            status, answer = get_items_answer(body, locale, self.items)
        else:
            status, answer = search_items_answer(body, locale)
        return status, answer, {}, 0.0

    def _next_fault(self) -> Fault | None:
        if not self.faults:
            return None
        fault = self.faults[0]
        fault.times -= 1
        if fault.times <= 0:
            self.faults.popleft()
        return fault


def _parsed(raw_body: bytes) -> Any:
    try:
        return orjson.loads(raw_body)
    except orjson.JSONDecodeError:
        return raw_body.decode(errors="replace")


def _json_headers() -> dict[str, str]:
    return {"content-type": "application/json", "x-amzn-RequestId": "fake-request"}
