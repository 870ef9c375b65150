"""The admin console API: sellers waiting for approval, bank transfers waiting, stock
alerts, coupons, and the audit log. Every call is the engine's admin operation as the
caller, so anyone else gets 403 (`Forbidden(admin_only)`), as in the chat."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web
from babel.numbers import format_percent

from engine.backoffice import AuditEntry
from engine.coupons import CouponView
from engine.errors import InvalidInput
from engine.sellers import SellerView
from handlers.admin import audit as audit_words
from handlers.i18n import day, locale, price, t
from handlers.webapp import present
from handlers.webapp.api import amount, body, ident, text, whole
from handlers.webapp.auth import caller
from handlers.webapp.context import context
from storage.vocabulary import DiscountType

AUDIT_PAGE = 30


def seller(view: SellerView) -> dict[str, Any]:
    return {
        "seller_id": view.seller_id,
        "user_id": view.user_id,
        "store_name": view.store_name,
        "description": view.description,
        "status": view.status.value,
        "status_reason": view.status_reason,
    }


def coupon(view: CouponView, lang: str) -> dict[str, Any]:
    value = view.discount_value
    return {
        "id": view.coupon_id,
        "code": view.code,
        "type": view.discount_type.value,
        "value": str(value),
        "value_display": format_percent(
            value.normalize() / 100, locale=locale(lang), decimal_quantization=False
        )
        if view.discount_type == DiscountType.percentage
        else present.money("v", value, lang)["v_display"],
        "min_order": None if view.min_order_amount is None else str(view.min_order_amount),
        "min_order_display": None
        if view.min_order_amount is None
        else price(view.min_order_amount, lang=lang),
        "max_uses": view.max_uses,
        "uses": view.uses_count,
        "start_date": None if view.start_date is None else view.start_date.isoformat(),
        "end_date": None if view.end_date is None else view.end_date.isoformat(),
        "valid_from_display": None if view.start_date is None else day(view.start_date, lang),
        "valid_until_display": None if view.end_date is None else day(view.end_date, lang),
        "status": view.status.value,
        "standing": view.standing,
        "description": view.description,
    }


def who_display(lang: str, e: AuditEntry, role: str | None) -> str:
    """Who made an audited change, and in which capacity on that row, as the chat's /audit
    says it: "Maya (customer)" on her own order, "Maya (seller)" on her parcel."""
    if e.by_name is None or role is None:
        return t(lang, "app.admin.audit.who_shop")
    return t(lang, "app.admin.audit.who", name=e.by_name, role=role)


def entry(e: AuditEntry, lang: str) -> dict[str, Any]:
    """One audit row: as kept (`old`, `new`), and in the words of the chat's /audit
    (handlers/admin/audit.py): what it is about, what happened, each change's phrase."""
    said = audit_words.words(lang, e)
    return {
        "id": e.audit_id,
        "entity": e.entity_type,
        "entity_id": e.entity_id,
        "action": e.action,
        "what_display": said.what,
        "action_display": said.action,
        "old": e.old,
        "new": e.new,
        "by": e.changed_by,
        "who_display": who_display(lang, e, said.role),
        "changes": [
            {
                "field": c.field,
                "field_display": audit_words.field_words(lang, c.field),
                "before": c.before,
                "after": c.after,
                "display": display,
            }
            for c, display in zip(e.changes, said.every_change, strict=True)
        ],
        **present.when("at", e.at, lang),
    }


