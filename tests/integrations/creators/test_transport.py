"""Access tokens: kept until shortly before they expire, exchanged through the orchestrator
(counted as calls of the credential), and exchanged again after that."""

from pathlib import Path

from shelfwise.integrations.creators.transport import TOKEN_EXPIRY_MARGIN
from tests.fakes.creators.examples import PRESS
from tests.fakes.creators.server import FakeCreatorsApi
from tests.integrations.creators.conftest import Harness, connect, creators_settings


def test_a_token_is_exchanged_again_shortly_before_it_expires(tmp_path: Path) -> None:
    now = [1000.0]
    with FakeCreatorsApi(rate_per_second=100, burst=10, token_lifetime=600) as fake:
        harness = connect(fake, creators_settings(tmp_path, fake), clock=lambda: now[0])
        tokens = harness.client.tokens
        first = tokens.get_token()
        now[0] += 600 - TOKEN_EXPIRY_MARGIN - 1
        assert tokens.get_token() == first
        now[0] += 1
        second = tokens.get_token()
    assert (first, second) == ("Atza|fake-1", "Atza|fake-2")
    assert tokens.exchanges == 2


def test_token_exchanges_count_against_the_organizations_budget(creators: Harness) -> None:
    creators.client.get_items([PRESS], "www.amazon.de")
    organization_id = creators.client.connection.organization_id
    credential_id = creators.client.connection.credential_id
    scopes = creators.usage.scopes_today(organization_id)
    assert {scope: usage.calls for scope, usage in scopes.items()} == {
        f"{credential_id}/creators.token": 1,
        f"{credential_id}/creators.api": 1,
    }
