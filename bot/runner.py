"""Run the bot against Telegram (or any Bot API server): long polling, or a webhook server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import MenuButtonWebApp, WebAppInfo
from aiohttp import web
from pydantic import AnyHttpUrl, SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import inbox, jobs
from bot.adapters import tracking
from bot.adapters.smtp import SmtpMailer
from bot.app import create_bot, create_dispatcher, payment_config
from bot.errors import ApiUnreachable
from bot.notify import DeliveryRules, OutboxDispatcher
from bot.settings import Settings
from engine.shop import Shop
from handlers import commands
from handlers.i18n import DEFAULT as DEFAULT_LANGUAGE
from handlers.i18n import t
from handlers.webapp import WebAppConfig
from handlers.webapp import build_app as build_webapp
from storage.db import make_engine, make_sessionmaker
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


WEB_MAX_BODY = 4 * 1024 * 1024  # bytes a request to the bot's web server may carry
SANDBOX_TOKEN = "123456789:AAE" + "sandbox-token-for-the-local-chat"  # a local token, not a secret
SANDBOX_BANK_ACCOUNT = "Demo Marketplace Ltd · IBAN GB94 DEMO 0000 0000 1234 56 · BIC DEMOGB2L"


async def run_sandbox(settings: Settings) -> None:
    """No BOT_TOKEN: serve the local Telegram (Bot API emulator and web chat) and run the
    bot against it, with the demo shop's people as the personas you can be."""
    from sandbox.launcher import DEMO_PERSONAS, serve

    emulator = await serve(
        settings.sandbox_host,
        settings.sandbox_port,
        SANDBOX_TOKEN,
        DEMO_PERSONAS,
        announce=False,
        # beside the shop's data: update ids keep increasing when `make run` starts again
        update_ids_file=settings.media_dir.parent / "sandbox-update-id",
    )
    webapp = sandbox_webapp(settings)
    print(
        f"No BOT_TOKEN is set, so the shop runs in the local sandbox.\n"
        f"  Open {emulator.base_url} in a browser and chat as a customer, the seller or the "
        f"admin.\n  The Mini App opens from the chat's menu button (it is served at "
        f"{webapp['webapp_url']}).\n"
        f"  To run in Telegram instead, put BOT_TOKEN=<token from @BotFather> in .env.\n"
        f"  Ctrl-C stops it.",
        flush=True,
    )
    from bot.demo import ensure_sandbox_provider

    # a simulated shipping provider whose parcels move on a short clock (bot/adapters/tracking.py
    # polls it)
    from sandbox.shipping import ShippingSimulator

    simulator, tracking_api = await ShippingSimulator(step=20).serve(settings.sandbox_host)
    # and a local PayPal (its approval page opens in the browser) unless a real one is set
    from sandbox.paypal import PayPalServer

    paypal = PayPalServer()
    paypal_runner = await paypal.serve(settings.sandbox_host)
    local_paypal = not (settings.paypal_client_id and settings.paypal_client_secret)
    engine = make_engine(settings.database_url)
    try:
        await ensure_sandbox_provider(make_sessionmaker(engine), tracking_api)
    finally:
        await engine.dispose()
    admins = [p.id for p in DEMO_PERSONAS if p.role_label == "admin"]
    local = settings.model_copy(
        update=webapp
        | {
            "bot_token": SecretStr(SANDBOX_TOKEN),
            "telegram_api_base": AnyHttpUrl(emulator.base_url),
            "admin_ids": sorted({*settings.admin_ids, *admins}),
            "payments_provider_token": settings.payments_provider_token
            or SecretStr("284685063:TEST:sandbox"),
            "webhook_url": None,
            "tracking_poll_seconds": 5,
            # an account to show, so bank transfer can be tried (settings' own, if given)
            "bank_transfer_details": settings.bank_transfer_details or SANDBOX_BANK_ACCOUNT,
        }
        | (
            {
                "paypal_client_id": paypal.client_id,
                "paypal_client_secret": SecretStr(paypal.client_secret),
                "paypal_api_base": AnyHttpUrl(paypal.base_url),
            }
            if local_paypal
            else {}
        )
    )
    try:
        await run_bot(local)
    finally:
        await emulator.stop()
        await simulator.cleanup()
        await paypal_runner.cleanup()


