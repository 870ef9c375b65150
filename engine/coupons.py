"""Coupons: percentage, fixed and free_shipping, with precise reasons for a refusal.

`quote` checks a code for a customer and an order size; `redeem` does the same under a row
lock inside checkout and counts the use, so concurrent orders never spend a coupon beyond
max_uses and a customer racing themself uses it once (a unique index over the uses not
released, per coupon and customer, backs it).
An order cancelled or expired gives its coupon back (`give_back`, inside the cancellation):
its use row stays, marked released (the order's cards still name the code), and no longer
counts towards either limit; one paid and returned keeps it.

An order takes one coupon (the design's checkout "applies Coupon (if valid)", and placing an
order takes one code): `apply` gives the coupon a checkout takes when a code is given, and
the one it replaces, with what each saves on the order, so the replacement is said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from engine.base import Deps, actor, admin, audit, found, operation, utcnow
from engine.errors import CouponRejected, InvalidInput
from engine.pricing import ZERO, percent_of
from storage.models import Coupon, OrderCoupon
from storage.uow import UnitOfWork
from storage.vocabulary import CouponStatus, DiscountType, money

_CODE = re.compile(r"^[A-Z0-9_-]{3,50}$")
MAX_PERCENT = 100  # a percentage coupon takes at most the whole subtotal


def normalise_code(code: str) -> str:
    return code.strip().upper()


@dataclass(frozen=True)
class CouponQuote:
    coupon_id: int
    code: str
    discount_type: DiscountType
    discount: Decimal  # what this order saves


@dataclass(frozen=True)
class CouponChoice:
    """The coupon an order takes once a code is given (`Coupons.apply`): `quote`. An order
    takes one coupon, so one applied before (`replaces`) is given up for it; what that one
    would save on this order is `replaced_discount` (None: it no longer applies)."""

    quote: CouponQuote
    replaces: str | None = None
    replaced_discount: Decimal | None = None


@dataclass(frozen=True)
class CouponView:
    coupon_id: int
    code: str
    discount_type: DiscountType
    discount_value: Decimal
    min_order_amount: Decimal | None
    max_uses: int | None
    uses_count: int
    start_date: date | None
    end_date: date | None
    status: CouponStatus
    standing: CouponStanding = "active"  # whether a customer could use it today, and if not why
    description: str | None = None

    @classmethod
    def of(cls, c: Coupon, today: date) -> CouponView:
        return cls(
            c.coupon_id,
            c.code,
            c.discount_type,
            c.discount_value,
            c.min_order_amount,
            c.max_uses,
            c.uses_count,
            c.start_date,
            c.end_date,
            c.status,
            standing(c, today),
            c.description,
        )


CouponStanding = Literal["active", "disabled", "expired", "used_up", "not_started"]


def standing(coupon: Coupon, today: date) -> CouponStanding:
    """Whether the coupon could be used today, and if not the first reason (the same order of
    checks as checkout's): switched off, past its end date, not begun yet, all uses spent."""
    if coupon.status == CouponStatus.disabled:
        return "disabled"
    if coupon.status == CouponStatus.expired or (coupon.end_date and today > coupon.end_date):
        return "expired"
    if coupon.start_date and today < coupon.start_date:
        return "not_started"
    if coupon.max_uses is not None and coupon.uses_count >= coupon.max_uses:
        return "used_up"
    return "active"


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def discount_for(coupon: Coupon, subtotal: Decimal, shipping: Decimal) -> Decimal:
    if coupon.discount_type == DiscountType.percentage:
        return percent_of(subtotal, coupon.discount_value)
    if coupon.discount_type == DiscountType.fixed:
        return min(coupon.discount_value, subtotal)
    return shipping


async def check_coupon(
    uow: UnitOfWork,
    coupon: Coupon | None,
    code: str,
    user_id: int,
    subtotal: Decimal,
    shipping: Decimal,
    today: date,
) -> CouponQuote:
    if coupon is None:
        raise CouponRejected(reason="unknown", code=code)
    if coupon.status == CouponStatus.disabled:
        raise CouponRejected(reason="disabled", code=code)
    if coupon.status == CouponStatus.expired or (coupon.end_date and today > coupon.end_date):
        raise CouponRejected(reason="expired", code=code, end_date=coupon.end_date)
    if coupon.start_date and today < coupon.start_date:
        raise CouponRejected(reason="not_started", code=code, start_date=coupon.start_date)
    if coupon.max_uses is not None and coupon.uses_count >= coupon.max_uses:
        raise CouponRejected(reason="used_up", code=code)
    used = await uow.session.scalar(
        select(func.count())
        .select_from(OrderCoupon)
        .where(
            OrderCoupon.coupon_id == coupon.coupon_id,
            OrderCoupon.user_id == user_id,
            OrderCoupon.released_at.is_(None),  # a use given back does not count
        )
    )
    if used:
        raise CouponRejected(reason="already_used", code=code)
    # last: the one refusal the customer can mend ("add $5.60 more"), never said of a code
    # that adding more would not make usable
    if coupon.min_order_amount is not None and subtotal < coupon.min_order_amount:
        raise CouponRejected(
            reason="below_minimum",
            code=code,
            minimum=coupon.min_order_amount,
            short_by=coupon.min_order_amount - subtotal,
        )
    return CouponQuote(
        coupon.coupon_id,
        coupon.code,
        coupon.discount_type,
        discount_for(coupon, subtotal, shipping),
    )


async def redeem(
    uow: UnitOfWork,
    code: str,
    user_id: int,
    order_id: int,
    subtotal: Decimal,
    shipping: Decimal,
    today: date,
) -> CouponQuote:
    """Inside checkout's transaction: lock the coupon, check it, count the use."""
    code = normalise_code(code)
    coupon = await uow.session.scalar(
        select(Coupon)
        .where(Coupon.code == code)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    quote = await check_coupon(uow, coupon, code, user_id, subtotal, shipping, today)
    assert coupon is not None
    coupon.uses_count += 1
    uow.session.add(
        OrderCoupon(
            order_id=order_id,
            coupon_id=coupon.coupon_id,
            user_id=user_id,
            discount_amount=quote.discount,
        )
    )
    try:
        await uow.session.flush()
    except IntegrityError:  # the same customer in two racing transactions
        raise CouponRejected(reason="already_used", code=code) from None
    audit(
        uow,
        "coupon",
        coupon.coupon_id,
        "update",
        by=user_id,
        old={"uses_count": coupon.uses_count - 1},
        new={"uses_count": coupon.uses_count, "order_id": order_id},
    )
    return quote


async def give_back(
    uow: UnitOfWork, order_id: int, *, by: int | None, why: str, now: datetime | None = None
) -> None:
    """Inside a cancellation's (or expiry's) transaction: the coupon the order used, if any,
    is given back: its use count goes down and the customer may use it again. The use row
    stays, released at `now` (the order still names its code); only the transaction that
    releases it counts the coupon down, so a second call gives back nothing. The order's
    lines keep their discount shares: it is what the order was."""
    coupon_id = await uow.session.scalar(
        select(OrderCoupon.coupon_id).where(
            OrderCoupon.order_id == order_id, OrderCoupon.released_at.is_(None)
        )
    )
    if coupon_id is None:
        return
    coupon = await uow.session.scalar(  # locked first, as `redeem` does
        select(Coupon)
        .where(Coupon.coupon_id == coupon_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert coupon is not None  # order_coupons.coupon_id is ON DELETE RESTRICT
    released = cast(
        CursorResult[Any],
        await uow.session.execute(
            update(OrderCoupon)
            .where(OrderCoupon.order_id == order_id, OrderCoupon.released_at.is_(None))
            .values(released_at=now or utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    if released.rowcount != 1:
        return
    coupon.uses_count -= 1
    audit(
        uow,
        "coupon",
        coupon.coupon_id,
        "update",
        by=by,
        old={"uses_count": coupon.uses_count + 1},
        new={"uses_count": coupon.uses_count, "order_id": order_id, "released": why},
    )


class Coupons:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    @operation("customer")
    async def quote(
        self, actor_id: int, code: str, subtotal: Decimal, shipping: Decimal = ZERO
    ) -> CouponQuote:
        """Would this code apply to an order of `subtotal`? The discount, or the reason not."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            code = normalise_code(code)
            coupon = await uow.session.scalar(select(Coupon).where(Coupon.code == code))
            return await check_coupon(
                uow, coupon, code, actor_id, money(subtotal), money(shipping), self.d.clock().date()
            )

    @operation("customer")
    async def apply(
        self,
        actor_id: int,
        code: str,
        subtotal: Decimal,
        shipping: Decimal = ZERO,
        *,
        applied: str | None = None,
    ) -> CouponChoice:
        """The coupon an order of `subtotal` and `shipping` takes when `code` is given, and
        the one it replaces: an order takes one coupon, so `applied` (the coupon given
        before, if another) is given up for it, with what it would have saved, to be said.
        A code that does not apply is `CouponRejected`, and `applied` stays as it was."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            today, subtotal, shipping = self.d.clock().date(), money(subtotal), money(shipping)
            code = normalise_code(code)
            coupon = await uow.session.scalar(select(Coupon).where(Coupon.code == code))
            quote = await check_coupon(uow, coupon, code, actor_id, subtotal, shipping, today)
            before = normalise_code(applied or "")
            if not before or before == quote.code:
                return CouponChoice(quote)
            old = await uow.session.scalar(select(Coupon).where(Coupon.code == before))
            try:
                had = await check_coupon(uow, old, before, actor_id, subtotal, shipping, today)
            except CouponRejected:
                return CouponChoice(quote, before, None)
            return CouponChoice(quote, had.code, had.discount)

    @operation("admin")
    async def create(
        self,
        actor_id: int,
        *,
        code: str,
        discount_type: DiscountType,
        value: Decimal | str = "0",
        min_order_amount: Decimal | str | None = None,
        max_uses: int | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
        description: str | None = None,
    ) -> CouponView:
        """Create a coupon (codes are case-insensitive: stored upper-case); a last day
        already past is refused (`InvalidInput(field="end_date", rule="past")`)."""
        code = normalise_code(code)
        if not _CODE.match(code):
            raise InvalidInput(field="code", rule="format")
        amount = money(value)
        if discount_type == DiscountType.percentage and amount > MAX_PERCENT:
            raise InvalidInput(field="value", rule="percent_max", max=MAX_PERCENT)
        if amount < 0:
            raise InvalidInput(field="value", rule="range")
        if discount_type != DiscountType.free_shipping and amount == 0:
            raise InvalidInput(field="value", rule="positive")
        if max_uses is not None and max_uses <= 0:
            raise InvalidInput(field="max_uses", rule="positive")
        if start_date and end_date and end_date < start_date:
            raise InvalidInput(field="end_date", rule="after_start")
        if end_date is not None and end_date < self.d.clock().date():
            raise InvalidInput(field="end_date", rule="past")
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            coupon = Coupon(
                code=code,
                discount_type=discount_type,
                discount_value=amount,
                min_order_amount=None if min_order_amount is None else money(min_order_amount),
                max_uses=max_uses,
                start_date=start_date,
                end_date=end_date,
                description=description,
                status=CouponStatus.active,
            )
            uow.session.add(coupon)
            try:
                await uow.session.flush()
            except IntegrityError:
                raise InvalidInput(field="code", rule="taken") from None
            audit(
                uow,
                "coupon",
                coupon.coupon_id,
                "create",
                by=actor_id,
                new={"code": code, "type": discount_type, "value": amount},
            )
            await uow.commit()
            return CouponView.of(coupon, self.d.clock().date())

    async def _set_status(self, actor_id: int, coupon_id: int, status: CouponStatus) -> CouponView:
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            coupon = await found(uow, Coupon, coupon_id, "coupon", with_for_update=True)
            old, coupon.status = coupon.status, status
            if old != status:
                audit(
                    uow,
                    "coupon",
                    coupon_id,
                    "status_change",
                    by=actor_id,
                    old={"status": old},
                    new={"status": status},
                )
            await uow.commit()
            return CouponView.of(coupon, self.d.clock().date())

    @operation("admin")
    async def update(
        self,
        actor_id: int,
        coupon_id: int,
        *,
        value: Decimal | str | None = None,
        max_uses: int | None = None,
        end_date: date | None = None,
    ) -> CouponView:
        """Change a coupon's value, its use limit (not below the uses so far) or its last day;
        None leaves a field as it is (orders already placed keep their discount). A new last
        day already past is refused (`InvalidInput(field="end_date", rule="past")`)."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            coupon = await found(uow, Coupon, coupon_id, "coupon", with_for_update=True)
            old = {
                "value": coupon.discount_value,
                "max_uses": coupon.max_uses,
                "end_date": _day(coupon.end_date),
            }
            if value is not None:
                amount = money(value)
                percentage = coupon.discount_type == DiscountType.percentage
                if percentage and amount > MAX_PERCENT:
                    raise InvalidInput(field="value", rule="percent_max", max=MAX_PERCENT)
                if amount <= 0:
                    raise InvalidInput(field="value", rule="range")
                if coupon.discount_type == DiscountType.free_shipping:
                    raise InvalidInput(field="value", rule="not_for_free_shipping")
                coupon.discount_value = amount
            if max_uses is not None:
                if max_uses <= 0 or max_uses < coupon.uses_count:
                    raise InvalidInput(field="max_uses", rule="below_uses", uses=coupon.uses_count)
                coupon.max_uses = max_uses
            if end_date is not None:
                if coupon.start_date is not None and end_date < coupon.start_date:
                    raise InvalidInput(field="end_date", rule="after_start")
                if end_date < self.d.clock().date():
                    raise InvalidInput(field="end_date", rule="past")
                coupon.end_date = end_date
            audit(
                uow,
                "coupon",
                coupon_id,
                "update",
                by=actor_id,
                old=old,
                new={
                    "value": coupon.discount_value,
                    "max_uses": coupon.max_uses,
                    "end_date": _day(coupon.end_date),
                },
            )
            await uow.commit()
            return CouponView.of(coupon, self.d.clock().date())

    @operation("admin")
    async def disable(self, actor_id: int, coupon_id: int) -> CouponView:
        """Stop a coupon from being used."""
        return await self._set_status(actor_id, coupon_id, CouponStatus.disabled)

    @operation("admin")
    async def enable(self, actor_id: int, coupon_id: int) -> CouponView:
        """Allow a disabled coupon again."""
        return await self._set_status(actor_id, coupon_id, CouponStatus.active)

    @operation("the bot (system)")
    async def codes(self) -> list[str]:
        """The codes of the coupons that can be used today: the words a customer may type or
        say for one ("save ten" is SAVE10). Whether a code applies to a cart is `quote`'s."""
        today = self.d.clock().date()
        async with self.d.read() as uow:
            rows = await uow.session.scalars(
                select(Coupon.code)
                .where(
                    Coupon.status == CouponStatus.active,
                    (Coupon.start_date.is_(None)) | (Coupon.start_date <= today),
                    (Coupon.end_date.is_(None)) | (Coupon.end_date >= today),
                )
                .order_by(Coupon.code)
            )
            return list(rows.all())

    @operation("admin")
    async def usage(self, actor_id: int) -> list[CouponView]:
        """Every coupon with its use count, newest first."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            rows = (
                await uow.session.scalars(select(Coupon).order_by(Coupon.coupon_id.desc()))
            ).all()
            today = self.d.clock().date()
            return [CouponView.of(c, today) for c in rows]

    @operation("scheduler")
    async def expire_due(self) -> int:
        """Mark active coupons past their end date as expired; returns how many."""
        today = self.d.clock().date()
        async with self.d.uow() as uow:
            rows = (
                await uow.session.scalars(
                    select(Coupon).where(
                        Coupon.status == CouponStatus.active, Coupon.end_date < today
                    )
                )
            ).all()
            for coupon in rows:
                coupon.status = CouponStatus.expired
                audit(
                    uow,
                    "coupon",
                    coupon.coupon_id,
                    "status_change",
                    by=None,
                    old={"status": "active"},
                    new={"status": "expired"},
                )
            await uow.commit()
            return len(rows)
