"""User-agent rotation: each request, robots.txt included, presents the next browser in turn."""

from shelfwise.integrations.scraper.settings import Component
from tests.fakes.amazon_web.server import FakeAmazonWeb
from tests.integrations.scraper.conftest import ORGANIZATION, FakeClock, build, scraper_settings

AGENTS = ["Browser A/1.0", "Browser B/2.0", "Browser C/3.0"]


def test_user_agents_rotate_in_turn(fake: FakeAmazonWeb, clock: FakeClock) -> None:
    client = build(scraper_settings(fake.url, scraper_user_agents=AGENTS), clock)
    for _ in range(3):
        client.fetch(f"{fake.url}/dp/B0057OC5O8", ORGANIZATION, frozenset({Component.CACHE}))
    assert [each.user_agent for each in fake.requests] == [*AGENTS, AGENTS[0]]
    client.close()


def test_rotation_switched_off_sends_the_first_agent(fake: FakeAmazonWeb, clock: FakeClock) -> None:
    settings = scraper_settings(
        fake.url, scraper_user_agents=AGENTS, scraper_disabled_components=["user_agent", "cache"]
    )
    client = build(settings, clock)
    for _ in range(2):
        client.fetch(f"{fake.url}/dp/B0057OC5O8", ORGANIZATION)
    assert [each.user_agent for each in fake.requests] == [AGENTS[0]] * 3
    client.close()


def test_default_agents_are_desktop_browsers(fake: FakeAmazonWeb, clock: FakeClock) -> None:
    client = build(scraper_settings(fake.url), clock)
    assert len(client.settings.user_agents) == 4
    assert all(agent.startswith("Mozilla/5.0 (") for agent in client.settings.user_agents)
    client.close()
