"""Clinician handoff: the queue, its HTTP API for the action server, alerts and the sweep.

Where to look:
- service.py   state changes (open, claim, claim_next, release, resolve, cancel_handoff,
               raise_priority, escalate_emergency, record_rating, note_message); each
               keyword-only with `session=`, never commits, raises errors.py's domain errors.
               `Conversation.owner` ("bot" | "clinician") is the switch the gateway routes on.
- queue.py     reads: queue order, positions, wait estimate, transcript, history.
- sweep.py     alert past handoff_alert_after_s; past handoff_giveup_after_s the bot answers again.
- api.py       POST /api/handoffs, POST /api/feedback (docs/architecture.md); its router's
               lifespan runs worker.py (the sweep, Telegram alerts) inside the gateway.
- rating.py    the 1-5 rating buttons and `handle_rating_payload`, which the gateway calls
               on a button payload before routing to Rasa.
- notify.py    Telegram alerts with a Claim button for on-duty clinicians.
- events.py    bus events (topic "handoffs"), published only after commit.
- clinicians.py  accounts: argon2 hashes, roles, on duty, lock-out.
"""
