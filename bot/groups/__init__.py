"""PatientBot in Telegram support groups that a clinic runs, as a clinician's helper.

Domain only: which groups are linked to which moderator clinicians, what the
bot did in each (answers, myth replies, red-flag alerts) and for how long the
messages it acted on are kept, the myth watch (myth_watch.py) and its
measurement (evaluation.py). The Telegram side is bot/channels/telegram_groups.py,
the console's pages bot/console/groups.py; bot.groups imports neither.
"""
