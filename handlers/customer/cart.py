"""The cart screen: quantities, removal, emptying, and the way into checkout. A coupon given
before checkout (in words: "use SAVE5") is shown under the lines, with what the engine says
it takes off this cart (`Carts.coupon`), or why it does not apply to it now."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from engine.accounts import UserView
from engine.cart import CartView
from engine.errors import CouponRejected, NotFound, Outdated
from engine.shop import Shop
from handlers import keyboards as kb
from handlers import render
from handlers.callbacks import CartAction, CartCb, CartClearCb, Menu, MenuCb, RemindersCb
from handlers.customer import asking
from handlers.customer.asking import Kind, Question
from handlers.i18n import error_text, price, t
from handlers.screen import show
from storage.vocabulary import DiscountType


class ClearYesCb(CallbackData, prefix="v2kc"):
    """ "Yes, empty it" under "Empty the cart?": the cart as that question showed it
    (`seen`, CartView.version) and the question's key in asking.py, so a question answered
    already (a typed "no", this Yes tapped before) is not answered again."""

    seen: str
    key: str


class LineEditCb(CallbackData, prefix="v1kl"):
    """A cart line picked under "Which one?" after a typed edit ("remove the dresses", "make
    the hoodies 1"): the line (`id`), its quantity as the question showed it (`seen`), and the
    edit: the count to end with (`to`), else how many to take out (`take`, 0: all of it). The
    engine refuses it on a line that reads otherwise now, so a second tap changes nothing."""

    id: int
    seen: int
    to: int = -1  # -1: no count to end with; `take` says what goes
    take: int = 0


async def edit_line(shop: Shop, me: UserView, edit: LineEditCb) -> CartView:
    """The edit a typed request or its "Which one?" asked for, on the line as it was shown:
    the count to end with (`Carts.set_quantity`, 0 removes it) or some of it taken out
    (`Carts.take`). `NotFound` / `Outdated` (entity cart_line) when the line is gone or reads
    otherwise now (a count already set reads as done)."""
    if edit.to >= 0:
        return await shop.carts.set_quantity(me.id, edit.id, edit.to, seen=edit.seen)
    return await shop.carts.take(me.id, edit.id, edit.take or None, seen=edit.seen)


def stale_line(lang: str, old: NotFound | Outdated) -> str | None:
    """What to say about a line edit refused because the line is gone or changed since it
    was shown (None: another refusal, which the error router answers)."""
    if old.params.get("entity") != "cart_line":
        return None
    return t(lang, "cart.line_gone" if isinstance(old, NotFound) else "cart.line_changed")


def lines_keys(
    lines: list[tuple[int, str, int]], to: int | None, take: int | None
) -> InlineKeyboardMarkup:
    """ "Which one?" among cart lines (product id, name, quantity shown): a button per line,
    which does the edit (`LineEditCb`)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=f"{name} × {qty}",
                    callback_data=LineEditCb(
                        id=pid, seen=qty, to=-1 if to is None else to, take=take or 0
                    ).pack(),
                )
            ]
            for pid, name, qty in lines
        ]
    )


def clear_question(view: CartView) -> Question:
    """ "Empty the cart?" as asking.py keeps it: the cart's version shown."""
    return Question(Kind.clear, seen=view.version)


def clear_keys(lang: str, view: CartView, question: Question) -> InlineKeyboardMarkup:
    """Under "Empty the cart?": Yes (for the cart as shown), No (the cart again)."""
    yes = ClearYesCb(seen=view.version, key=question.key).pack()
    no = MenuCb(to=Menu.cart).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=t(lang, "cart.clear.yes"), callback_data=yes),
                InlineKeyboardButton(text=t(lang, "cart.clear.no"), callback_data=no),
            ]
        ]
    )


async def cart_text(
    shop: Shop, lang: str, me: UserView, state: FSMContext, view: CartView, *, head: str = ""
) -> str:
    """The cart's screen text, with the coupon kept for checkout (if any) and what it takes
    off this cart, as the checkout will (the engine's `Carts.coupon`): every screen of the
    cart (/cart, its button, typed "show my cart", an add or removal in words, checkout in
    words) is built here, so they all read the same. `head` goes above it ("Added …")."""
    text = (head + "\n\n" if head else "") + render.cart(lang, view)
    code = (await state.get_data()).get("coupon")
    if not code or not view.lines:
        return text
    try:
        kept = await shop.carts.coupon(me.id, str(code))
    except CouponRejected as refused:
        said = t(lang, "cart.coupon.not_now", code=escape(str(code)), why=error_text(lang, refused))
    else:
        quote = kept.quote
        if quote.discount_type == DiscountType.free_shipping:
            said = t(lang, "cart.coupon.free_shipping", code=escape(quote.code))
        else:
            said = t(
                lang,
                "cart.coupon",
                code=escape(quote.code),
                discount=price(quote.discount, lang=lang),
                total=price(kept.total, lang=lang),
            )
    return render.fit(text + "\n\n" + said)


