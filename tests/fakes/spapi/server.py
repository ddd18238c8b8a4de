"""The fake Selling Partner API: the models' routes, LWA, usage plans and faults on 127.0.0.1.

    with FakeSellingPartnerApi(acceleration=60) as fake:
        fake.state.add_catalog_item(catalog_item("B000000001", "Kettle", "Acme"))
        token = fake.access_token()          # or POST fake.lwa_url like a real client
        httpx.get(f"{fake.url}/catalog/2022-04-01/items/B000000001?marketplaceIds=...",
                  headers={"x-amz-access-token": token})

A request goes through what Amazon's edge does, in its order: LWA access token (403), injected
fault, the (selling partner, operation) token bucket from the model's usage plan (429
QuotaExceeded, no rate-limit header), the model's parameter and body rules (400), then the
operation's handler over `state`. Answers that took a token carry `x-amzn-RateLimit-Limit`.

Server technology: the stdlib ThreadingHTTPServer, as `token_bucket_server.py` uses, sharing its
`loopback.py` pieces. Each connection gets a thread, so a stalled answer holds no other client;
the socket stays in reach, so bucket accounting uses the kernel's receive timestamp and a busy
handler thread cannot make well-spaced requests look bunched (the offer-sync benchmark runs at
the ceiling, where that matters); and there is no event loop to host in a thread, as uvicorn
would need, nor a dependency. It speaks HTTP/1.1 keep-alive like the real endpoint.
"""

import gzip
import json
import threading
import uuid
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.loopback import LoopbackFake, LoopbackHandler, start_loopback_server
from tests.fakes.spapi.clock import SimulatedClock
from tests.fakes.spapi.faults import Fault, FaultQueue
from tests.fakes.spapi.handlers import (
    Handler,
    catalog,
    definitions,
    fees,
    inventory,
    listings,
    orders,
    pricing,
    reports,
    tokens,
)
from tests.fakes.spapi.lwa import AccessDenied, Credentials, LoginWithAmazon, LwaError
from tests.fakes.spapi.models import Operation, operation
from tests.fakes.spapi.paging import BadPageToken
from tests.fakes.spapi.ratelimit import UsagePlanBuckets
from tests.fakes.spapi.requests import (
    Answer,
    SpapiRequest,
    error_answer,
    invalid_input,
    request_problems,
    without_nulls,
)
from tests.fakes.spapi.state import MarketplaceState

LWA_PATH = "/auth/o2/token"
DEFAULT_CREDENTIALS = Credentials(
    client_id="amzn1.application-oa2-client.fake",
    client_secret="fake-client-secret",
    refresh_token="Atzr|fake-refresh-token",
    selling_partner_id="A1FAKESELLER001",
)
_API_HANDLERS: dict[str, dict[str, Handler]] = {
    catalog.MODEL: catalog.HANDLERS,
    pricing.MODEL: pricing.HANDLERS,
    listings.MODEL: listings.HANDLERS,
    reports.MODEL: reports.HANDLERS,
    orders.MODEL: orders.HANDLERS,
    inventory.MODEL: inventory.HANDLERS,
    fees.MODEL: fees.HANDLERS,
    definitions.MODEL: definitions.HANDLERS,
}


@dataclass(frozen=True)
class Route:
    operation: Operation
    handler: Handler


@dataclass
class OperationCounts:
    accepted: int = 0  # took a token and reached the handler
    throttled: int = 0  # 429
    faulted: int = 0  # answered by an injected fault
    denied: int = 0  # 403 on the access token


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    stall_seconds: float = 0.0


