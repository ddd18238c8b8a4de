"""The market tests' fake SP-API seller (see seller.py)."""

from collections.abc import Iterator

import pytest

from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.market.seller import seller_fake


@pytest.fixture
def fake() -> Iterator[FakeSellingPartnerApi]:
    yield from seller_fake()