def _day(value: Any, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(field=name, rule="format") from None


async def pending_sellers(request: web.Request) -> web.Response:
    found = await context(request).shop.sellers.pending(caller(request).id)
    return web.json_response([seller(s) for s in found])


async def approve_seller(request: web.Request) -> web.Response:
    view = await context(request).shop.sellers.approve(caller(request).id, ident(request))
    return web.json_response(seller(view))


async def reject_seller(request: web.Request) -> web.Response:
    reason = text((await body(request)).get("reason"), "reason", required=True) or ""
    view = await context(request).shop.sellers.reject(caller(request).id, ident(request), reason)
    return web.json_response(seller(view))


async def transfers(request: web.Request) -> web.Response:
    who = caller(request)
    found = await context(request).shop.backoffice.waiting_transfers(who.id)
    return web.json_response(
        [
            {
                "order_id": w.order_id,
                **present.money("amount", w.amount, who.lang, w.currency),
                "reference": w.reference,
                "customer": w.customer,
                **present.when("placed_at", w.placed_at, who.lang),
                "hours": int(w.age / timedelta(hours=1)),
            }
            for w in found
        ]
    )


async def confirm_transfer(request: web.Request) -> web.Response:
    who = caller(request)
    data = await body(request)
    # tapped on the list of transfers waiting: an order paid or expired since is left alone
    order = await context(request).shop.orders.confirm_bank_transfer(
        who.id, ident(request, "order_id"), amount(data.get("amount"), "amount"), waiting=True
    )
    return web.json_response(present.order(order, who.lang))


async def stock(request: web.Request) -> web.Response:
    who = caller(request)
    found = await context(request).shop.backoffice.inventory_watch(who.id)
    return web.json_response(
        [
            {
                "product_id": a.product_id,
                "name": a.name,
                "store_name": a.store_name,
                "kind": a.kind,
                "stock": a.stock,
                "change": a.change,
                "reason": a.reason,
                **present.when("at", a.at, who.lang),
            }
            for a in found
        ]
    )


async def coupons(request: web.Request) -> web.Response:
    who = caller(request)
    found = await context(request).shop.coupons.usage(who.id)
    return web.json_response([coupon(c, who.lang) for c in found])


async def create_coupon(request: web.Request) -> web.Response:
    who = caller(request)
    data = await body(request)
    try:
        kind = DiscountType(str(data.get("type")))
    except ValueError:
        raise InvalidInput(field="type", rule="unknown") from None
    value = amount(data.get("value"), "value")
    minimum = amount(data.get("min_order"), "min_order")
    view = await context(request).shop.coupons.create(
        who.id,
        code=text(data.get("code"), "code", required=True) or "",
        discount_type=kind,
        value=value if value is not None else "0",
        min_order_amount=minimum,
        max_uses=whole(data["max_uses"], "max_uses") if data.get("max_uses") else None,
        start_date=_day(data.get("start_date"), "start_date"),
        end_date=_day(data.get("end_date"), "end_date"),
        description=text(data.get("description"), "description"),
    )
    return web.json_response(coupon(view, who.lang), status=201)


async def switch_coupon(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    coupon_id = ident(request)
    if request.match_info["switch"] == "disable":
        view = await shop.coupons.disable(who.id, coupon_id)
    else:
        view = await shop.coupons.enable(who.id, coupon_id)
    return web.json_response(coupon(view, who.lang))


async def audit(request: web.Request) -> web.Response:
    """The audit trail by entity, user and days (from, to: both included)."""
    who, q = caller(request), request.query
    page = max(1, whole(q.get("page"), "page", 1))
    since, until = _day(q.get("date_from"), "date_from"), _day(q.get("date_to"), "date_to")
    office = context(request).shop.backoffice
    # the user as the chat's /user takes them: @username, Telegram id, or #<shop user id>
    user = (await office.find_user(who.id, q["user"])).user_id if q.get("user") else None
    found = await office.audit_search(
        who.id,
        entity_type=q.get("entity") or None,
        entity_id=whole(q["entity_id"], "entity_id") if q.get("entity_id") else None,
        changed_by=user,
        since=None if since is None else datetime.combine(since, time.min),
        until=None if until is None else datetime.combine(until + timedelta(days=1), time.min),
        limit=AUDIT_PAGE + 1,
        offset=(page - 1) * AUDIT_PAGE,
    )
    return web.json_response(
        {
            "items": [entry(e, who.lang) for e in found[:AUDIT_PAGE]],
            "page": page,
            "has_next": len(found) > AUDIT_PAGE,
        },
        dumps=present.dumps,
    )


def routes() -> list[web.RouteDef]:
    return [
        web.get("/api/admin/sellers/pending", pending_sellers),
        web.post("/api/admin/sellers/{id}/approve", approve_seller),
        web.post("/api/admin/sellers/{id}/reject", reject_seller),
        web.get("/api/admin/transfers", transfers),
        web.post("/api/admin/transfers/{order_id}/confirm", confirm_transfer),
        web.get("/api/admin/stock", stock),
        web.get("/api/admin/coupons", coupons),
        web.post("/api/admin/coupons", create_coupon),
        web.post("/api/admin/coupons/{id}/{switch:disable|enable}", switch_coupon),
        web.get("/api/admin/audit", audit),
    ]
