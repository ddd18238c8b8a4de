"""Redis fixtures for the tests here (a unique key prefix per test)."""

from tests.redis_server import redis_client, redis_prefix

__all__ = ["redis_client", "redis_prefix"]