def sandbox_webapp(settings: Settings) -> dict[str, object]:
    """The sandbox's Mini App: the bot's web server serves it beside the local Telegram, on
    a port of its own (WEBHOOK_PORT when it is set, else SANDBOX_PORT + 1; any free port when
    that one is taken), and its page loads the sandbox's stand-in for Telegram's script."""
    host = settings.sandbox_host
    wanted = (
        settings.webhook_port
        if "webhook_port" in settings.model_fields_set
        else settings.sandbox_port + 1
    )
    port = wanted if wanted != settings.sandbox_port and _free(host, wanted) else _free(host, 0)
    return {
        "webhook_host": host,
        "webhook_port": port,
        "webapp_url": AnyHttpUrl(f"http://{host}:{port}/app/"),
        "webapp_script_url": AnyHttpUrl(
            f"http://{host}:{settings.sandbox_port}/sandbox/telegram-web-app.js"
        ),
    }


def _free(host: str, port: int) -> int:
    """`port` (0: any) if it can be listened on at `host` now, else 0."""
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return 0
        return int(probe.getsockname()[1])


def mini_app(settings: Settings, shop: Shop, bot: Bot) -> web.Application | None:
    """The Mini App (handlers/webapp) when WEBAPP_URL is set, to mount at /app/."""
    if settings.webapp_url is None or settings.bot_token is None:
        return None
    return build_webapp(
        shop,
        bot,
        WebAppConfig(
            bot_token=settings.bot_token.get_secret_value(),
            media_dir=settings.media_dir,
            payments=payment_config(settings, shop),
            script_url=str(settings.webapp_script_url),
            max_age=timedelta(seconds=settings.webapp_max_age_seconds),
        ),
    )


async def show_menu_button(bot: Bot, settings: Settings) -> None:
    """The chat's menu button opens the Mini App (for every chat without its own)."""
    if settings.webapp_url is None:
        return
    button = MenuButtonWebApp(
        text=t(DEFAULT_LANGUAGE, "webapp.menu_button"),
        web_app=WebAppInfo(url=str(settings.webapp_url)),
    )
    try:
        await bot.set_chat_menu_button(menu_button=button)
    except TelegramAPIError as exc:  # the shop works without it: the main menu has the button
        log.warning("could not set the chat menu button to the Mini App: %s", exc)


async def run_bot(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    bot = create_bot(settings)
    dp = create_dispatcher(settings, lambda: UnitOfWork(sessions))
    dispatcher = OutboxDispatcher(
        bot,
        lambda: UnitOfWork(sessions),
        DeliveryRules(
            global_rate=settings.notify_global_rate,
            per_chat_rate=settings.notify_per_chat_rate,
            lease=timedelta(seconds=settings.outbox_lease_seconds),
        ),
        email=email_sender(settings),
    )
    delivery = asyncio.create_task(dispatcher.run(), name="outbox")
    shop: Shop = dp["shop"]
    # every worker may run the scheduler; a database lock lets exactly one do it at a time
    scheduler = jobs.service(settings, engine, shop) if settings.run_scheduler else None
    timed = None if scheduler is None else asyncio.create_task(scheduler.run(), name="scheduler")
    try:
        await wait_for_api(bot, settings)
        await publish_commands(bot, settings.admin_ids, shop)
        await show_menu_button(bot, settings)
        webapp = mini_app(settings, shop, bot)
        if settings.webhook_url is not None:
            await _serve_webhook(settings, bot, dp, engine, webapp)
        else:
            # without a webhook, the web server runs for providers' pushed updates and the
            # Mini App, when either is on
            service = (
                None
                if settings.shipping_webhook_secret is None and webapp is None
                else await _start_web(settings, _service_app(settings, engine, shop, webapp))
            )
            await bot.delete_webhook(drop_pending_updates=False)
            log.info("polling for updates")
            try:
                await inbox.poll(dp, bot, dp["inbox"])
            finally:
                if service is not None:
                    await service.cleanup()
    finally:
        if scheduler is not None and timed is not None:
            scheduler.stop()
            await timed
            await jobs.unbind()
        dispatcher.stop()
        await delivery
        await bot.session.close()
        await engine.dispose()


async def wait_for_api(bot: Bot, settings: Settings) -> None:
    """Ask the Bot API who we are until it answers, saying so while it does not; a refused
    token, or no answer within STARTUP_API_WAIT_SECONDS, stops start-up with one line."""
    where = str(settings.telegram_api_base or "https://api.telegram.org").rstrip("/")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.startup_api_wait_seconds
    pause = 1.0
    while True:
        try:
            await bot.get_me()
            return
        except TelegramUnauthorizedError:
            raise ApiUnreachable(
                f"BOT_TOKEN was refused by the Bot API at {where} (401 Unauthorized): "
                "copy the token from @BotFather again"
            ) from None
        except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if loop.time() >= deadline:
                raise ApiUnreachable(
                    f"the Bot API at {where} did not answer for "
                    f"{settings.startup_api_wait_seconds:.0f} s ({reason}): check the network, "
                    "or TELEGRAM_API_BASE"
                ) from None
            log.warning(
                "the Bot API at %s does not answer (%s); again in %.0f s", where, reason, pause
            )
            await asyncio.sleep(max(0.0, min(pause, deadline - loop.time())))
            pause = min(pause * 2, 30.0)


def email_sender(settings: Settings) -> SmtpMailer | None:
    """Email goes out when an SMTP server and a sender address are configured."""
    if not settings.smtp_host or not settings.smtp_from:
        return None
    password = settings.smtp_password
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        settings.smtp_user,
        None if password is None else password.get_secret_value(),
    )


