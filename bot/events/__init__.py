"""Live events between the parts: one vocabulary, topic names built in one place, two buses.

Neutral ground: this package imports nothing else of PatientBot, so the handoff
domain can publish and the gateway, channels and console can listen without
knowing each other.

- bus.py          the small interface (`Publisher`, `Subscriber`, `EventBus`).
- subscription.py one listener's bounded queue (shared by both buses).
- memory.py       `InProcessBus`, the embedded default (one gateway process).
- redis_bus.py    `RedisBus`, Redis pub/sub for several gateways (PATIENTBOT_REDIS_URL).
- topics.py       every topic name; vocabulary.py every event type.
- after_commit.py events queued on a database session, published once it commits.
- factory.py      the bus the settings ask for.
"""
