"""Checks a Creators API document against the SDK's own models, strictly: the document must
validate and survive the model's round trip unchanged, so a key the model does not know (a
typo, a wrong case) fails as surely as a wrong type."""

from typing import Any

from creatorsapi_python_sdk.models.access_denied_exception_response_content import (
    AccessDeniedExceptionResponseContent,
)
from creatorsapi_python_sdk.models.get_items_response_content import GetItemsResponseContent
from creatorsapi_python_sdk.models.internal_server_exception_response_content import (
    InternalServerExceptionResponseContent,
)
from creatorsapi_python_sdk.models.resource_not_found_exception_response_content import (
    ResourceNotFoundExceptionResponseContent,
)
from creatorsapi_python_sdk.models.search_items_response_content import (
    SearchItemsResponseContent,
)
from creatorsapi_python_sdk.models.throttle_exception_response_content import (
    ThrottleExceptionResponseContent,
)
from creatorsapi_python_sdk.models.unauthorized_exception_response_content import (
    UnauthorizedExceptionResponseContent,
)
from creatorsapi_python_sdk.models.validation_exception_response_content import (
    ValidationExceptionResponseContent,
)

from shelfwise.integrations.creators.fake import GET_ITEMS_PATH, SEARCH_ITEMS_PATH

# The SDK's `_response_types_map` of both operations.
ERRORS: dict[int, Any] = {
    400: ValidationExceptionResponseContent,
    401: UnauthorizedExceptionResponseContent,
    403: AccessDeniedExceptionResponseContent,
    404: ResourceNotFoundExceptionResponseContent,
    429: ThrottleExceptionResponseContent,
    500: InternalServerExceptionResponseContent,
}
SUCCESS: dict[str, Any] = {
    GET_ITEMS_PATH: GetItemsResponseContent,
    SEARCH_ITEMS_PATH: SearchItemsResponseContent,
}


def assert_valid_answer(path: str, status: int, document: Any) -> None:
    model = SUCCESS[path] if 200 <= status < 300 else ERRORS[status]
    parsed = model.from_dict(document)
    assert parsed is not None, f"{path} {status}: no document"
    assert parsed.to_dict() == document, f"{path} {status}: keys the model does not know"
