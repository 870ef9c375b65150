"""The Orders service: every operation on orders, who may call it, and its transaction. The
steps they are made of live in the modules named for them (checkout, payments, refunds,
expiry, views)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from engine.base import Deps, ProviderCharge, actor, admin, notify, operation
from engine.cart import cart_rows
from engine.errors import (
    CartEmpty,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotYourOrder,
    OrderActNotAllowed,
    Outdated,
)
from engine.machines import ORDER_FLOW, ORDER_PAYMENT_FLOW
from engine.order_actions import ON_ITS_WAY, OrderAct
from engine.orders import checkout, expiry, payments, refunds
from engine.orders.fetch import (
    MAX_ID,
    newest_order_ids,
    order_for,
    own_order,
    shipments_of,
    tell_sellers,
)
from engine.orders.refunds import REFUND_GRACE, REFUND_STALE
from engine.orders.views import (
    OrderView,
    PaymentTaken,
    QuoteView,
    RefundView,
    order_view,
)
from engine.reconcile import extra_payment_ids
from engine.transitions import E
from storage.models import Order
from storage.vocabulary import (
    InventoryReference,
    OrderPaymentStatus,
    OrderStatus,
    PaymentMethod,
    ShipmentStatus,
    money,
)

CHOICE_WINDOW = 30  # a request without an order id chooses among this many newest orders


class Orders:
    def __init__(self, deps: Deps, payment_methods: frozenset[PaymentMethod] | None = None) -> None:
        self.d = deps
        self.payment_methods = payment_methods or frozenset(
            {PaymentMethod.card, PaymentMethod.cod, PaymentMethod.bank_transfer}
        )

    # --- checkout (checkout.py) ------------------------------------------------------------
    @operation("customer (own cart)")
    async def place_order(
        self,
        actor_id: int,
        *,
        address_id: int,
        provider_id: int,
        payment_method: PaymentMethod,
        checkout_key: str,
        coupon_code: str | None = None,
        seen: str | None = None,
    ) -> OrderView:
        """Turn the cart into an order. The same checkout_key returns the same order.

        `seen`: the version of the summary the customer confirmed (`QuoteView.version`,
        with this address and method); when the cart, its prices, the provider, the coupon,
        the address or the method read otherwise now, nothing is placed (`Outdated`)."""
        if not checkout_key or len(checkout_key) > 64:
            raise InvalidInput(field="checkout_key", rule="length", max=64)
        if payment_method not in self.payment_methods:
            raise InvalidInput(
                field="payment_method", rule="not_offered", method=payment_method.value
            )
        try:
            return await checkout.place(
                self.d,
                actor_id,
                address_id,
                provider_id,
                payment_method,
                checkout_key,
                coupon_code,
                seen,
            )
        except IntegrityError:
            # a racing twin with the same checkout_key committed first
            async with self.d.read() as uow:
                existing = await checkout.placed_order(uow, actor_id, checkout_key)
                if existing is None:
                    raise
                return existing

    @operation("customer (own checkouts)")
    async def placed(self, actor_id: int, checkout_key: str) -> OrderView | None:
        """The order a checkout placed (by its key), or None while it has placed none: what
        "Place order" shows when tapped again."""
        if not checkout_key or len(checkout_key) > 64:
            return None
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            return await checkout.placed_order(uow, actor_id, checkout_key)

    @operation("customer (own cart)")
    async def quote(
        self, actor_id: int, provider_id: int, coupon_code: str | None = None
    ) -> QuoteView:
        """What the cart comes to with this provider and coupon: the lines, subtotal,
        shipping, discount and total that placing the order would charge (CouponRejected
        when the coupon does not apply). Nothing is taken or redeemed."""
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            provider = await checkout.chosen_provider(uow, provider_id)
            _, rows = await cart_rows(uow, actor_id)
            if not rows:
                raise CartEmpty()
            today = self.d.clock().date()
            return await checkout.quote_of(
                uow, rows, provider, coupon_code, actor_id, today, self.d
            )

    # --- reading (views.py) ----------------------------------------------------------------
    @operation("customer (own orders), admin")
    async def get(self, actor_id: int, order_id: int) -> OrderView:
        """One order with its lines and shipments."""
        async with self.d.read() as uow:
            await own_order(uow, actor_id, order_id, lock=False)
            return await order_view(
                uow, order_id, now=self.d.clock(), return_window=self.d.rules.return_window
            )

    @operation("customer (own orders)")
    async def history(self, actor_id: int, limit: int = 20) -> list[OrderView]:
        """The customer's orders, newest first, each as of now (one past its payment deadline
        is expired, even before the sweep records it)."""
        now = self.d.clock()
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            ids = await newest_order_ids(uow, actor_id, min(max(limit, 1), 100))
            return [await order_view(uow, i, now=now) for i in ids]

    @operation("customer (own orders)")
    async def choose(
        self,
        actor_id: int,
        act: OrderAct,
        order_id: int | None = None,
        *,
        hint: int | None = None,
        holding: Collection[int] = (),
    ) -> list[OrderView]:
        """The orders a request ("cancel my order 16", "where is my order") may mean, newest
        first. A named order must be the customer's (`NotYourOrder` otherwise, by number) and
        able to take the request (`OrderActNotAllowed`). Without one: the `hint` (the order the
        chat showed last) when it can take the request, else every recent order that can; to
        track, the orders on their way, or else the newest order. `holding`: products the
        request named ("cancel the kettles"): only orders with one of them, none if none has."""
        now, window = self.d.clock(), self.d.rules.return_window
        async with self.d.read() as uow:
            await actor(uow, actor_id)
            if order_id is not None:
                order = await uow.session.get(Order, order_id) if 0 < order_id <= MAX_ID else None
                if order is None or order.user_id != actor_id:
                    raise NotYourOrder(order_id=order_id)
                view = await order_view(uow, order_id, now=now, return_window=window)
                if act not in view.acts:
                    raise OrderActNotAllowed(
                        order_id=order_id, act=act.value, status=view.status.value
                    )
                return [view]
            ids = await newest_order_ids(uow, actor_id, CHOICE_WINDOW)
            views = [await order_view(uow, i, now=now, return_window=window) for i in ids]
        if holding:
            views = [v for v in views if any(line.product_id in holding for line in v.lines)]
        able = [v for v in views if act in v.acts]
        if act == OrderAct.track:
            able = [v for v in views if v.status in ON_ITS_WAY] or views[:1]
        hinted = [v for v in able if v.order_id == hint]
        return hinted or able

    # --- payments (payments.py) ------------------------------------------------------------
    @operation("the paying customer")
    async def begin_card_payment(
        self,
        actor_id: int,
        order_id: int,
        *,
        amount: Decimal,
        currency: str,
        tag: str | None = None,
    ) -> OrderView:
        """Pre-checkout: may this payment sheet be charged? Only for a pending order not past
        its deadline, for its exact amount, and while no other sheet for it is in flight; the
        order's pending payment is then marked in flight for a minute. `tag`: the invoice
        payload's, which must be this order's."""
        now = self.d.clock()
        async with self.d.uow() as uow:
            order = await own_order(uow, actor_id, order_id)
            payments.check_sheet(order, now, amount=amount, currency=currency, tag=tag)
            await payments.hold_for_sheet(uow, order, now, by=actor_id)
            view = await order_view(uow, order_id)
            await uow.commit()  # the view read in the same transaction
            return view

    @operation("the paying customer; admin (bank transfers)")
    async def confirm_payment(
        self,
        actor_id: int | None,
        order_id: int,
        *,
        provider: str,
        transaction_ref: str,
        amount: Decimal,
        telegram_charge_id: str | None = None,
    ) -> OrderView:
        """A provider says the order is paid. Reported twice, it counts once; the same
        reference with another amount is refused (PaymentMismatch). A payment the order can
        no longer take (paid already, cancelled, expired) is recorded and refunded."""
        taken = await self.take_payment(
            actor_id,
            order_id,
            provider=provider,
            transaction_ref=transaction_ref,
            amount=amount,
            telegram_charge_id=telegram_charge_id,
        )
        return taken.order

    @operation("the paying customer; admin (bank transfers)")
    async def take_payment(
        self,
        actor_id: int | None,
        order_id: int,
        *,
        provider: str,
        transaction_ref: str,
        amount: Decimal,
        currency: str | None = None,
        telegram_charge_id: str | None = None,
    ) -> PaymentTaken:
        """`confirm_payment`, saying whether the payment was kept or, because the order could
        not take it, recorded and sent back (the customer and the admins are told why)."""
        return await self._take(
            actor_id,
            order_id,
            provider=provider,
            transaction_ref=transaction_ref,
            amount=amount,
            currency=currency,
            telegram_charge_id=telegram_charge_id,
            adopted=False,
        )

    @operation("system (the reconciliation job)")
    async def adopt_charge(self, order_id: int, charge: ProviderCharge) -> PaymentTaken:
        """A charge the provider holds for the order and we never recorded: it becomes the
        order's payment if the order can still take it (pending, same amount), otherwise it
        is recorded and refunded. Audited, and the admins are told."""
        return await self._take(
            None,
            order_id,
            provider=charge.provider,
            transaction_ref=charge.transaction_ref,
            amount=charge.amount,
            currency=charge.currency,
            telegram_charge_id=None,
            adopted=True,
        )

    async def _take(
        self,
        actor_id: int | None,
        order_id: int,
        *,
        provider: str,
        transaction_ref: str,
        amount: Decimal,
        currency: str | None,
        telegram_charge_id: str | None,
        adopted: bool,
    ) -> PaymentTaken:
        amount = money(amount)
        if not transaction_ref:
            raise InvalidInput(field="transaction_ref", rule="required")
        async with self.d.uow() as uow:
            order = await order_for(uow, actor_id, order_id)
            seen = await payments.payment_by_ref(uow, order_id, provider, transaction_ref, amount)
            if seen is not None and seen.status in payments.ARRIVED:
                kept = seen.payment_id not in await extra_payment_ids(uow, order_id)
                return PaymentTaken(await order_view(uow, order_id), kept)  # counted already
            refund_id = await payments.take_charge(
                uow,
                order,
                seen,
                provider=provider,
                transaction_ref=transaction_ref,
                amount=amount,
                currency=currency,
                telegram_charge_id=telegram_charge_id,
                by=actor_id,
                adopted=adopted,
            )
            if adopted:
                await payments.record_adoption(
                    uow, order, provider, transaction_ref, amount, refund_id
                )
            view = await order_view(uow, order_id)
            await uow.commit()  # the view read in the same transaction
        if refund_id is not None:
            await refunds.settle_refund(self.d, refund_id)
        return PaymentTaken(view, kept=refund_id is None)

    @operation("the paying customer, or the system")
    async def fail_payment(
        self,
        actor_id: int | None,
        order_id: int,
        *,
        provider: str,
        reason: str,
    ) -> OrderView:
        """A payment attempt failed: recorded and audited; the order may be paid again."""
        async with self.d.uow() as uow:
            order = await order_for(uow, actor_id, order_id)
            payment = await payments.payment_attempt(uow, order, provider)
            payment.in_flight_until = None
            payments.fail(uow, payment, reason, by=actor_id)
            if order.payment_status == OrderPaymentStatus.pending:
                ORDER_PAYMENT_FLOW.move(uow, order, E.fail, by=actor_id)
            notify(uow, order.user_id, "payment_failed", order_id=order_id, reason=reason)
            view = await order_view(uow, order_id)
            await uow.commit()  # the view read in the same transaction
            return view

    @operation("admin")
    async def confirm_bank_transfer(
        self,
        actor_id: int,
        order_id: int,
        amount: Decimal | None = None,
        *,
        waiting: bool = False,
    ) -> OrderView:
        """An admin saw the money arrive with the order's bank reference (`amount`: what
        arrived; by default the order's total). `waiting`: the admin's screen listed the
        order as still waiting for its transfer; an order paid, expired or cancelled since is
        not touched on that tap (Outdated)."""
        async with self.d.read() as uow:
            await admin(uow, actor_id)
            order = await uow.session.get(Order, order_id)
            if order is None or order.payment_method != PaymentMethod.bank_transfer:
                raise NotFound(entity="bank_transfer_order", id=order_id)
            if waiting and (
                order.order_status != OrderStatus.pending
                or order.payment_status != OrderPaymentStatus.pending
            ):
                raise Outdated(entity="order", id=order_id)
            reference = order.bank_reference or ""
            received = order.total_amount if amount is None else amount
        return await self.confirm_payment(
            actor_id,
            order_id,
            provider="bank_transfer",
            transaction_ref=reference,
            amount=received,
        )

    # --- cancelling and refunding (refunds.py) ---------------------------------------------
    @operation("customer (own orders, before shipment), admin")
    async def cancel(
        self,
        actor_id: int,
        order_id: int,
        reason: str = "",
        *,
        seen: OrderPaymentStatus | None = None,
    ) -> OrderView:
        """Cancel before anything shipped: stock goes back, what was paid is refunded.
        `seen`: the payment status the customer's question showed (what it said goes back);
        an order paid or refunded since is not cancelled on that answer (Outdated)."""
        async with self.d.uow() as uow:
            order = await own_order(uow, actor_id, order_id)
            shipments = await shipments_of(uow, order_id)
            if any(s.status != ShipmentStatus.pending for s in shipments):
                raise IllegalTransition(machine="order", status="shipped", event=E.cancel.value)
            ORDER_FLOW.move(  # IllegalTransition first: a cancelled order says so
                uow, order, E.cancel, by=actor_id, extra={"reason": reason} if reason else None
            )
            if seen is not None and order.payment_status != seen:
                raise Outdated(entity="order", id=order_id)  # rolls the move back
            refund_ids = await refunds.unwind_order(
                uow,
                order,
                shipments,
                by=actor_id,
                reference=InventoryReference.cancellation,
                reason=reason or "cancelled",
            )
            # who cancelled: what the notices say when no reason was given
            by = "customer" if actor_id == order.user_id else "team"
            notify(  # a customer who cancelled is answered in the chat (in_chat: e-mail only)
                uow,
                order.user_id,
                "order_cancelled",
                order_id=order_id,
                reason=reason,
                by=by,
                in_chat=actor_id == order.user_id,
            )
            await tell_sellers(uow, order_id, "order_cancelled", reason=reason, by=by)
            await uow.commit()
        await self.settle_refunds(refund_ids)
        async with self.d.read() as uow:
            return await order_view(uow, order_id)

    @operation("system (after a refund decision); admin (retry)")
    async def settle_refunds(self, refund_ids: list[int]) -> list[RefundView]:
        """Ask each refund's provider for the money back and record the outcome."""
        return [await refunds.settle_refund(self.d, refund_id) for refund_id in refund_ids]

    @operation("admin")
    async def retry_refund(self, actor_id: int, refund_id: int) -> RefundView:
        """Ask the provider again for a refund that failed."""
        async with self.d.uow() as uow:
            await admin(uow, actor_id)
            await refunds.reopen_refund(uow, refund_id, by=actor_id)
            await uow.commit()
        return await refunds.settle_refund(self.d, refund_id)

    @operation("scheduler")
    async def resettle_stuck_refunds(
        self, grace: timedelta = REFUND_GRACE, stale: timedelta = REFUND_STALE
    ) -> list[RefundView]:
        """Settle the refunds a crash left behind: decided but pending for longer than
        `grace`, or taken but processing for longer than `stale` (the provider may have been
        asked already: the refund's key makes asking again return the same refund)."""
        now = self.d.clock()
        async with self.d.read() as uow:
            stuck = await refunds.stuck_refunds(uow, now, grace, stale)
        return [await refunds.settle_refund(self.d, i, stale=stale) for i in stuck]

    # --- expiry (expiry.py) ----------------------------------------------------------------
    @operation("scheduler")
    async def expire_unpaid(self) -> list[int]:
        """Cancel unpaid orders past their deadline and give their stock back."""
        now = self.d.clock()
        async with self.d.read() as uow:
            due = await expiry.overdue_orders(uow, now)
        expired = []
        for order_id in due:
            async with self.d.uow() as uow:
                if await expiry.expire(uow, order_id, now):
                    await uow.commit()
                    expired.append(order_id)
        return expired
