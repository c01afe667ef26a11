"""Proposals under review: changes to the vetted content that a second clinician approves.

The content files stay the single source of truth: a proposal is only a
request, and approval writes it into data/content (ruamel.yaml, keeping
comments and order), from the console or `patientbot content proposals`.

Where to look:
- models.py    `content_proposals`.
- redact.py    the patient's words with identifiers replaced (phones, emails, dates,
               long numbers, the clinic profile's names).
- service.py   propose, approve (four eyes), reject, list.
- writer.py    writing an approved proposal into the content files.
- rollout.py   rebuild the content, retrain when stale, roll the model onto Rasa servers.
"""