async def on_cart_command(
    message: Message, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    view = await shop.carts.view(me.id)
    text = await cart_text(shop, lang, me, state, view)
    await message.answer(text, reply_markup=kb.cart(lang, view))


async def on_cart(
    query: CallbackQuery, shop: Shop, lang: str, me: UserView, state: FSMContext
) -> None:
    view = await shop.carts.view(me.id)
    await show(query, await cart_text(shop, lang, me, state, view), kb.cart(lang, view))
    await query.answer()


async def on_cart_action(
    query: CallbackQuery,
    callback_data: CartCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    action = callback_data.action
    if action == CartAction.checkout:
        from handlers.customer.checkout import begin

        await begin(query, shop, lang, me, state)
        return
    if action == CartAction.clear:  # asks first, with the cart as it is now
        view = await shop.carts.view(me.id)
        if view.lines:  # a typed "yes" / "no" answers it too (talk.py reads it: asking.py)
            question = await asking.ask(state, clear_question(view))
            await show(
                query, render.cart_clear_question(lang, view), clear_keys(lang, view, question)
            )
        else:
            await show(query, await cart_text(shop, lang, me, state, view), kb.cart(lang, view))
        await query.answer()
        return
    shown = callback_data.qty  # the line's quantity on the screen (0: a screen too old to say)
    try:
        if action == CartAction.remove:  # the line as the screen showed it, not what is there now
            view = await shop.carts.remove(me.id, callback_data.id, seen=shown or None)
        else:  # one more or one less than the screen showed; the engine checks it still does
            wanted = shown + 1 if action == CartAction.inc else max(shown - 1, 0)
            view = await shop.carts.set_quantity(me.id, callback_data.id, wanted, seen=shown)
    except (NotFound, Outdated) as old:
        if old.params.get("entity") != "cart_line":
            raise
        # a line an older cart screen showed, taken out or changed since: nothing changes,
        # and the screen shows the cart as it is now
        view = await shop.carts.view(me.id)
        await show(query, await cart_text(shop, lang, me, state, view), kb.cart(lang, view))
        gone = isinstance(old, NotFound)
        await query.answer(t(lang, "cart.line_gone" if gone else "cart.line_changed"))
        return
    await show(query, await cart_text(shop, lang, me, state, view), kb.cart(lang, view))
    await query.answer()


async def on_line_edit(
    query: CallbackQuery,
    callback_data: LineEditCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """A line picked under "Which one?": the edit asked for, on the line as the question
    showed it; a line gone or changed since (a second tap, an older question) stays, and
    the cart is shown as it is now."""
    await state.update_data(which=None, which_edit=None)  # a typed answer now asks afresh
    try:
        view = await edit_line(shop, me, callback_data)
    except (NotFound, Outdated) as old:
        said = stale_line(lang, old)
        if said is None:
            raise
        view = await shop.carts.view(me.id)
        await show(query, await cart_text(shop, lang, me, state, view), kb.cart(lang, view))
        await query.answer(said)
        return
    await show(query, await cart_text(shop, lang, me, state, view), kb.cart(lang, view))
    await query.answer()


async def on_clear(
    query: CallbackQuery,
    callback_data: CartClearCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """ "Yes, empty it": the cart as the question showed it is emptied; a cart that changed
    since stays (the engine refuses it: Outdated)."""
    view = await shop.carts.clear(me.id, seen=callback_data.seen)
    await show(query, await cart_text(shop, lang, me, state, view), kb.cart(lang, view))
    await query.answer()


async def on_clear_asked(
    query: CallbackQuery,
    callback_data: ClearYesCb,
    shop: Shop,
    lang: str,
    me: UserView,
    state: FSMContext,
) -> None:
    """ "Yes, empty it" under a question still open: as `on_clear`. Under a question answered
    already (a typed "no", this Yes tapped before) it says so and changes nothing."""
    if not await asking.answer_once(state, callback_data.key):
        await query.answer(t(lang, "asked.none"))
        return
    await on_clear(query, CartClearCb(seen=callback_data.seen), shop, lang, me, state)


async def on_reminders(
    query: CallbackQuery, callback_data: RemindersCb, shop: Shop, lang: str, me: UserView
) -> None:
    """The button under a cart reminder: no more reminders (or yes again)."""
    enabled = await shop.housekeeping.set_reminders(me.id, enabled=callback_data.on)
    await query.answer(t(lang, "reminders.on" if enabled else "reminders.off"), show_alert=True)


def build_router() -> Router:
    router = Router(name="customer.cart")
    router.callback_query.register(on_reminders, RemindersCb.filter())
    router.message.register(on_cart_command, Command("cart"))
    router.callback_query.register(on_cart, MenuCb.filter(F.to == Menu.cart))
    router.callback_query.register(on_cart_action, CartCb.filter())
    router.callback_query.register(on_clear_asked, ClearYesCb.filter())
    router.callback_query.register(on_line_edit, LineEditCb.filter())
    router.callback_query.register(on_clear, CartClearCb.filter())  # in older chats
    return router
