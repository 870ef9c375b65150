"""Bot and Dispatcher factories. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage

from bot import inbox
from bot.conversations import DatabaseStorage
from bot.middlewares import RetryRequests, ShopUser, Throttle, on_error
from bot.settings import Settings, VoiceBackend
from engine.base import Deps, RefundProvider, Rules
from engine.gateways import PayPalGateway
from engine.shop import Shop
from handlers import build_router
from handlers.customer.checkout import PaymentConfig
from handlers.customer.talk import Language
from handlers.customer.voice import Voice
from handlers.i18n import use_shop_currency
from handlers.keyboards import use_mini_app
from nlu import make_backend
from storage.uow import UnitOfWork
from storage.vocabulary import PaymentMethod


def create_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    session = None
    if settings.telegram_api_base is not None:
        base = str(settings.telegram_api_base).rstrip("/")
        session = AiohttpSession(api=TelegramAPIServer.from_base(base, is_local=False))
    bot = Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    bot.session.middleware(RetryRequests())  # 429s and 5xx are waited out, not shown to users
    return bot


def create_fsm_storage(settings: Settings, uow: Callable[[], UnitOfWork]) -> BaseStorage:
    """Conversation state: in the shop's database for one worker (a restart keeps every
    conversation where it was), in Redis when several workers share the work."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return DatabaseStorage(uow)


def rules_from(settings: Settings) -> Rules:
    return Rules(
        currency=settings.currency,
        commission_percent=settings.commission_percent,
        unpaid_order_ttl=timedelta(minutes=settings.unpaid_order_ttl_minutes),
        bank_transfer_ttl=timedelta(hours=settings.bank_transfer_ttl_hours),
        return_window=timedelta(days=settings.return_window_days),
    )


def create_shop(settings: Settings, uow: Callable[[], UnitOfWork]) -> Shop:
    methods = {PaymentMethod.card, PaymentMethod.cod}
    if settings.bank_transfer_details:  # without an account to pay into, it is a dead end
        methods.add(PaymentMethod.bank_transfer)
    refunds: dict[str, RefundProvider] = {}
    if settings.paypal_client_id and settings.paypal_client_secret:
        from bot.adapters.paypal import PayPal  # the SDKs load only when they are used

        methods.add(PaymentMethod.paypal)
        refunds["paypal"] = PayPal(
            settings.paypal_client_id,
            settings.paypal_client_secret.get_secret_value(),
            environment=settings.paypal_environment,
            api_base=None if settings.paypal_api_base is None else str(settings.paypal_api_base),
        )
    if settings.stripe_api_key is not None:
        from bot.adapters.stripe import StripeRefunds

        base = None if settings.stripe_api_base is None else str(settings.stripe_api_base)
        refunds["stripe"] = StripeRefunds(settings.stripe_api_key.get_secret_value(), base)
    return Shop(
        Deps(uow=uow, rules=rules_from(settings), refunds=refunds),
        admin_ids=settings.admin_ids,
        payment_methods=methods,
    )


def payment_config(settings: Settings, shop: Shop) -> PaymentConfig:
    token = settings.payments_provider_token
    return PaymentConfig(
        provider_token=None if token is None else token.get_secret_value(),
        currency=settings.currency,
        bank_details=settings.bank_transfer_details,
        paypal=gateway
        if isinstance(gateway := shop.deps.refunds.get("paypal"), PayPalGateway)
        else None,
        methods=tuple(m for m in PaymentMethod if m in shop.orders.payment_methods),
    )


def create_voice(settings: Settings) -> Voice | None:
    """The voice-note service, or None when VOICE_BACKEND=off (notes then get "please type")."""
    if settings.voice_backend == VoiceBackend.off:
        return None
    from nlu.speech import Recipe, SpeechPool

    model = None if settings.whisper_model is None else str(settings.whisper_model)
    pool = SpeechPool(
        Recipe(settings.voice_backend.value, model),
        workers=settings.voice_workers,
        max_seconds=settings.voice_max_seconds,
    )
    return Voice(pool, max_seconds=settings.voice_max_seconds, replies=settings.voice_replies)


def create_dispatcher(settings: Settings, uow: Callable[[], UnitOfWork]) -> Dispatcher:
    use_shop_currency(settings.currency)  # every amount without its own currency shows this
    use_mini_app(None if settings.webapp_url is None else str(settings.webapp_url))
    shop = create_shop(settings, uow)
    backend = make_backend(
        settings.nlu_backend.value, str(settings.rasa_url), rasa_blend=settings.nlu_rasa_blend
    )
    language = Language(backend, shop)
    voice = create_voice(settings)
    dp = Dispatcher(
        storage=create_fsm_storage(settings, uow),
        shop=shop,
        settings=settings,
        media_dir=settings.media_dir,
        payments=payment_config(settings, shop),
        support_contact=settings.support_contact,  # /help and the banned-user message
        language=language,
        voice=voice,
    )
    dp.startup.register(language.start)  # the text model, before the first message
    if voice is not None:  # load the models while the bot starts, not on the first note
        dp.startup.register(voice.start)
        dp.shutdown.register(voice.aclose)
    throttle = Throttle(settings.flood_burst, settings.flood_window_seconds)
    user = ShopUser(shop)
    # the update's claim also reads the acting user and the category tree: one transaction
    reads = (user.read_known, lambda uow, _data: shop.catalog.check_categories(uow))
    updates = inbox.UpdateInbox(
        uow,
        reads=reads,
        lease=timedelta(seconds=settings.update_lease_seconds),
        keep=timedelta(hours=settings.update_keep_hours),
    )
    dp["inbox"] = updates
    inbox.install(dp, updates)
    for observer in (dp.message, dp.callback_query, dp.pre_checkout_query, dp.inline_query):
        observer.outer_middleware(throttle)
        observer.outer_middleware(user)
    dp.errors.register(on_error)
    dp.include_router(build_router())
    return dp
