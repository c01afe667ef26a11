from tests.support.fixtures import *  # noqa: F403 - shared gateway fixtures
