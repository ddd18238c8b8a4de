"""`Idempotency-Key` on mutating POSTs (B6), as a pure-ASGI middleware.

A bearer-authenticated POST with the header is keyed per organization (found the way the auth
dependency finds it: the credential and `X-Organization-Id`). The first request claims the key
(INSERT … ON CONFLICT DO NOTHING, committed before the route runs); its 2xx or 4xx answer is
stored (body sealed with the organization's vault key) and replayed for the same key and the same
request: same caller, method, path, query and body bytes. The same key with another request is a
422, the same key while the first is still running a 409. A 5xx or a crash releases the key so a
retry runs again. Keys expire after 24 hours (`ingest.purge_idempotency_keys` deletes them).
POSTs without a valid bearer credential (login, refresh, webhooks) pass through untouched.
"""

import enum
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import orjson
from anyio import CancelScope, to_thread
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shelfwise.accounts.auth import bearer_credential, organization_header
from shelfwise.accounts.principal import Principal
from shelfwise.ingest.models import IdempotencyState
from shelfwise.ingest.repository import IdempotencyKeyRepository
from shelfwise.platform.context import AppContext
from shelfwise.platform.errors import ShelfwiseError
from shelfwise.platform.ids import new_id
from shelfwise.platform.logging import get_logger
from shelfwise.platform.types import utcnow

IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
REPLAYED_HEADER = b"idempotent-replayed"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# Set per response, never replayed from the store.
_NOT_STORED = frozenset({b"content-length", b"date", b"server", b"x-request-id"})

logger = get_logger(__name__)


class Outcome(enum.Enum):
    CLAIMED = "claimed"  # run the request, then store its answer
    REPLAY = "replay"
    IN_FLIGHT = "in_flight"
    MISMATCH = "mismatch"
    INVALID_KEY = "invalid_key"


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    organization_id: uuid.UUID
    key_id: uuid.UUID | None = None
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""


def request_hash(principal: Principal, method: str, target: str, body: bytes) -> str:
    """Who asked and what: a replayed answer only ever goes to the caller of the same request."""
    digest = hashlib.sha256()
    for part in (principal.actor.label, method, target):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(4, "big") + encoded)
    digest.update(body)
    return digest.hexdigest()


def _purpose(key_id: uuid.UUID) -> str:
    return f"idempotency-key|{key_id}"


class IdempotencyStore:
    """The database side; every method runs in a worker thread, in its own transaction."""

    def __init__(self, context: AppContext) -> None:
        self.context = context

    def claim(
        self,
        authorization: str | None,
        organization: str | None,
        key: str,
        method: str,
        target: str,
        body: bytes,
    ) -> Claim | None:
        """None when the request is not authenticated (the route answers it)."""
        credential = bearer_credential(authorization)
        if credential is None:
            return None
        with self.context.database.unit_of_work() as session:
            try:
                principal = self.context.accounts.authenticate(
                    session, credential, organization_header(organization)
                )
            except ShelfwiseError:
                return None
            organization_id = principal.organization_id
            if not _VALID_KEY.match(key):
                return Claim(Outcome.INVALID_KEY, organization_id)
            repository = IdempotencyKeyRepository(session, organization_id)
            now = utcnow()
            values = {
                "method": method,
                "path": target.partition("?")[0][:2000],
                "request_hash": request_hash(principal, method, target, body),
                "created_at": now,
            }
            key_id = new_id()
            if repository.claim(values | {"id": key_id, "key": key}):
                return Claim(Outcome.CLAIMED, organization_id, key_id)
            taken = repository.take_over_expired(key, now - IDEMPOTENCY_KEY_TTL, values)
            if taken is not None:
                return Claim(Outcome.CLAIMED, organization_id, taken)
            stored = repository.by_key(key)
            assert stored is not None  # claimed by a committed request
            if stored.state == IdempotencyState.IN_FLIGHT:
                return Claim(Outcome.IN_FLIGHT, organization_id)
            if stored.request_hash != values["request_hash"]:
                return Claim(Outcome.MISMATCH, organization_id)
            assert stored.response_status is not None and stored.response_body is not None
            replayed = self.context.vault.open_for(
                session, organization_id, _purpose(stored.id), stored.response_body
            )
            headers = [
                (name.encode("latin-1"), value.encode("latin-1"))
                for name, value in stored.response_headers or []
            ]
            return Claim(
                Outcome.REPLAY,
                organization_id,
                stored.id,
                stored.response_status,
                headers,
                replayed,
            )

    def complete(
        self, claim: Claim, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        assert claim.key_id is not None
        organization_id = claim.organization_id
        with self.context.database.unit_of_work(organization_id=organization_id) as session:
            stored = IdempotencyKeyRepository(session, organization_id).get(claim.key_id)
            if stored is None:
                return
            stored.state = IdempotencyState.DONE
            stored.response_status = status
            stored.response_headers = [
                [name.decode("latin-1"), value.decode("latin-1")] for name, value in headers
            ]
            stored.response_body = self.context.vault.seal_for(
                session, organization_id, _purpose(claim.key_id), body
            )
            stored.completed_at = utcnow()

    def release(self, claim: Claim) -> None:
        assert claim.key_id is not None
        organization_id = claim.organization_id
        with self.context.database.unit_of_work(organization_id=organization_id) as session:
            IdempotencyKeyRepository(session, organization_id).release(claim.key_id)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _stored(status: int) -> bool:
    return 200 <= status < 300 or 400 <= status < 500


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _problem(send: Send, scope: Scope, status: int, title: str, detail: str) -> None:
    problem = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": scope.get("path", ""),
    }
    request_id = scope.get("state", {}).get("request_id")
    if request_id:
        problem["request_id"] = request_id
    headers = [(b"content-type", b"application/problem+json")]
    if status in (409, 503):
        headers.append((b"retry-after", b"1" if status == 409 else b"5"))
    await _respond(send, status, headers, orjson.dumps(problem))


