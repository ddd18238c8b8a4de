"""What a chat completion raises, each saying whether the offline optimizer should stand in."""

from shelfwise.integrations.errors import AccountDisconnectedError, RetryableError
from shelfwise.platform.errors import ShelfwiseError


class ModelUnavailableError(RetryableError):
    """429, 5xx, a timeout or a refused connection, after the orchestrator's retries."""


class ModelCredentialError(AccountDisconnectedError):
    """The provider refused the key (401/403) or does not know the model (404)."""


class MalformedOutputError(ShelfwiseError):
    """The model answered, but not with the JSON document it was asked for."""

    status_code = 502
    title = "Bad gateway"
    is_retryable = False
