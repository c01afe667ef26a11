"""Bulletins to subscribed patients: consent, the outbox and the sender (issue 21)."""
