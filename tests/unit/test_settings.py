"""Settings: defaults that work, and one clear line per bad key."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

TOKEN = "123456789:AAE" + "x" * 32


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(Settings.model_fields):
        monkeypatch.delenv(key.upper(), raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the working tree


def test_defaults_run_an_embedded_shop() -> None:
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.database_url == "sqlite+aiosqlite:///data/shop.db"
    assert settings.redis_url is None
    assert settings.commission_percent == Decimal("10.00")


def test_shorthand_database_urls_get_the_async_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://shop:pw@db.internal/shop")
    assert load_settings().database_url == "postgresql+asyncpg://shop:pw@db.internal/shop"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("DATABASE_URL", "mysql://root@localhost/shop", "DATABASE_URL: unsupported database"),
        ("DATABASE_URL", "postgresql+psycopg2://h/db", "DATABASE_URL: driver 'psycopg2'"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: expected sqlite+aiosqlite"),
        ("BOT_TOKEN", "hello", "BOT_TOKEN: expected a token from @BotFather"),
        ("ADMIN_IDS", "12,bob", "ADMIN_IDS: expected Telegram user ids"),
        # int() would read all of these; none is a Telegram user id
        ("ADMIN_IDS", "\uff11\uff12\uff13", "ADMIN_IDS: expected Telegram user ids"),
        ("ADMIN_IDS", "\u0661\u0662\u0663", "ADMIN_IDS: expected Telegram user ids"),
        ("ADMIN_IDS", "-1001234567890", "ADMIN_IDS: expected Telegram user ids"),
        ("ADMIN_IDS", "0", "ADMIN_IDS: expected Telegram user ids"),
        ("ADMIN_IDS", "1" * 26, "ADMIN_IDS: expected Telegram user ids"),
        ("BOT_TOKEN", "\uff11\uff12\uff13:AAE" + "x" * 32, "BOT_TOKEN: expected a token"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL: expected redis://"),
        (
            "COMMISSION_PERCENT",
            "150",
            "COMMISSION_PERCENT: expected a percentage between 0 and 100",
        ),
        ("WEBHOOK_PORT", "http", "WEBHOOK_PORT:"),
        ("WEBHOOK_SECRET", "has spaces", "WEBHOOK_SECRET: expected 1-256 characters"),
        ("CURRENCY", "dollars", "CURRENCY:"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert len(caught.value.lines) == 1
    assert caught.value.lines[0].startswith(expected)


def test_a_webhook_without_a_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://shop.example/telegram")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.lines == [
        "WEBHOOK_SECRET: required when WEBHOOK_URL is set (Telegram echoes it back so the bot "
        "can reject forged updates)"
    ]


def test_secrets_are_collected_for_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", "postgresql://shop:s3cretpw@db/shop")
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_abc123")
    secrets = load_settings().secrets
    assert {TOKEN, "s3cretpw", "sk_test_abc123"} <= set(secrets)


def test_admin_ids_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "12345, 67890")
    assert load_settings().admin_ids == [12345, 67890]


def test_the_largest_telegram_user_ids_are_admins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", f"7,{2**52 - 1}")
    assert load_settings().admin_ids == [7, 2**52 - 1]


def test_a_sqlite_file_whose_folder_cannot_be_made_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "plain-file").write_text("not a folder")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    cases = {
        f"sqlite:///{tmp_path}/plain-file/shop.db": "is a file, so the directory",
        f"sqlite:///{tmp_path}": "is a directory; expected a file path",
    }
    if os.geteuid() != 0:  # root writes anywhere
        cases[f"sqlite:///{locked}/sub/shop.db"] = "is not writable"
    for url, expected in cases.items():
        monkeypatch.setenv("DATABASE_URL", url)
        with pytest.raises(SettingsError) as caught:
            load_settings()
        assert len(caught.value.lines) == 1
        assert caught.value.lines[0].startswith("DATABASE_URL:"), caught.value.lines
        assert expected in caught.value.lines[0]


def test_a_sqlite_file_in_a_folder_yet_to_be_made_is_fine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/new/deeper/shop.db")
    assert load_settings().database_url.endswith("/new/deeper/shop.db")