class FakeSellingPartnerApi(LoopbackFake):
    def __init__(self, *, acceleration: float = 1.0, state: MarketplaceState | None = None) -> None:
        self.state = state or MarketplaceState()
        self.clock = SimulatedClock(acceleration)
        self.lwa = LoginWithAmazon()
        self.credentials = self.lwa.register(DEFAULT_CREDENTIALS)
        self.faults = FaultQueue()
        self.routes = self._build_routes()
        self.buckets = UsagePlanBuckets(
            {
                route.operation.operation_id: route.operation.usage_plan
                for route in self.routes
                if route.operation.usage_plan is not None
            }
        )
        self.counts: dict[str, OperationCounts] = {}
        self._counts_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def _build_routes(self) -> list[Route]:
        handlers = {
            **_API_HANDLERS,
            tokens.MODEL: tokens.tokens_handlers(self._issue_restricted_token),
        }
        routes = [
            Route(operation(model_name, operation_id), handler)
            for model_name, by_operation in handlers.items()
            for operation_id, handler in by_operation.items()
        ]
        # A literal segment wins over a template one (/items/inventory before /items/{sku}).
        return sorted(routes, key=lambda route: route.operation.path.count("{"))

    # -- what a test uses -------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def lwa_url(self) -> str:
        return f"{self.url}{LWA_PATH}"

    def access_token(self, credentials: Credentials | None = None) -> str:
        """An access token as LWA would grant it, without a round trip."""
        granted = credentials or self.credentials
        form = {
            "grant_type": "refresh_token",
            "refresh_token": granted.refresh_token,
            "client_id": granted.client_id,
            "client_secret": granted.client_secret,
        }
        return str(self.lwa.exchange(form, self.clock.now())["access_token"])

    def inject(self, operation_id: str, *faults: Fault) -> None:
        """Serve these faults, in order, to the next requests on `operation_id`."""
        self.faults.inject(operation_id, *faults)

    def total(self, operation_id: str) -> OperationCounts:
        with self._counts_lock:
            return OperationCounts(**vars(self.counts.get(operation_id, OperationCounts())))

    # -- answering ----------------------------------------------------------------------------

    def reply(
        self, method: str, target: str, headers: dict[str, str], body: bytes, arrival: float
    ) -> _Reply:
        """The reply to one HTTP request that arrived at wall-clock `arrival`."""
        parts = urlsplit(target)
        path = unquote(parts.path)
        if path == LWA_PATH and method == "POST":
            return self._lwa_reply(headers, body)
        if path.startswith(reports.DOCUMENT_PATH) and method == "GET":
            return self._document_reply(path.removeprefix(reports.DOCUMENT_PATH))
        if path.startswith(definitions.SCHEMA_PATH) and method == "GET":
            return self._schema_reply(path.removeprefix(definitions.SCHEMA_PATH))
        for route in self.routes:
            match = route.operation.path_pattern.match(path)
            if match and route.operation.method == method:
                return self._operation_reply(
                    route, match.groupdict(), parts.query, headers, body, arrival
                )
        return _json_reply(error_answer(404, "NotFound", f"No SP-API operation at {method} {path}"))

    def _operation_reply(
        self,
        route: Route,
        path_parameters: dict[str, str],
        query: str,
        headers: dict[str, str],
        body: bytes,
        arrival: float,
    ) -> _Reply:
        operation_id = route.operation.operation_id
        now = self.clock.at(arrival)
        access_token = headers.get("x-amz-access-token")
        try:
            selling_partner_id = self.lwa.selling_partner(access_token, now)
        except AccessDenied as denied:
            self._count(operation_id, "denied")
            return _json_reply(_unauthorized(str(denied)))
        fault = self.faults.next(operation_id) or Fault()
        if fault.expires_token or fault.revokes_grant or fault.status is not None:
            self._count(operation_id, "faulted")
            return self._fault_reply(fault, str(access_token))
        if not self.buckets.take(selling_partner_id, operation_id, now):
            self._count(operation_id, "throttled")
            quota = error_answer(
                429, "QuotaExceeded", "You exceeded your quota for the requested resource."
            )
            return _json_reply(quota, stall_seconds=fault.stall_seconds)
        self._count(operation_id, "accepted")
        answer = self._handle(route, path_parameters, query, body, selling_partner_id, now)
        plan = route.operation.usage_plan
        rate_header = {"x-amzn-RateLimit-Limit": str(plan.rate)} if plan else {}
        reply = _json_reply(answer, rate_header, stall_seconds=fault.stall_seconds)
        if fault.is_truncated:
            return _Reply(
                reply.status, reply.headers, reply.body[: len(reply.body) // 2], reply.stall_seconds
            )
        return reply

    def _handle(
        self,
        route: Route,
        path_parameters: dict[str, str],
        query: str,
        body: bytes,
        selling_partner_id: str,
        now: float,
    ) -> Answer:
        try:
            parsed_body = without_nulls(json.loads(body)) if body else None
        except json.JSONDecodeError:
            return invalid_input("The request body is not JSON.")
        request = SpapiRequest(
            operation=route.operation,
            path_parameters=path_parameters,
            query=parse_qs(query, keep_blank_values=True),
            body=parsed_body,
            selling_partner_id=selling_partner_id,
            base_url=self.url,
            now=now,
        )
        problems = request_problems(request)
        if problems:
            return invalid_input("; ".join(problems))
        try:
            return route.handler(request, self.state)
        except BadPageToken as token:
            return invalid_input(f"The page token {token} was not issued by this API.")

    def _fault_reply(self, fault: Fault, access_token: str) -> _Reply:
        if fault.expires_token:
            self.lwa.expire(access_token)
            return _json_reply(_unauthorized("The access token you provided has expired."))
        if fault.revokes_grant:
            refresh_token = self.lwa.refresh_token_of(access_token)
            if refresh_token is not None:
                self.lwa.revoke_grant(refresh_token)
            return _json_reply(
                _unauthorized("The access token you provided is revoked, malformed or invalid.")
            )
        status = fault.status or 503
        code = "InternalFailure" if status == 500 else "ServiceUnavailable"
        failure = error_answer(status, code, "We encountered an internal error. Please try again.")
        return _json_reply(failure, stall_seconds=fault.stall_seconds)

    def _lwa_reply(self, headers: dict[str, str], body: bytes) -> _Reply:
        # python-amazon-sp-api posts a form; accept JSON too, as LWA does.
        text = body.decode("utf-8", "replace")
        if headers.get("content-type", "").startswith("application/json"):
            form = {key: str(value) for key, value in json.loads(text or "{}").items()}
        else:
            form = {key: values[0] for key, values in parse_qs(text).items()}
        try:
            granted = self.lwa.exchange(form, self.clock.now())
        except LwaError as refusal:
            error = {"error": refusal.error, "error_description": refusal.description}
            return _Reply(refusal.status, _json_headers(), json.dumps(error).encode())
        return _Reply(200, _json_headers(), json.dumps(granted).encode())

    def _document_reply(self, document_id: str) -> _Reply:
        report_id = self.state.report_documents.get(document_id)
        if report_id is None:
            return _Reply(
                404, {"content-type": "application/xml"}, b"<Error><Code>NoSuchKey</Code></Error>"
            )
        content = gzip.compress(self.state.reports[report_id].content)
        return _Reply(200, {"content-type": "application/octet-stream"}, content)

    def _schema_reply(self, product_type: str) -> _Reply:
        content = definitions.schema_bytes(product_type)
        if content is None:
            return _Reply(
                404, {"content-type": "application/xml"}, b"<Error><Code>NoSuchKey</Code></Error>"
            )
        return _Reply(200, {"content-type": "application/json"}, content)

    def _issue_restricted_token(self, selling_partner_id: str) -> tuple[str, int]:
        token = self.lwa.issue_restricted_data_token(selling_partner_id, self.clock.now())
        return token, 3600

    def _count(self, operation_id: str, outcome: str) -> None:
        with self._counts_lock:
            counts = self.counts.setdefault(operation_id, OperationCounts())
            setattr(counts, outcome, getattr(counts, outcome) + 1)

    # -- serving ------------------------------------------------------------------------------

    def start(self) -> Self:
        fake = self

        class Handler(LoopbackHandler):
            def _serve(self) -> None:
                body = self.read_body()
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = fake.reply(self.command, self.path, headers, body, self.arrival)
                self.send_answer(reply.status, reply.headers, reply.body, reply.stall_seconds)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._server = start_loopback_server(Handler, poll_interval=0.02)
        return self


def _unauthorized(details: str) -> Answer:
    return error_answer(403, "Unauthorized", "Access to requested resource is denied.", details)


def _json_headers() -> dict[str, str]:
    return {"content-type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}


def _json_reply(
    answer: Answer, extra_headers: dict[str, str] | None = None, *, stall_seconds: float = 0.0
) -> _Reply:
    body = b"" if answer.body is None else json.dumps(answer.body).encode()
    headers = {**_json_headers(), **answer.headers, **(extra_headers or {})}
    return _Reply(answer.status, headers, body, stall_seconds)