def _service_app(
    settings: Settings, engine: AsyncEngine, shop: Shop, webapp: web.Application | None = None
) -> web.Application:
    """/healthz, providers' pushed tracking updates when SHIPPING_WEBHOOK_SECRET is set, and
    the Mini App under /app/ when there is one."""
    # Telegram's updates can be large (a 4,096-character message with its entities is about
    # 100 KB); the providers' endpoint keeps its own, smaller cap (bot/adapters/tracking.py)
    app = web.Application(client_max_size=WEB_MAX_BODY)

    async def healthz(_: web.Request) -> web.Response:
        """For the load balancer: the process answers and its database does too."""
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("SELECT 1")
        except Exception as exc:  # any database failure means "not healthy"
            return web.json_response({"ok": False, "error": type(exc).__name__}, status=503)
        return web.json_response({"ok": True})

    app.router.add_get("/healthz", healthz)
    if settings.shipping_webhook_secret is not None:
        app.add_routes(tracking.routes(shop, settings.shipping_webhook_secret.get_secret_value()))
    if webapp is not None:
        app.add_subapp("/app/", webapp)
    return app


async def _start_web(settings: Settings, app: web.Application) -> web.AppRunner:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    log.info("web server listening on %s:%s", settings.webhook_host, settings.webhook_port)
    return runner


async def publish_commands(bot: Bot, admin_ids: list[int], shop: Shop) -> None:
    """The / menu Telegram shows: everyone's commands, a seller's in approved sellers' chats,
    the admin ones in admins' chats (handlers.commands)."""
    await commands.publish(bot, shop, admin_ids)


async def _serve_webhook(
    settings: Settings,
    bot: Bot,
    dp: Dispatcher,
    engine: AsyncEngine,
    webapp: web.Application | None = None,
) -> None:
    from urllib.parse import urlsplit

    assert settings.webhook_url is not None
    assert settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    path = urlsplit(str(settings.webhook_url)).path or "/"
    signalled = _on_signals()  # before the slow start-up (speech models), so SIGTERM then stops us
    updates: inbox.UpdateInbox = dp["inbox"]
    app = _service_app(settings, engine, dp["shop"], webapp)
    receive, handling = inbox.webhook_handler(dp, bot, updates, secret)
    app.router.add_post(path, receive)
    stop = asyncio.Event()
    upkeep = asyncio.create_task(updates.maintain(dp, bot, stop), name="update inbox upkeep")
    await dp.emit_startup(bot=bot, dispatcher=dp, bots=[bot], **dp.workflow_data)
    runner = await _start_web(settings, app)
    try:
        await bot.set_webhook(str(settings.webhook_url), secret_token=secret)
        log.info("webhook listening on %s:%s%s", settings.webhook_host, settings.webhook_port, path)
        await signalled.wait()
    finally:
        await runner.cleanup()
        stop.set()
        await handling.wait(10)
        await updates.flush()
        await upkeep
        await dp.emit_shutdown(bot=bot, dispatcher=dp, bots=[bot], **dp.workflow_data)


def _on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop
