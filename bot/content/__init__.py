"""Vetted content: loading, validating, rendering and compiling it into Rasa training data."""
