"""The official SP-API models, loaded once: operations, their routes and their usage plans.

Everything the fake knows about Amazon's wire format comes from the Swagger 2.0 documents in
`../shared/data/spapi/models/` (amzn/selling-partner-api-models), so a route, a parameter or a
rate cannot drift from the published contract without a test noticing.
"""

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPAPI_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "spapi"
MODELS = SPAPI_DATA / "models"
SANDBOX_EXAMPLES = SPAPI_DATA / "sandbox_examples"

# The models' description text holds the plan as a Markdown table; most are two columns
# ("| Rate (requests per second) | Burst |"), a few add a leading "Plan type" column whose
# "Default" row is the plan a new selling partner gets.
_USAGE_PLAN_TABLE = re.compile(
    r"\|\s*(?:Plan type\s*\|\s*)?Rate \(requests per second\)\s*\|\s*Burst\s*\|\s*\n"
    r"\|[-\s|]+\|\s*\n"
    r"\|\s*(?:Default\s*\|\s*)?(?P<rate>[0-9.]+)\s*\|\s*(?P<burst>[0-9]+)\s*\|"
)
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class UsagePlan:
    rate: float  # requests per second, the bucket's refill
    burst: int  # the bucket's size


@dataclass(frozen=True)
class Operation:
    """One operation of one model: where it is routed and what it may answer."""

    model_name: str  # the model file's stem, e.g. "productPricingV0"
    operation_id: str
    method: str  # upper case
    path: str  # the model's template, e.g. /products/pricing/v0/items/{Asin}/offers
    parameters: tuple[dict[str, Any], ...]
    responses: dict[str, dict[str, Any]]
    usage_plan: UsagePlan | None  # None for the sandbox-only operations, which have none

    @functools.cached_property
    def path_pattern(self) -> re.Pattern[str]:
        # `[^/]*` (not `+`): an empty path parameter must reach the operation and answer 400,
        # as the models' sandbox pairs expect (getCatalogItem with asin "").
        pattern = _PATH_PARAMETER.sub(lambda match: f"(?P<{match[1]}>[^/]*)", self.path)
        return re.compile(f"^{pattern}$")

    def parameter(self, name: str) -> dict[str, Any] | None:
        return next((item for item in self.parameters if item.get("name") == name), None)

    def response_schema(self, status: int) -> dict[str, Any] | None:
        response = self.responses.get(str(status)) or self.responses.get("default") or {}
        return response.get("schema")


@functools.cache
def load_model(model_name: str) -> dict[str, Any]:
    with (MODELS / f"{model_name}.json").open(encoding="utf-8") as file:
        model: dict[str, Any] = json.load(file)
    return model


def parse_usage_plan(description: str) -> UsagePlan | None:
    """The default rate and burst from an operation's description, as the models state them."""
    match = _USAGE_PLAN_TABLE.search(description)
    if match is None:
        return None
    return UsagePlan(rate=float(match["rate"]), burst=int(match["burst"]))


@functools.cache
def operations(model_name: str) -> tuple[Operation, ...]:
    """Every operation of one model, with its parameters resolved against the model."""
    model = load_model(model_name)
    found = []
    for path, path_item in model["paths"].items():
        shared_parameters = path_item.get("parameters", [])
        for method in HTTP_METHODS:
            spec = path_item.get(method)
            if spec is None:
                continue
            parameters = [
                _resolve_parameter(model, item)
                for item in [*shared_parameters, *spec.get("parameters", [])]
            ]
            found.append(
                Operation(
                    model_name=model_name,
                    operation_id=spec["operationId"],
                    method=method.upper(),
                    path=path,
                    parameters=tuple(parameters),
                    responses=spec["responses"],
                    usage_plan=parse_usage_plan(spec.get("description", "")),
                )
            )
    return tuple(found)


def operation(model_name: str, operation_id: str) -> Operation:
    for candidate in operations(model_name):
        if candidate.operation_id == operation_id:
            return candidate
    raise KeyError(f"{model_name} has no operation {operation_id}")


def sandbox_pairs(model_name: str) -> list[dict[str, Any]]:
    """The x-amzn-api-sandbox request/response pairs extracted from one model."""
    with (SANDBOX_EXAMPLES / f"{model_name}.sandbox.json").open(encoding="utf-8") as file:
        pairs: list[dict[str, Any]] = json.load(file)
    return pairs


def _resolve_parameter(model: dict[str, Any], parameter: dict[str, Any]) -> dict[str, Any]:
    reference = parameter.get("$ref")
    if reference is None:
        return parameter
    resolved: dict[str, Any] = model["parameters"][reference.rsplit("/", 1)[-1]]
    return resolved
