"""Validate a response body against the operation's response schema in the official model.

Swagger 2.0 schemas are a subset of JSON Schema draft 4 plus extensions, so jsonschema's
Draft4Validator does the work once the schema sits beside the model's `definitions` (every
`$ref` in the models is a local `#/definitions/...` pointer). Differences handled or accepted:
- `x-` extension keys (x-docgen-*, x-amzn-*) and `discriminator`, `readOnly`, `example` are
  unknown keywords to draft 4 and are ignored, which is what Swagger means by them;
- `format`s (date-time, int32, double, uri …) are annotations only: no FormatChecker is used,
  because Swagger's `int32`/`double` are not JSON Schema formats and the models use date-time
  loosely; a response's field types and required members are still checked;
- `x-nullable` is not honoured (the fake never answers null where the model types a value).
"""

import functools
from typing import Any

import jsonschema

from tests.fakes.spapi.models import load_model, operation


@functools.cache
def _validator(model_name: str, operation_id: str, status: int) -> jsonschema.Draft4Validator:
    schema = operation(model_name, operation_id).response_schema(status)
    if schema is None:
        raise LookupError(f"{model_name} {operation_id} declares no schema for {status}")
    # A root that holds the definitions makes every "#/definitions/X" resolve in place.
    root = {**schema, "definitions": load_model(model_name)["definitions"]}
    return jsonschema.Draft4Validator(root)


def response_errors(model_name: str, operation_id: str, status: int, body: Any) -> list[str]:
    """Every way `body` breaks the model's schema, as readable lines (empty when it conforms)."""
    validator = _validator(model_name, operation_id, status)
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(body), key=lambda error: list(error.path))
    ]


def assert_valid_response(model_name: str, operation_id: str, status: int, body: Any) -> None:
    """Fail with every schema violation when `body` does not conform to the model."""
    errors = response_errors(model_name, operation_id, status, body)
    assert not errors, f"{operation_id} {status} breaks its model:\n" + "\n".join(errors[:20])
