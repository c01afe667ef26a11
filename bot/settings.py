"""Typed settings, validated once at start-up.

Every value comes from the environment (prefix ``PATIENTBOT_``) or from the
env file ``var/patientbot.env`` that ``make setup`` writes with freshly
generated secrets. Secrets have no defaults: a service refuses to start
without them rather than run with a value anyone could read in this file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import (
    AnyHttpUrl,
    BaseSettings,
    Field,
    SecretStr,
    parse_obj_as,
    root_validator,
    validator,
)

from bot.paths import VAR_DIR

ENV_FILE = VAR_DIR / "patientbot.env"


class Settings(BaseSettings):
    """Settings of the gateway, console and commands (actions/ reads its own env)."""

    database_url: str = Field(
        default=f"sqlite:///{VAR_DIR / 'patientbot.db'}",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg2://... in production.",
    )
    rasa_url: str = Field(
        default="http://127.0.0.1:5005",
        description="Rasa server base URL; several servers sharing one tracker store as a "
        "comma-separated list (the gateway spreads conversations over them).",
    )
    rasa_instances: int = Field(
        default=2,
        ge=1,
        le=16,
        description="Rasa servers `patientbot run` starts on consecutive ports (one per core: "
        "a Rasa server runs its models on one core at a time).",
    )
    rasa_tracker_db_url: str = Field(
        default=f"sqlite:///{VAR_DIR / 'rasa_tracker.db'}",
        description="SQLAlchemy URL of Rasa's tracker store (endpoints.yml), where the gateway "
        "erases Rasa's copy of a conversation the patient deletes or that passes the retention "
        "limit (data/clinic.yml: retention_days).",
    )
    rasa_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="Seconds the gateway waits for a Rasa answer (including the wait for a "
        "server with room) before the patient gets the prepared 'having trouble' reply.",
    )
    rasa_retries: int = Field(
        default=1,
        ge=0,
        le=5,
        description="Further attempts after a failed Rasa request, on another server first "
        "when there is one.",
    )
    rasa_max_in_flight: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Requests the gateway keeps at each Rasa server at once; the rest wait at "
        "the gateway in arrival order, which keeps latency even under load.",
    )

    supervisor_status_file: Path | None = Field(
        default=None,
        description="Status file `patientbot run` writes for its children (state, restarts); "
        "set by `patientbot run` for the gateway it starts, whose /health then reports them.",
    )

    gateway_host: str = Field(
        default="127.0.0.1",
        description="Interface the gateway binds; keep the loopback behind a reverse proxy "
        "(docs/operations.md).",
    )
    gateway_port: int = Field(default=8000, ge=1, le=65535, description="Port the gateway binds.")
    public_url: AnyHttpUrl = Field(
        default="http://127.0.0.1:8000",
        description="Where patients' browsers and Telegram reach the gateway.",
    )

    handoff_secret: SecretStr = Field(
        ..., description="Shared secret the action server presents to the gateway's handoff API."
    )
    session_secret: SecretStr = Field(..., description="Signs clinician console sessions and CSRF tokens.")
    rasa_token: SecretStr = Field(
        ...,
        description="Token of the Rasa servers' HTTP API (`rasa run --auth-token`) and REST "
        "channel (bot.rasa_channel); the gateway sends it as the `token` query parameter.",
    )
    actions_token: SecretStr = Field(
        ...,
        description="Token Rasa presents to the action server (endpoints.yml "
        "`action_endpoint.token`), which refuses every call without it (actions/server.py).",
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Bot token from @BotFather; empty or unset: Telegram is off."
    )
    telegram_mode: Literal["polling", "webhook"] = Field(
        default="polling",
        description="polling needs no public URL; webhook has Telegram call PUBLIC_URL/telegram/webhook.",
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret Telegram sends with each webhook update (required in webhook mode).",
    )
    telegram_api_base_url: str | None = Field(
        default=None, description="Bot API base URL (tests point it at a local stand-in)."
    )
    clinician_telegram_notifications: bool = Field(
        default=True,
        description="Send on-duty clinicians Telegram alerts about handoffs (needs the bot token).",
    )
    group_myth_reply_period_h: float = Field(
        default=24.0,
        gt=0,
        le=24 * 90,
        description="Support groups: the bot answers one myth at most once per group in this many hours "
        "(docs/groups.md).",
    )
    group_message_retention_days: int = Field(
        default=7,
        ge=1,
        le=90,
        description="Support groups: days the words of a group message the bot acted on (answer, myth "
        "reply, red-flag alert) are kept for the moderators' report; then they are deleted and the "
        "count stays. Messages it did not act on are never stored.",
    )

    redis_url: str | None = Field(
        default=None,
        description="Redis URL (redis://127.0.0.1:6379/0; rediss:// for TLS) for several gateways: "
        "the live event bus and the per-conversation lock go through it, so a console on one "
        "gateway sees what another did and two gateways never handle one conversation at once. "
        "Unset: both stay in-process (one gateway).",
    )
    redis_prefix: str = Field(
        default="patientbot",
        min_length=1,
        regex=r"^[A-Za-z0-9_.:-]+$",
        description="Prefix of every Redis channel and key, so several deployments can share a Redis.",
    )
    conversation_lock_ttl_s: float = Field(
        default=15.0,
        gt=0,
        le=600,
        description="With Redis: a conversation's lock expires this long after its gateway stopped "
        "renewing it (a gateway that died holds a conversation no longer than this).",
    )

    max_message_chars: int = Field(
        default=2000, ge=1, le=20000, description="Longest patient message accepted, in characters."
    )
    rasa_segment_turns: int = Field(
        default=10,
        ge=2,
        description="Turns after which the gateway starts a fresh Rasa tracker at a rest point, "
        "so per-message cost does not grow with conversation length. 10: Rasa's CPU per message "
        "in 100-turn conversations 4-6% above 5-turn ones (20: 10-13% above; `make bench`), "
        "and a segment still holds the 10 exchanges a handoff summary shows (actions/tracker_reading.py).",
    )
    handoff_alert_after_s: int = Field(
        default=300, ge=1, description="A waiting handoff this old alerts the on-duty clinicians."
    )
    handoff_giveup_after_s: int = Field(
        default=1800,
        ge=1,
        description="A handoff waiting this long: the patient is told, and the bot answers again "
        "(the request stays queued).",
    )
    handoff_expire_after_s: int = Field(
        default=7 * 24 * 3600,
        ge=60,
        description="A request still unclaimed this long after it was made is closed as "
        "expired: it leaves the queue, the audit log keeps it (default a week, which "
        "outlasts a long weekend's callback requests).",
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed console logins in a row that lock an account."
    )
    login_lockout_s: int = Field(default=900, ge=1, description="How long a lock-out lasts.")
    secure_cookies: bool = Field(default=False, description="Set True behind HTTPS.")

    class Config:
        env_prefix = "PATIENTBOT_"
        env_file = str(ENV_FILE)
        env_file_encoding = "utf-8"

    @validator("handoff_secret", "session_secret", "rasa_token", "actions_token")
    def _long_enough(cls, value: SecretStr) -> SecretStr:  # noqa: N805
        if len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @validator("rasa_url")
    def _rasa_urls(cls, value: str) -> str:  # noqa: N805
        urls = [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        for url in urls:
            parse_obj_as(AnyHttpUrl, url)
        return ",".join(urls)

    @root_validator(skip_on_failure=True)
    def _webhook_needs_secret(cls, values: dict) -> dict:  # noqa: N805
        token = values.get("telegram_bot_token")
        if (
            token is not None
            and token.get_secret_value().strip()
            and values.get("telegram_mode") == "webhook"
            and not values.get("telegram_webhook_secret")
        ):
            raise ValueError("telegram_mode=webhook needs PATIENTBOT_TELEGRAM_WEBHOOK_SECRET")
        return values

    @root_validator(skip_on_failure=True)
    def _handoff_limits_in_order(cls, values: dict) -> dict:  # noqa: N805
        if not values["handoff_alert_after_s"] < values["handoff_giveup_after_s"] < values[
            "handoff_expire_after_s"
        ]:
            raise ValueError(
                "handoff limits must grow: HANDOFF_ALERT_AFTER_S < HANDOFF_GIVEUP_AFTER_S "
                "< HANDOFF_EXPIRE_AFTER_S"
            )
        return values

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa server the gateway may send to."""
        return self.rasa_url.split(",")

    @property
    def telegram_enabled(self) -> bool:
        """Only a non-empty token turns Telegram on (an empty variable in an env file does not)."""
        return bool(self.telegram_bot_token and self.telegram_bot_token.get_secret_value().strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; validation errors surface at start-up, not mid-request."""
    # pydantic v1 types BaseSettings as if every field without a default were a required
    # argument; the secrets come from the environment / env file instead.
    return Settings()  # type: ignore[call-arg]