_OUTCOME_PROBLEMS = {
    Outcome.IN_FLIGHT: (
        409,
        "Conflict",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
    ),
    Outcome.MISMATCH: (
        422,
        "Unprocessable content",
        "This Idempotency-Key was used for a different request (caller, path or body).",
    ),
    Outcome.INVALID_KEY: (
        422,
        "Unprocessable content",
        "Idempotency-Key must be 1 to 255 visible ASCII characters.",
    ),
}


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, context: AppContext) -> None:
        self.app = app
        self.store = IdempotencyStore(context)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replay_receive = _replaying(body, receive)
        query = scope.get("query_string", b"").decode("latin-1")
        target = scope["path"] + (f"?{query}" if query else "")
        try:
            claim = await to_thread.run_sync(
                self.store.claim,
                _header(scope, b"authorization"),
                _header(scope, b"x-organization-id"),
                key,
                scope["method"],
                target,
                body,
            )
        except (OperationalError, InterfaceError):
            logger.warning("idempotency.database_unavailable")
            await _problem(
                send,
                scope,
                503,
                "Service unavailable",
                "The database is not reachable; retry shortly.",
            )
            return
        if claim is None:
            await self.app(scope, replay_receive, send)
            return
        if claim.outcome == Outcome.REPLAY:
            await _respond(
                send, claim.status, [*claim.headers, (REPLAYED_HEADER, b"true")], claim.body
            )
            return
        if claim.outcome != Outcome.CLAIMED:
            await _problem(send, scope, *_OUTCOME_PROBLEMS[claim.outcome])
            return
        await self._run(scope, replay_receive, send, claim)

    async def _run(self, scope: Scope, receive: Receive, send: Send, claim: Claim) -> None:
        """Run the request holding its answer back until the answer is stored: a client that
        retries the moment it hears back gets the replay, not a 409."""
        start: Message | None = None
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            with CancelScope(shield=True):
                await self._settle(claim, None, [], b"")
            raise
        assert start is not None
        status: int = start["status"]
        headers = [(bytes(n).lower(), bytes(v)) for n, v in start.get("headers", [])]
        body = b"".join(parts)
        kept = [(name, value) for name, value in headers if name not in _NOT_STORED]
        with CancelScope(shield=True):
            await self._settle(claim, status, kept, body)
        await _respond(send, status, [h for h in headers if h[0] != b"content-length"], body)

    async def _settle(
        self, claim: Claim, status: int | None, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        try:
            if status is not None and _stored(status):
                await to_thread.run_sync(self.store.complete, claim, status, headers, body)
            else:
                await to_thread.run_sync(self.store.release, claim)
        except Exception:
            # The key stays in flight (409) until it expires: safer than running the effect twice.
            logger.warning("idempotency.not_recorded", exc_info=True)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """The body already read, then whatever the client sends next (a disconnect)."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
