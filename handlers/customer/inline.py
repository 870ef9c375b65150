"""Inline mode: typing `@bot hoodie` in any chat offers product cards to share.

Each card links back to the shop with a deep link (t.me/<bot>?start=p_<id>), which opens the
product in the bot's chat. A product whose photo Telegram already knows (a file id) is shared
as that photo; others as an article. An empty query offers the most popular products."""

from __future__ import annotations

from html import escape

from aiogram import Bot, Router
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultUnion,
    InputTextMessageContent,
)

from engine.catalog import BrowseQuery, Page, ProductDetail
from engine.errors import NotFound
from engine.shop import Shop
from handlers.i18n import price, t
from handlers.render import CAPTION_LIMIT, fit, price_tag

PAGE_SIZE = 10
CACHE_SECONDS = 30


def deep_link(username: str, product_id: int) -> str:
    return f"https://t.me/{username}?start=p_{product_id}"


def card_text(lang: str, detail: ProductDetail) -> str:
    card = detail.card
    lines = [f"<b>{escape(card.name)}</b>", price_tag(lang, card)]
    if card.stock_quantity <= 0:
        lines.append(t(lang, "product.sold_out"))
    lines.append(t(lang, "product.seller", store=escape(detail.store_name)))
    return fit("\n".join(lines), CAPTION_LIMIT)


def result(lang: str, detail: ProductDetail, username: str) -> InlineQueryResultUnion:
    card = detail.card
    link = deep_link(username, card.product_id)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t(lang, "inline.open"), url=link)]]
    )
    description = t(
        lang, "inline.description", price=price(card.unit_price, lang=lang), store=detail.store_name
    )
    if card.stock_quantity <= 0:  # sold out: said in the list, as the bot's own lists say it
        description += f" · {t(lang, 'product.sold_out_short')}"
    photo = next((i.telegram_file_id for i in detail.images if i.telegram_file_id), None)
    if photo is not None:
        return InlineQueryResultCachedPhoto(
            id=f"p{card.product_id}",
            photo_file_id=photo,
            title=card.name[:100],
            description=description,
            caption=card_text(lang, detail),
            parse_mode="HTML",
            reply_markup=markup,
        )
    return InlineQueryResultArticle(
        id=f"p{card.product_id}",
        title=card.name[:100],
        description=description,
        url=link,
        input_message_content=InputTextMessageContent(
            message_text=card_text(lang, detail), parse_mode="HTML"
        ),
        reply_markup=markup,
    )


async def on_inline_query(query: InlineQuery, shop: Shop, lang: str, bot: Bot) -> None:
    text = query.query.strip()[:100]
    page = int(query.offset) if query.offset.isdigit() else 1
    found: Page
    if text:
        found = await shop.catalog.search(text, page=page, page_size=PAGE_SIZE)
    else:
        found = await shop.catalog.browse(
            BrowseQuery(in_stock=True, page=page, page_size=PAGE_SIZE)
        )
    me = await bot.me()
    results: list[InlineQueryResultUnion] = []
    for card in found.items:
        try:
            detail = await shop.catalog.product(card.product_id)
        except NotFound:  # hidden between the search and now
            continue
        results.append(result(lang, detail, me.username or ""))
    await query.answer(
        results,
        cache_time=CACHE_SECONDS,
        is_personal=False,
        next_offset=str(found.page + 1) if found.page < found.pages else "",
    )


def build_router() -> Router:
    router = Router(name="customer.inline")
    router.inline_query.register(on_inline_query)
    return router
