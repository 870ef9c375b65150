"""`python -m bot <command>`: run, migrate, seed-demo, check-config, import-products.

Configuration problems end the process with exit status 2 and one line per problem on
stderr (no traceback): the key, and what is expected.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import logging
import re
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import DatabaseNotMigrated, DatabaseUnreachable, StartupError
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from storage.db import sqlite_folder

log = logging.getLogger("bot")
CONFIG_ERROR = 2


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def cmd_migrate(settings: Settings) -> int:
    from storage import migrate
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        await _connect_or_explain(engine)
        await migrate.upgrade(engine)
        revision = await migrate.current_revision(engine)
    finally:
        await engine.dispose()
    print(f"Database {_safe_url(settings.database_url)} is at revision {revision} (head).")
    return 0


async def cmd_seed_demo(settings: Settings) -> int:
    from bot.app import rules_from
    from bot.demo import seed_demo
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    try:
        await _connect_or_explain(engine, migrated=True)
        report = await seed_demo(
            make_sessionmaker(engine), media_dir=settings.media_dir, rules=rules_from(settings)
        )
    finally:
        await engine.dispose()
    print(report)
    return 0


async def cmd_run(settings: Settings) -> int:
    from bot.runner import run_bot, run_sandbox
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:  # a database that is down or not migrated is one line, not tracebacks
        await _connect_or_explain(engine, migrated=True)
    finally:
        await engine.dispose()
    if settings.bot_token is None:
        await run_sandbox(settings)
    else:
        await run_bot(settings)
    return 0


_USERINFO = re.compile(r"(?<=://)([^/@:]*)(:[^/@]*)?@")


def masked(value: Any) -> Any:
    """A setting as check-config prints it: a password inside a URL (`redis://:pw@host`,
    `https://user:pw@host`) becomes `***`; secrets already print as `**********`."""
    if isinstance(value, str) and "://" in value:
        return _USERINFO.sub(lambda m: f"{m[1]}:***@" if m[2] else m[0], value)
    return value


async def cmd_check_config(settings: Settings) -> int:
    for key, value in sorted(settings.model_dump().items()):
        value = masked(str(value)) if value is not None else ""
        print(f"{key.upper()}={value}")
    folder = sqlite_folder(settings.database_url)
    if folder is not None and not folder.exists():
        print(
            f"note: {folder} does not exist yet; the bot creates it on first use", file=sys.stderr
        )
    return 0


async def cmd_import_products(
    settings: Settings, seller_id: int, name: str, data: bytes, *, dry_run: bool = False
) -> int:
    """Import a CSV or .xlsx of products into store `seller_id`: the same engine operation
    as a file sent in the chat. Prints the report; exit status 1 when rows are refused
    (nothing is imported then)."""
    from bot.app import create_shop
    from engine.errors import DomainError
    from handlers.i18n import error_text
    from handlers.seller.imports import report_text
    from storage.db import make_engine, make_sessionmaker
    from storage.uow import UnitOfWork

    engine = make_engine(settings.database_url)
    try:
        await _connect_or_explain(engine, migrated=True)
        sessions = make_sessionmaker(engine)
        shop = create_shop(settings, lambda: UnitOfWork(sessions))
        try:
            report = await shop.imports.run_for_store(seller_id, data, name, dry_run=dry_run)
        except DomainError as exc:
            print(html.unescape(re.sub(r"<[^>]+>", "", error_text("en", exc))), file=sys.stderr)
            return 1
    finally:
        await engine.dispose()
    print(html.unescape(re.sub(r"<[^>]+>", "", report_text("en", report, name))))
    return 0 if report.ok else 1


COMMANDS: dict[str, tuple[str, Callable[[Settings], Coroutine[Any, Any, int]]]] = {
    "run": ("start the bot (polling, or webhook when WEBHOOK_URL is set)", cmd_run),
    "migrate": ("bring the database to the newest schema", cmd_migrate),
    "seed-demo": ("fill an empty database with a demo marketplace", cmd_seed_demo),
    "check-config": ("print the settings in use (secrets masked)", cmd_check_config),
}


async def _connect_or_explain(engine: AsyncEngine, *, migrated: bool = False) -> None:
    """Open one connection first, so a wrong host, database or password is one clear line;
    with `migrated`, an empty or old schema is one too."""
    from storage import migrate

    try:
        async with engine.connect():
            pass
        revision = await migrate.current_revision(engine) if migrated else None
    except (DBAPIError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseUnreachable(
            f"DATABASE_URL: cannot connect to the database ({reason})"
        ) from None
    if migrated and revision != migrate.head_revision():
        raise DatabaseNotMigrated(
            "The database is not migrated: run `python -m bot migrate` (or `make migrate`) first."
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, (help_text, _) in COMMANDS.items():
        sub.add_parser(name, help=help_text)
    importing = sub.add_parser(
        "import-products", help="import a CSV or .xlsx of products into a store (all or nothing)"
    )
    importing.add_argument("seller_id", type=int, help="the store's seller id")
    importing.add_argument("file", help="a .csv or .xlsx file with a header row")
    importing.add_argument("--dry-run", action="store_true", help="only check and report")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        for line in exc.lines:
            print(f"Configuration error: {line}", file=sys.stderr)
        return CONFIG_ERROR
    configure_logging(settings.log_level, settings.log_format.value, settings.secrets)
    try:
        if args.command == "import-products":
            file = Path(args.file)
            if not file.is_file():
                print(f"No such file: {args.file}", file=sys.stderr)
                return 1
            return asyncio.run(
                cmd_import_products(
                    settings, args.seller_id, file.name, file.read_bytes(), dry_run=args.dry_run
                )
            )
        return asyncio.run(COMMANDS[args.command][1](settings))
    except KeyboardInterrupt:
        return 130
    except DatabaseUnreachable as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return exc.exit_status
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_status
