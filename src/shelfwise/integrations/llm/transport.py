"""The openai SDK's HTTP, sent through the orchestrator (DESIGN 1.4, G1/G2, E4, E5).

The SDK takes an `httpx.Client`; ours has this transport, which sends each request as one
`VendorCaller.call` (rate limit, breaker, retries with backoff, daily budget, explicit timeout).
The SDK's own retries are off (`max_retries=0`): retry policy lives in one place. What the
orchestrator raises (a refusal, a spent retry budget) reaches the SDK as an exception, which it
wraps in `APIConnectionError`; the client unwraps it (`__cause__`).
"""

import ipaddress
import uuid
from dataclasses import dataclass

import httpx
import orjson

from shelfwise.integrations.http import UsagePlan, VendorCaller
from shelfwise.integrations.llm.errors import ModelCredentialError
from shelfwise.integrations.scraper.errors import AddressRefusedError
from shelfwise.integrations.scraper.guard import resolve

OPERATION = "llm.chat"
# Providers publish per-key limits in tokens more than requests; this keeps a runaway batch
# from flooding one key while leaving Groq's and OpenAI's free tiers' request rates intact.
PLAN = UsagePlan(rate_per_second=0.5, burst=4)
# The SDK's bookkeeping headers and the ones httpx recomputes for the replayed body.
_DROPPED_REQUEST_HEADERS = frozenset({"host", "content-length", "connection"})
# The orchestrated response's body is already decoded and whole.
_DROPPED_RESPONSE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@dataclass(frozen=True)
class CallOwner:
    """Whose quota a call spends: the organization's budget and the credential's bucket."""

    organization_id: uuid.UUID
    credential_id: uuid.UUID


def check_public_host(url: httpx.URL) -> None:
    """E5: a tenant's base URL must not reach inside our network (unless the operator allows
    private hosts, as a self-hosted install with a local Ollama does)."""
    host = url.host
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(each) for each in resolve(host)]
        except AddressRefusedError as refused:
            raise ModelCredentialError(f"The model server's host: {refused}") from None
    for address in addresses:
        if not address.is_global or address.is_multicast:
            raise ModelCredentialError(
                f"The model server {host} is inside a private network ({address}); an operator"
                " allows that with SHELFWISE_LLM_ALLOW_PRIVATE_HOSTS=true (a local Ollama)."
            )


def is_truncated(response: httpx.Response) -> bool:
    """A 2xx JSON answer that is not a whole document (a connection cut mid-body): counted as a
    failure and tried again, like a 5xx. Streams (text/event-stream) are judged by the client."""
    if response.status_code >= 400 or "json" not in response.headers.get("content-type", ""):
        return False
    try:
        orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return True
    return False


class OrchestratedTransport(httpx.BaseTransport):
    """Each request the SDK makes becomes one orchestrated vendor call."""

    def __init__(
        self,
        caller: VendorCaller,
        owner: CallOwner,
        *,
        timeout: float,
        allow_private_hosts: bool,
    ) -> None:
        self._caller = caller
        self._owner = owner
        self._timeout = timeout
        self._allow_private_hosts = allow_private_hosts

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self._allow_private_hosts:
            check_public_host(request.url)
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in _DROPPED_REQUEST_HEADERS
        }
        response = self._caller.call(
            self._owner.organization_id,
            self._owner.credential_id,
            OPERATION,
            PLAN,
            request.method,
            str(request.url),
            content=request.read(),
            headers=headers,
            timeout=self._timeout,
            is_challenge=is_truncated,
        )
        kept = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in _DROPPED_RESPONSE_HEADERS
        ]
        return httpx.Response(response.status_code, headers=kept, content=response.content)
