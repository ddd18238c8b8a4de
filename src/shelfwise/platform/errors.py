"""Domain errors carry their HTTP status; the web layer renders them as RFC 9457 problems."""

from typing import Any


class ShelfwiseError(Exception):
    """Base of errors a caller can act on."""

    status_code = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFoundError(ShelfwiseError):
    status_code = 404
    title = "Not found"


class ConflictError(ShelfwiseError):
    status_code = 409
    title = "Conflict"


class AuthenticationError(ShelfwiseError):
    status_code = 401
    title = "Unauthorized"


class PermissionDeniedError(ShelfwiseError):
    status_code = 403
    title = "Forbidden"


class InvalidInputError(ShelfwiseError):
    """Input that parsed but breaks a business rule; `errors` name the fields."""

    status_code = 422
    title = "Unprocessable content"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail, errors=errors or [])


class ThrottledError(ShelfwiseError):
    status_code = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class UnavailableError(ShelfwiseError):
    status_code = 503
    title = "Service unavailable"


class PayloadTooLargeError(ShelfwiseError):
    status_code = 413
    title = "Content too large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"The upload is larger than {max_bytes} bytes.", max_bytes=max_bytes)
