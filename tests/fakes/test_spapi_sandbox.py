"""The models' static sandbox pairs replayed against the fake SP-API."""

from typing import Any

import pytest

from tests.fakes.spapi import sandbox
from tests.fakes.spapi.examples import client
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.validation import assert_valid_response

# -- the sandbox pairs ------------------------------------------------------------------------


def _pair_params() -> list[Any]:
    return [
        pytest.param(
            pair,
            id=pair.case_id,
            marks=[pytest.mark.skip(reason=sandbox.UNREPRODUCIBLE[pair.case_id])]
            if pair.case_id in sandbox.UNREPRODUCIBLE
            else [],
        )
        for pair in sandbox.static_pairs()
    ]


def test_the_replayed_pairs_are_the_static_pairs_of_the_routed_operations() -> None:
    assert len(_pair_params()) == 45
    assert len(sandbox.UNREPRODUCIBLE) == 2


@pytest.mark.parametrize("pair", _pair_params())
def test_sandbox_pair(pair: sandbox.SandboxPair) -> None:
    with FakeSellingPartnerApi() as fake:
        if pair.status < 400:
            sandbox.seed(pair, fake)
        request = sandbox.http_request(pair, fake)
        with client(fake) as http:
            response = http.request(
                request.method, request.path, params=request.params, json=request.json
            )
    body = response.json()
    assert response.status_code == pair.status
    assert_valid_response(pair.model_name, pair.operation_id, pair.status, body)
    if pair.status < 400:
        assert sandbox.essentials(pair, body) == sandbox.essentials(pair, pair.response)
    else:
        assert body["errors"][0]["code"] in {"InvalidInput", "Unauthorized"}
