"""The shipped sentence encoder and a small FAQ index (tests/support/inbox.py), for the proposal tests."""

from tests.support.inbox import encoder, faqs  # noqa: F401
