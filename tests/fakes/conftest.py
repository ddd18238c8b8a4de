"""Fixtures for the vendor fakes' own tests."""

from collections.abc import Iterator

import pytest

from tests.fakes.spapi.examples import seeded_state
from tests.fakes.spapi.server import FakeSellingPartnerApi


@pytest.fixture
def fake() -> Iterator[FakeSellingPartnerApi]:
    with FakeSellingPartnerApi(state=seeded_state()) as server:
        yield server
