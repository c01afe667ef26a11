"""Clinician handoff, the domain: the queue, its rules, its audit trail and its events.

Where to look:
- service.py   state changes (open, claim, claim_next, release, resolve, cancel_handoff,
               raise_priority, escalate_emergency, record_rating, note_message); each
               keyword-only with `session=`, never commits, raises errors.py's domain errors.
               `Conversation.owner` ("bot" | "clinician") is the switch the gateway routes on.
- queue.py     reads: queue order, positions, wait estimate, transcript, history.
- sweep.py     alert past handoff_alert_after_s; past handoff_giveup_after_s the bot answers again.
- rating.py    the 1-5 rating buttons and `handle_rating_payload`, which the gateway calls
               on a button payload before routing to Rasa.
- events.py    handoff events (topic "handoffs"), queued on the unit of work and published
               once, after commit, to whatever publisher the session factory was bound to.
- clinicians.py  accounts: argon2 hashes, roles, on duty, lock-out.

No HTTP and no Telegram here (an import-linter contract checks it): the action
server's HTTP API and the sweep's loop live in the gateway (bot/gateway/handoff_api.py,
handoff_worker.py), the Telegram alerts in the channels (bot/channels/telegram_alerts.py).
"""
