from tests.support.fixtures import *  # noqa: F403 - shared gateway fixtures
from tests.support.redis import redis_prefix, redis_url  # noqa: F401 - fixtures
