from tests.support.redis import redis_prefix, redis_url  # noqa: F401 - fixtures
