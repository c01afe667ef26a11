"""Per-conversation locks every gateway respects, and "only one of us does this" claims.

- base.py     the interface (`ConversationLocks`).
- memory.py   `InProcessLocks`, the embedded default: asyncio locks, one gateway.
- redis_locks.py `RedisLocks`, for several gateways (PATIENTBOT_REDIS_URL).
- factory.py  the locks the settings ask for.
"""
