"""One SP-API request as handlers see it, checked against its operation's parameters in the model.

Amazon refuses a request that breaks its model before any business logic runs (400 with the
error body), so the fake does the same from the model itself: required parameters, enums,
maxItems, date-time and integer parameters, and the JSON body against its schema.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jsonschema

from tests.fakes.spapi.models import Operation, load_model, operation
from tests.fakes.spapi.state import MARKETPLACE_CURRENCIES

_MARKETPLACE_PARAMETERS = {"marketplaceIds", "MarketplaceId", "marketplaceId"}


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # JSON-able; None answers an empty body
    headers: dict[str, str] = field(default_factory=dict)


def error_answer(status: int, code: str, message: str, details: str = "") -> Answer:
    """SP-API's error body: {"errors": [{"code", "message", "details"}]}."""
    return Answer(status, {"errors": [{"code": code, "message": message, "details": details}]})


def invalid_input(details: str) -> Answer:
    return error_answer(400, "InvalidInput", "Invalid Input", details)


def not_found(details: str) -> Answer:
    return error_answer(404, "NotFound", "Resource not found", details)


@dataclass(frozen=True)
class SpapiRequest:
    operation: Operation
    path_parameters: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    selling_partner_id: str
    base_url: str  # where the fake serves, for URLs it hands out (report documents)
    now: float  # simulated seconds

    def value(self, name: str) -> str | None:
        if name in self.path_parameters:
            return self.path_parameters[name]
        values = self.query.get(name)
        return values[0] if values else None

    def values(self, name: str) -> list[str]:
        """An array parameter: SP-API takes comma-separated values (collectionFormat csv)."""
        return [part for value in self.query.get(name, []) for part in value.split(",")]

    def integer(self, name: str, default: int) -> int:
        value = self.value(name)
        return int(value) if value else default


def request_problems(request: SpapiRequest) -> list[str]:
    """Why the model refuses this request (empty when it conforms)."""
    problems = []
    for parameter in request.operation.parameters:
        location, name = parameter.get("in"), parameter.get("name", "")
        if location == "body":
            problems += _body_problems(request, parameter)
        elif location == "path":
            if not request.path_parameters.get(name):
                problems.append(f"path parameter {name} is empty")
        elif location == "query":
            problems += _query_problems(request, parameter)
    return problems


def _query_problems(request: SpapiRequest, parameter: dict[str, Any]) -> list[str]:
    name = parameter["name"]
    if name not in request.query:
        return [f"{name} is required"] if parameter.get("required") else []
    is_array = parameter.get("type") == "array"
    values = request.values(name) if is_array else [request.value(name) or ""]
    item_spec = parameter.get("items", {}) if is_array else parameter
    problems = []
    if any(value == "" for value in values):
        problems.append(f"{name} has an empty value")
    if is_array and len(values) > parameter.get("maxItems", len(values)):
        problems.append(f"{name} has more than {parameter['maxItems']} values")
    for value in values:
        problems += _value_problems(name, value, item_spec)
        if name in _MARKETPLACE_PARAMETERS and value and value not in MARKETPLACE_CURRENCIES:
            problems.append(f"{value} is not a marketplace id")
    return problems


def _value_problems(name: str, value: str, spec: dict[str, Any]) -> list[str]:
    if "enum" in spec and value not in spec["enum"]:
        return [f"{name} {value!r} is not one of {spec['enum']}"]
    if spec.get("format") == "date-time":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return [f"{name} {value!r} is not an ISO 8601 date-time"]
    if spec.get("type") == "integer":
        if not value.lstrip("-").isdigit():
            return [f"{name} {value!r} is not an integer"]
        number = int(value)
        if number < spec.get("minimum", number) or number > spec.get("maximum", number):
            return [f"{name} {value} is out of range"]
    return []


def _body_problems(request: SpapiRequest, parameter: dict[str, Any]) -> list[str]:
    if request.body is None:
        return ["the request body is required"] if parameter.get("required") else []
    validator = _body_validator(request.operation.model_name, request.operation.operation_id)
    return [
        f"body {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(request.body)
    ]


def without_nulls(value: Any) -> Any:
    """The body as SP-API's deserializer reads it: an optional member sent as null is absent
    (python-amazon-sp-api sends `"Shipping": null` in fee estimates, which Amazon accepts)."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


@functools.cache
def _body_validator(model_name: str, operation_id: str) -> jsonschema.Draft4Validator:
    body = next(p for p in operation(model_name, operation_id).parameters if p.get("in") == "body")
    # Same treatment as validation.py: the schema beside the model's definitions, no formats.
    return jsonschema.Draft4Validator(
        {**body["schema"], "definitions": load_model(model_name)["definitions"]}
    )
