"""The orchestrator every outbound vendor call goes through (G1, G2).

For each try: the circuit breaker of (credential, host) must let it through, the token bucket of
(organization, credential, operation) must have a slot within `vendor_max_queue_wait` (and the
request leaves only when `clear_to_send` agrees, see platform/ratelimit.py), and the
organization's daily call budget must not be spent. Anything that would block longer raises
`RetryableError(defer_seconds=…)` at once, so a throttled organization hands its worker back to
the queue instead of holding it while another organization waits. 429, 5xx, timeouts and
connection errors are retried with capped exponential backoff and full jitter (or after the
vendor's `Retry-After`) within `vendor_max_attempts` and `vendor_retry_budget`; any other 4xx is
terminal.
"""

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from shelfwise.integrations.errors import BudgetExceededError, RetryableError, VendorRejectedError
from shelfwise.integrations.usage import UsageStore, shared_usage, utc_now
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.logging import get_logger
from shelfwise.platform.ratelimit import TokenBucket, build_buckets
from shelfwise.platform.settings import Settings

RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"
logger = get_logger(__name__)


@dataclass(frozen=True)
class UsagePlan:
    """A vendor's published limit for one operation: sustained rate and burst."""

    rate_per_second: float
    burst: int


@dataclass(frozen=True)
class _Call:
    organization_id: uuid.UUID
    operation: str
    plan: UsagePlan
    bucket_key: str
    breaker_key: str
    quota_units: int
    is_challenge: Callable[[httpx.Response], bool] | None

    @property
    def scope(self) -> str:
        """Where the usage of this call is counted per operation: credential and operation."""
        return self.bucket_key.split(":", 1)[1].replace(":", "/", 1)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as delay-seconds or an HTTP date (RFC 9110 10.2.3); None when absent or bad."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return None


