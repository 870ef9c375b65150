"""Text shown to users: pure functions of engine views, through the i18n catalog.

Everything interpolated from users or sellers is HTML-escaped (the bot sends parse_mode=HTML),
and long texts are cut to Telegram's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Final

from engine.accounts import AddressView, UserView
from engine.cart import CartChange, CartView, Change
from engine.catalog import Page, ProductCard, ProductDetail, ReviewPage
from engine.coupons import CouponQuote
from engine.order_actions import PaymentState
from engine.orders import OrderView, QuoteView, ShipmentView
from engine.shipping import Parcel
from handlers.i18n import day, moment, number, price, t
from storage.vocabulary import DiscountType, OrderStatus, TrackingStatus

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def fit(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def welcome(lang: str, user: UserView) -> str:
    name = escape(user.first_name or "there")
    return t(lang, "welcome.new" if user.created else "welcome.back", name=name)


def banned(lang: str, reason: str | None) -> str:
    return t(lang, "banned", reason=escape(reason or "—"))


def stars(rating: Decimal) -> str:
    """An average rating as five stars, rounded to the nearest whole star: ★★★★☆."""
    full = max(0, min(5, int(rating.quantize(Decimal(1), ROUND_HALF_UP))))
    return "★" * full + "☆" * (5 - full)


def price_tag(lang: str, card: ProductCard) -> str:
    """What it sells for, in bold; the regular price struck through before it while it is
    discounted (the engine says which: ProductCard.unit_price and was_price)."""
    now = price(card.unit_price, lang=lang)
    if card.was_price is None:
        return f"<b>{now}</b>"
    return t(lang, "product.discount", old=price(card.was_price, lang=lang), new=now)


def product(lang: str, detail: ProductDetail, *, in_cart: int = 0) -> str:
    """A product's card; `in_cart`: how many of it the reader's cart holds (said when any)."""
    card = detail.card
    money = price_tag(lang, card)
    stock = (
        t(lang, "product.stock", stock=card.stock_quantity)
        if card.stock_quantity
        else t(lang, "product.sold_out")
    )
    if in_cart:
        stock += "\n" + t(lang, "product.in_cart", qty=in_cart)
    rating = (
        t(
            lang,
            "product.rating",
            stars=stars(card.rating),
            rating=number(card.rating, lang, digits=1),
            count=card.review_count,
        )
        if card.rating is not None
        else t(lang, "product.no_rating")
    )
    lines = [
        f"<b>{escape(card.name)}</b>",
        money,
        stock,
        rating,
        t(lang, "product.seller", store=escape(detail.store_name)),
    ]
    if detail.description:
        lines += ["", escape(detail.description)]
    return fit("\n".join(lines), CAPTION_LIMIT)


def cart(lang: str, view: CartView) -> str:
    if not view.lines:
        return t(lang, "cart.empty")
    lines = [t(lang, "cart.title")]
    lines += [  # numbered as the buttons below are: the whole name stays readable here
        f"{n}. "
        + t(
            lang,
            "cart.line",
            qty=line.quantity,
            name=escape(line.name),
            total=price(line.total, lang=lang),
        )
        for n, line in enumerate(view.lines, 1)
    ]
    lines.append(t(lang, "cart.subtotal", subtotal=price(view.subtotal, lang=lang)))
    return fit("\n".join(lines))


def wishlist(lang: str, page: Page) -> str:
    """The saved products, numbered as their buttons below are (sold out said so)."""
    if not page.items:
        return t(lang, "wishlist.empty")
    first = (page.page - 1) * page.page_size
    lines = [t(lang, "wishlist.title")]
    for n, card in enumerate(page.items, first + 1):
        shown = price(card.unit_price, lang=lang)
        if card.stock_quantity <= 0:
            shown += f" · {t(lang, 'product.sold_out_short')}"
        lines.append(f"{n}. " + t(lang, "wishlist.line", name=escape(card.name), price=shown))
    return fit("\n".join(lines))


def cart_clear_question(lang: str, view: CartView) -> str:
    """ "Empty the cart? 3 items", with the cart as it is."""
    return t(lang, "cart.clear.ask", count=view.item_count) + "\n\n" + cart(lang, view)


def product_reviews(lang: str, detail: ProductDetail, reviews: ReviewPage) -> str:
    """A page of a product's reviews, for its card (a photo's caption, so short)."""
    lines = [
        t(
            lang,
            "product.reviews.title",
            name=escape(detail.card.name),
            page=reviews.page,
            pages=reviews.pages,
        )
    ]
    for r in reviews.items:
        author = escape(r.author or t(lang, "product.reviews.someone"))
        when_ = day(r.created_at, lang)
        lines += [
            "",
            t(
                lang,
                "product.reviews.line",
                stars=stars(Decimal(r.rating)),
                author=author,
                date=when_,
            ),
        ]
        if r.comment:
            comment = r.comment if len(r.comment) <= 150 else r.comment[:149] + "…"
            lines.append(escape(comment))
    if not reviews.items:
        lines += ["", t(lang, "product.reviews.none")]
    return fit("\n".join(lines), CAPTION_LIMIT)


def cart_changes(lang: str, changes: Sequence[CartChange]) -> str:
    lines = [t(lang, "cart.changed")]
    for c in changes:
        old, new = c.old, c.new
        if c.change == Change.price_changed:  # the engine hands prices over as text
            old, new = price(Decimal(old), lang=lang), price(Decimal(new), lang=lang)
        lines.append(
            t(lang, f"cart.change.{c.change.value}", name=escape(c.name), old=old, new=new)
        )
    return "\n".join(lines)


def coupon(lang: str, quote: CouponQuote, *, at_checkout: bool) -> str:
    """What a coupon does: the amount it saves, or, when that is not known yet (free shipping
    before a shipping method is chosen, an empty cart), what it will do."""
    code = escape(quote.code)
    if quote.discount_type == DiscountType.free_shipping:
        key = "checkout.coupon.free_shipping" if at_checkout else "talk.coupon_kept.free_shipping"
        return t(lang, key, code=code)
    if not at_checkout and not quote.discount:
        return t(lang, "talk.coupon_kept.later", code=code)
    key = "checkout.coupon.ok" if at_checkout else "talk.coupon_kept"
    return t(lang, key, code=code, discount=price(quote.discount, lang=lang))


def address(a: AddressView) -> str:
    parts = [a.street, a.city, a.postal_code or "", a.country]
    return escape(", ".join(p for p in parts if p))


def _money_lines(
    lang: str,
    currency: str,
    *,
    subtotal: Decimal,
    provider: str,
    shipping: Decimal,
    discount: Decimal,
    total: Decimal,
    code: str | None = None,
) -> list[str]:
    """Subtotal, shipping, the discount when there is one (with its coupon's `code`, when
    given), and the total: what adds up."""
    rows = [
        t(lang, "money.subtotal", amount=price(subtotal, currency, lang=lang)),
        t(
            lang,
            "money.shipping",
            provider=escape(provider),
            amount=price(shipping, currency, lang=lang),
        ),
    ]
    if discount:
        amount = price(discount, currency, lang=lang)
        rows.append(
            t(lang, "money.discount.code", code=escape(code), amount=amount)
            if code
            else t(lang, "money.discount", amount=amount)
        )
    rows.append(t(lang, "money.total", amount=price(total, currency, lang=lang)))
    return rows


def bank_transfer(lang: str, view: OrderView, details: str | None) -> str:
    """How to pay an order by bank transfer: the shop's account, the amount, the order's
    reference and the deadline."""
    return t(
        lang,
        "bank.instructions",
        total=price(view.total, view.currency, lang=lang),
        reference=escape(view.bank_reference or ""),
        deadline=moment(view.expires_at, lang) if view.expires_at else "—",
        details=escape(details) if details else t(lang, "checkout.bank.default_details"),
    )


def where_to(lang: str, pickup_address: str | None, address_text: str) -> str:
    """Where the order goes: the pickup point, or the delivery address."""
    if pickup_address:
        return t(lang, "deliver.pickup", place=escape(pickup_address))
    return t(lang, "deliver.to", address=address_text)


# --- a pickup point's parcel: the same states, in the words they mean there -----------------
#: the states that read otherwise for a parcel collected at a pickup point: out for delivery
#: is the parcel put out for collection there, and delivered (a milestone's, a parcel's or an
#: order's: the same word in each machine) is the customer having collected it
WORDED_AT_PICKUP: Final = frozenset(
    {TrackingStatus.out_for_delivery.value, TrackingStatus.delivered.value}
)


def state_key(prefix: str, state: str, pickup: str | None) -> str:
    """The catalog key of a delivery state's words under `prefix` (`milestone`, a seller's
    button `seller.order`, ...): `prefix.state`, or `prefix.state.pickup` where the parcel
    goes to a pickup point (`pickup`: the point the engine's card, parcel or order names)
    and the state reads otherwise there (`WORDED_AT_PICKUP`)."""
    key = f"{prefix}.{state}"
    return f"{key}.pickup" if pickup and state in WORDED_AT_PICKUP else key


def milestone(lang: str | None, state: str, pickup: str | None, *, at: bool = False) -> str:
    """A delivery milestone in words: for a pickup point's parcel (`pickup`), out for
    delivery is "ready for collection" (`at`: "at <the point>", HTML-escaped) and delivered
    is "collected"."""
    if at and pickup and state == TrackingStatus.out_for_delivery.value:
        return t(lang, "milestone.out_for_delivery.pickup.at", place=escape(pickup))
    return t(lang, state_key("milestone", state, pickup))


def order_status(lang: str, view: OrderView) -> str:
    """An order's status in words: cash on delivery not yet shipped waits for no payment;
    an order collected at a pickup point is collected, not delivered; an order of several
    parcels says how many are on their way, or arrived, while only some are."""
    progress = view.parcels_on_the_way
    if progress is not None:
        on_the_way = progress.left - progress.arrived
        if not progress.arrived:
            return t(lang, "status.parcels_left", done=on_the_way, count=progress.count)
        key = "status.parcels_arrived" + (".pickup" if view.pickup_address else "")
        said = t(lang, key, done=progress.arrived, count=progress.count)
        if on_the_way:
            said += t(lang, "status.parcels_also_left", done=on_the_way)
        return said
    if view.status == OrderStatus.pending and view.payment_state == PaymentState.on_delivery:
        return t(lang, "status.pending_cod")
    return t(lang, state_key("status", view.status.value, view.pickup_address))


def money_state(lang: str, view: OrderView) -> str:
    """Where an order's money stands, in words: cash on delivery (or on collection at a
    pickup point) says what is still to pay, in parts when several stores' parcels each
    bring theirs, and only the rest once some parts were paid."""
    state = view.payment_state
    cash = state == PaymentState.on_delivery
    state_key = "on_collection" if cash and view.pickup_address else state.value
    # cash on delivery from several stores: each parcel collects its own part
    parts = view.cash_parts
    if parts.count > 1:
        if parts.paid:  # what is left, once some parcels came and their parts were paid
            parts_key = "rest_one" if len(parts.due) == 1 else "rest"
        else:  # each parcel is collected in turn, and its part paid then (said of the parcels)
            parts_key = "parcels" if state_key == "on_collection" else "parts"
        money = t(
            lang,
            f"payment_state.{state_key}.{parts_key}",
            count=len(parts.due),
            total=price(parts.still_due, view.currency, lang=lang),
        )
    else:
        money = t(
            lang, f"payment_state.{state_key}", total=price(view.total, view.currency, lang=lang)
        )
    return money


def order(lang: str, view: OrderView, bank_details: str | None = None) -> str:
    """One order: its lines, the amounts that add up to its total, where its money stands,
    where it goes, its tracking numbers; how to pay while a bank transfer is awaited."""
    cash = view.payment_state == PaymentState.on_delivery  # the method is the state: said once
    parts = view.cash_parts
    money = money_state(lang, view)
    rows = [
        t(lang, "order.head", order_id=view.order_id),
        t(lang, "order.placed_on", date=moment(view.created_at, lang)),
        t(lang, "order.status", status=order_status(lang, view)),
        t(lang, "order.payment.due", state=money)
        if cash
        else t(
            lang,
            "order.payment",
            state=money,
            method=t(lang, f"checkout.pay.{view.payment_method.value}"),
        ),
    ]
    if parts.count > 1:
        paid_key = "order.payment.part_paid" + (".pickup" if view.pickup_address else "")
        rows += [
            t(
                lang,
                "order.payment.part" if s in parts.due else paid_key,
                store=escape(s.store),
                amount=price(s.amount, view.currency, lang=lang),
            )
            for s in view.shipments
            if s in parts.due or s in parts.paid
        ]
    rows.append("")
    for line in view.lines:
        rows.append(
            t(
                lang,
                "cart.line",
                qty=line.quantity,
                name=escape(line.name),
                total=price(line.price * line.quantity, view.currency, lang=lang),
            )
        )
        if line.asked_back:  # a return not decided or not refunded yet
            rows.append(t(lang, "order.line.asked_back", count=line.asked_back))
    rows.append("")
    rows += _money_lines(
        lang,
        view.currency,
        subtotal=view.subtotal,
        provider=view.provider,
        shipping=view.shipping,
        discount=view.discount,
        total=view.total,
        code=view.coupon_code,
    )
    snapshot = view.address
    address_text = escape(
        ", ".join(
            str(snapshot[k])
            for k in ("street", "city", "postal_code", "country")
            if snapshot.get(k)
        )
    )
    if view.pickup_address or address_text:
        rows.append(where_to(lang, view.pickup_address, address_text))
    if view.tracking_numbers:
        numbers = ", ".join(f"<code>{escape(n)}</code>" for n in view.tracking_numbers)
        rows.append(t(lang, "order.tracking_numbers", numbers=numbers))
    if view.payment_state == PaymentState.awaiting_transfer:
        rows += ["", bank_transfer(lang, view, bank_details)]
    return fit("\n".join(rows))


def summary(lang: str, quote: QuoteView, *, method: str, address_text: str) -> str:
    """The checkout's confirmation: the engine's quote, how it is paid, where it goes."""
    rows = [t(lang, "checkout.summary.head")]
    rows += [
        t(
            lang,
            "cart.line",
            qty=line.quantity,
            name=escape(line.name),
            total=price(line.total, quote.currency, lang=lang),
        )
        for line in quote.lines
    ]
    rows.append("")
    rows += _money_lines(
        lang,
        quote.currency,
        subtotal=quote.subtotal,
        provider=quote.provider,
        shipping=quote.shipping,
        discount=quote.discount,
        total=quote.total,
        code=quote.coupon.code if quote.coupon else None,
    )
    rows.append(t(lang, "checkout.summary.payment", method=t(lang, f"checkout.pay.{method}")))
    rows.append(where_to(lang, quote.pickup_address, address_text))
    return fit("\n".join(rows))


def cancel_question(lang: str, view: OrderView) -> str:
    """Asked before an order is cancelled: what goes back, where to and when."""
    if view.refund_on_cancel:
        return t(
            lang,
            "order.cancel.ask.refund",
            order_id=view.order_id,
            amount=price(view.refund_on_cancel, view.currency, lang=lang),
            where=t(lang, f"refund.to.{view.payment_method.value}"),
        )
    return t(lang, "order.cancel.ask", order_id=view.order_id)


def tracking(
    lang: str, order_id: int, parcels: Sequence[Parcel], shipments: Sequence[ShipmentView] = ()
) -> str:
    """An order's delivery, parcel by parcel: its store and tracking number (when it has
    one), then each milestone with its time, and for a parcel collected at a pickup point,
    that point (where it will be ready for collection, is ready now, or was collected at),
    its milestones in the point's words (ready for collection, collected); a parcel with no
    news yet says so (waiting for its seller, or called off by it: `shipments`, the order's,
    say which), so every parcel is listed."""
    called_off = {s.shipment_id for s in shipments if s.called_off}
    rows: list[str] = []
    for parcel in parcels:
        if rows:  # a blank line between parcels
            rows.append("")
        if not parcel.milestones:
            key = (
                "order.tracking.called_off"
                if parcel.shipment_id in called_off
                else "order.tracking.waiting"
            )
            rows.append(t(lang, key, store=escape(parcel.store_name)))
            continue
        number = parcel.tracking_number
        head = t(lang, "order.tracking.parcel", store=escape(parcel.store_name))
        if number:
            head += " · " + t(
                lang, "order.tracking.number", number=f"<code>{escape(number)}</code>"
            )
        rows.append(f"<b>{head}</b>")
        pickup = parcel.pickup_address
        for m in parcel.milestones:
            where = f" — {escape(m.location)}" if m.location else ""
            when_ = moment(m.at, lang)
            rows.append(f"{milestone(lang, m.status.value, pickup)}{where} · {when_}")
        if pickup:
            rows.append(t(lang, _pickup_row(parcel), place=escape(pickup)))
    body = "\n".join(rows) if rows else t(lang, "order.tracking.none")
    return fit(t(lang, "order.tracking", order_id=order_id, milestones=body))


def _pickup_row(parcel: Parcel) -> str:
    """Track's last line for a pickup point's parcel: where it will be ready for
    collection, where it is ready now, or (collected, or failed) the point it went to."""
    reached = {m.status for m in parcel.milestones}
    if reached & {TrackingStatus.delivered, TrackingStatus.failed}:
        return "order.tracking.pickup"
    if TrackingStatus.out_for_delivery in reached:
        return "order.tracking.pickup_now"
    return "order.tracking.pickup_ready"
