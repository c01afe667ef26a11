"""Test helpers: real servers on loopback (our Bot API stand-in, Rasa, the gateway itself)."""
