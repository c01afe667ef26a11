"""The unanswered-questions inbox: what patients asked that the bot could not answer, grouped.

Where to look:
- models.py    the tables: questions (pointing at the patient's message, never copying it),
               groups, and the collection cursors.
- outcomes.py  which stored conversations hold an unanswered question, and why (SQL).
- collect.py   reads new messages and "Not helpful" presses, embeds and groups them.
- worker.py    runs a pass in the background when the inbox page is opened and one is due.
- grouping.py  similar questions together, on the shipped sentence embeddings.
- queries.py   the inbox page's groups, sizes, examples and dates for a period.
- actions.py   dismiss a question or a group; mark them proposed.
- erasure.py   an erased conversation's questions go in the erasure's transaction.
"""
