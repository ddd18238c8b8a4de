"""What a vendor call raises: each error says whether trying again later may help."""

from typing import Any

from shelfwise.jobs.errors import PermanentJobError, TransientJobError
from shelfwise.platform.errors import ShelfwiseError

# Each is also the job error of its kind, so a job that lets one escape is retried (after
# `defer_seconds`) or failed at once by the queue's own policy (C2).


class RetryableError(ShelfwiseError, TransientJobError):
    """Network trouble, 5xx, 429, an open breaker, a full queue: try again in `defer_seconds`."""

    status_code = 503
    title = "Service unavailable"
    is_retryable = True

    def __init__(self, detail: str, defer_seconds: float, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.defer_seconds = max(0.0, defer_seconds)


class BudgetExceededError(RetryableError):
    """The organization made its vendor calls for the day; retry after midnight UTC."""

    status_code = 429
    title = "Too many requests"


class VendorRejectedError(ShelfwiseError, PermanentJobError):
    """The vendor refused the request itself (a 4xx other than 429): trying again cannot help."""

    status_code = 502
    title = "Bad gateway"
    is_retryable = False

    def __init__(
        self, detail: str, vendor_status: int, *, vendor_reason: str | None = None
    ) -> None:
        super().__init__(detail, vendor_status=vendor_status)
        self.vendor_status = vendor_status
        self.vendor_reason = vendor_reason


class AccountDisconnectedError(ShelfwiseError, PermanentJobError):
    """The marketplace no longer honours the account's authorization (a revoked or invalid
    grant, deleted credentials): nothing works until the seller reconnects it."""

    status_code = 409
    title = "Account disconnected"
    is_retryable = False