def vendor_reason(response: httpx.Response) -> str | None:
    """What the vendor said when it refused: SP-API's `errors`, LWA's `error_description`, the
    Creators API's `reason` and `message`, OpenAI's `error.message`, or the start of a non-JSON
    body; None when it said nothing."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] or None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            said = f"{first.get('code', 'Error')}: {first.get('message', '')}"
            if first.get("details"):
                said += f" ({first['details']})"
            return said[:300]
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):  # OpenAI's shape
            return f"{error.get('code') or error.get('type') or 'error'}: {error['message']}"[:300]
        if "error" in body:
            return f"{body['error']}: {body.get('error_description', '')}"[:300]
        if isinstance(body.get("message"), str):  # the Creators API's exception documents
            return f"{body.get('reason') or body.get('type') or 'Error'}: {body['message']}"[:300]
    return None


def _header_rate(response: httpx.Response) -> float | None:
    try:
        return float(response.headers[RATE_LIMIT_HEADER])
    except (KeyError, ValueError):
        return None


def _seconds_to_midnight(now: datetime) -> float:
    tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    return (tomorrow - now).total_seconds()


_shared: dict[str | None, tuple[TokenBucket, CircuitBreakers]] = {}
_shared_lock = threading.Lock()


def shared_limits(settings: Settings) -> tuple[TokenBucket, CircuitBreakers]:
    """The process's token buckets and breakers: every caller in it must count in one place
    (the buckets live in Redis when it is configured, so then in one place for all processes)."""
    url = settings.resolved_redis_url
    with _shared_lock:
        if url not in _shared:
            _shared[url] = (build_buckets(settings), CircuitBreakers.from_settings(settings))
        return _shared[url]


class VendorCaller:
    """Sends vendor requests under rate limits, breakers, retries and the daily budget."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: httpx.Client | None = None,
        buckets: TokenBucket | None = None,
        breakers: CircuitBreakers | None = None,
        usage: UsageStore | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[float, float], float] = random.uniform,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        timeout = httpx.Timeout(settings.vendor_timeout.total_seconds())
        self._client = client or httpx.Client(timeout=timeout)
        self._owns_client = client is None
        shared_buckets, shared_breakers = shared_limits(settings)
        self.buckets = buckets or shared_buckets
        self.breakers = breakers or shared_breakers
        self.usage = usage or shared_usage(settings)
        self._sleep = sleep
        self._jitter = jitter
        self._now = now

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform between 0 and the capped exponential for this attempt (1-based)."""
        base = self.settings.vendor_backoff_base.total_seconds()
        cap = self.settings.vendor_backoff_cap.total_seconds()
        return self._jitter(0.0, min(cap, base * 2 ** (attempt - 1)))

    def call(
        self,
        organization_id: uuid.UUID,
        credential_id: uuid.UUID,
        operation: str,
        plan: UsagePlan,
        method: str,
        url: str,
        *,
        quota_units: int = 1,
        is_challenge: Callable[[httpx.Response], bool] | None = None,
        **request: Any,
    ) -> httpx.Response:
        """One logical call (several tries at most); `request` goes to httpx (params, json…)."""
        call = _Call(
            organization_id,
            operation,
            plan,
            bucket_key=f"{organization_id}:{credential_id}:{operation}",
            breaker_key=f"{credential_id}:{httpx.URL(url).host}",
            quota_units=quota_units,
            is_challenge=is_challenge,
        )
        request["extensions"] = {**request.get("extensions", {}), "trace": self._tracer(call)}
        # Built once, before waiting for the rate limit: at the moment the bucket allows the
        # call, only the send is left (each millisecond late is lost quota at burst 1).
        prepared = self._client.build_request(method, url, **request)
        settings = self.settings
        waited = 0.0
        for attempt in range(1, settings.vendor_max_attempts + 1):
            self._admit(call)
            outcome = self._try(call, prepared)
            if isinstance(outcome, httpx.Response):
                return outcome
            closed_in = self.breakers.open_for(call.breaker_key)
            if closed_in > 0:  # this try opened it: waiting here would be refused anyway
                raise RetryableError(f"{operation}: the vendor keeps failing.", closed_in)
            pause = self.backoff(attempt) if outcome is None else outcome
            last = attempt == settings.vendor_max_attempts
            if last or waited + pause > settings.vendor_retry_budget.total_seconds():
                raise RetryableError(
                    f"{operation} failed after {attempt} tries; try again later.",
                    defer_seconds=pause,
                )
            logger.info("vendor.retry", operation=operation, attempt=attempt, pause=pause)
            self._sleep(pause)
            waited += pause
        raise AssertionError("unreachable: the loop returns or raises")

    def _admit(self, call: _Call) -> None:
        """Breaker, queue place, budget and send schedule; raises rather than wait too long."""
        settings, plan = self.settings, call.plan
        closed_in = self.breakers.allow(call.breaker_key)
        if closed_in > 0:
            raise RetryableError("The vendor keeps failing; its breaker is open.", closed_in)
        # Reservations keep half the vendor's burst unused, so calls that reach it late and then
        # bunched still find tokens; the sustained rate is unchanged.
        burst = (plan.burst + 1) // 2
        max_wait = settings.vendor_max_queue_wait.total_seconds()
        wait = self.buckets.reserve(call.bucket_key, plan.rate_per_second, burst, max_wait)
        if wait > max_wait:
            raise RetryableError("The vendor's rate limit is saturated.", defer_seconds=wait)
        if wait > 0:
            self._sleep(wait)
        key, rate = call.bucket_key, plan.rate_per_second
        late = self.buckets.clear_to_send(key, rate, plan.burst)
        while late > 0:  # an earlier call left late: keep the vendor's spacing behind it
            if late > max_wait:
                raise RetryableError("The vendor's rate limit is saturated.", defer_seconds=late)
            self._sleep(late)
            late = self.buckets.clear_to_send(key, rate, plan.burst)
        budget = settings.vendor_daily_call_budget
        if not self.usage.acquire(call.organization_id, call.quota_units, budget, call.scope):
            raise BudgetExceededError(
                "The organization's daily vendor call budget is spent.",
                defer_seconds=_seconds_to_midnight(self._now()),
            )

    def _tracer(self, call: _Call) -> Callable[[str, dict[str, Any]], None]:
        """An httpcore trace hook that tells the bucket the moment the request has left."""

        def trace(event: str, _info: dict[str, Any]) -> None:
            if event.endswith("send_request_body.complete"):
                self.buckets.sent(call.bucket_key, call.plan.rate_per_second)

        return trace

    def _try(self, call: _Call, prepared: httpx.Request) -> httpx.Response | float | None:
        """The response when it is usable, else the pause the vendor asked for (None: backoff)."""
        breaker_key = call.breaker_key
        try:
            response = self._client.send(prepared)
        except httpx.TransportError as error:  # timeouts, refused and reset connections
            logger.info("vendor.transport_error", error=type(error).__name__)
            self.breakers.record_failure(breaker_key)
            return None
        status = response.status_code
        if status == 429 or status >= 500:
            response.close()
            if status == 429:
                self.usage.record_throttled(call.organization_id, call.scope)
                self.breakers.record_success(breaker_key)  # the host is up, merely busy
            else:
                self.breakers.record_failure(breaker_key)
            if status in (429, 503):
                return retry_after_seconds(response.headers.get("Retry-After"), self._now())
            return None
        if call.is_challenge is not None and call.is_challenge(response):
            logger.info("vendor.challenge", status=status)
            self.breakers.record_failure(breaker_key)  # a 200 that is a robot check is a failure
            return None
        self.breakers.record_success(breaker_key)
        if status >= 400:
            reason = vendor_reason(response)
            said = f": {reason}" if reason else ""
            detail = f"The vendor refused the request ({status}{said})."
            raise VendorRejectedError(detail, status, vendor_reason=reason)
        rate = _header_rate(response)
        if rate is not None:
            self.buckets.observe_limit(call.bucket_key, rate)
        return response
