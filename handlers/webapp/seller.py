"""The seller's console API: the orders board, products and their photos, import, sales.

Every call is the engine's seller operation as the caller, so a customer gets 403 (the
engine's `Forbidden(seller_only)`) and another store's parcel or product is 404, exactly as
in the chat. What a parcel or a return may do next comes from the engine (`steps`,
`decisions`); a step the card no longer offers changes nothing and says so (409).
"""

from __future__ import annotations

from typing import Any

from aiohttp import BodyPartReader, web

from engine.errors import InvalidInput
from engine.fulfilment import ParcelCard, Queue, ReturnCard, Step
from engine.imports import ImportReport
from engine.transitions import E
from handlers.i18n import day, number, price, t
from handlers.render import state_key
from handlers.seller.cb import BUTTON_OF_DECISION
from handlers.seller.imports import problem_text
from handlers.seller.keyboards import step_label
from handlers.seller.orders import parcel_text, rejected_said, return_text, step_said
from handlers.webapp import present
from handlers.webapp.api import amount, body, ident, plain, text, whole
from handlers.webapp.auth import caller
from handlers.webapp.context import context
from handlers.webapp.media import save_upload

BOARD = (Queue.to_confirm, Queue.to_ship, Queue.shipped)
BOARD_SIZE = 20
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a photo or an import file (engine.imports.MAX_BYTES)
EDITABLE = ("name", "description", "price", "discount_price", "category_id", "sku")


def address_display(card: ParcelCard) -> str:
    """Where the parcel goes, one part a line: the recipient, then the pickup point they
    collect it from, or their street, city, postal code and country; their phone last."""
    a = card.address
    if a.get("pickup"):  # collected at a pickup point: the home address is not where it goes
        parts = [a.get("recipient"), a.get("pickup")]
    else:
        city = ", ".join(p for p in (a.get("city"), a.get("state")) if p)
        parts = [a.get("recipient"), a.get("street"), city, a.get("postal_code"), a.get("country")]
    if a.get("phone"):
        parts.append(f"☎ {a['phone']}")
    return "\n".join(p for p in parts if p)


def parcel(card: ParcelCard, lang: str) -> dict[str, Any]:
    return {
        "shipment_id": card.shipment_id,
        "order_id": card.order_id,
        "status": card.status.value,
        "order_status": card.order_status.value,
        "payment_method": card.payment_method.value,
        "customer": card.customer,
        "provider": card.provider,
        "provider_display": card.provider or None,
        "address_display": address_display(card) or None,
        "tracking_number": card.tracking_number,
        # whether Ship asks a number: required, optional (a pickup point's), unused
        "tracking": card.tracking.value,
        "milestones": [m.value for m in card.milestones],
        "pickup_address": card.pickup_address,
        # the last milestone in words (a pickup point's: ready for collection, collected)
        "milestone_display": _milestone_display(card, lang),
        **present.money("amount", card.amount, lang, card.currency),
        **present.when("created_at", card.created_at, lang),
        "lines": [{"name": line.name, "quantity": line.quantity} for line in card.lines],
        "text": plain(parcel_text(lang, card)),
        "steps": [{"step": s.value, "label": step_label(lang, card, s)} for s in card.steps],
    }


def _milestone_display(card: ParcelCard, lang: str) -> str:
    """The card's state as the board's badge says it: its last milestone (for a pickup
    point's parcel, "Ready for collection" and "Collected"), or new."""
    last = card.last_milestone
    return t(lang, state_key("app.milestone", last.value if last else "none", card.pickup_address))


def return_card(card: ReturnCard, lang: str) -> dict[str, Any]:
    ret = card.ret
    return {
        "return_id": ret.return_id,
        "order_id": ret.order_id,
        "status": ret.status.value,
        "reason": ret.reason,
        **present.money("refund_amount", ret.refund_amount, lang),
        "lines": [{"name": n, "quantity": q} for n, q in card.lines],
        "text": plain(return_text(lang, card)),
        "decisions": [
            {
                "accept": e == E.approve,
                "label": t(lang, f"seller.return.{BUTTON_OF_DECISION[e].name}"),
            }
            for e in card.decisions
        ],
    }


async def board(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    queues: dict[str, Any] = {}
    counts: dict[Queue, int] = {}
    for queue in BOARD:
        page = await shop.fulfilment.queue(who.id, queue, 1, BOARD_SIZE)
        counts = page.counts
        queues[queue.value] = [parcel(c, who.lang) for c in page.cards]
    returns = await shop.fulfilment.waiting_returns(who.id, 1, BOARD_SIZE)
    queues[Queue.returns.value] = [return_card(c, who.lang) for c in returns.cards]
    return web.json_response(
        {
            "queues": queues,
            "counts": {q.value: counts.get(q, 0) for q in Queue},
            "names": {q.value: t(who.lang, f"seller.orders.name.{q.value}") for q in Queue},
        }
    )


async def act(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    data = await body(request)
    try:
        step = Step(str(data.get("step")))
    except ValueError:
        raise InvalidInput(field="step", rule="unknown") from None
    tracking = (text(data.get("tracking_number"), "tracking_number") or "")[:100]
    shipment_id = ident(request)
    if step == Step.reject:  # refusing the order needs the reason the customer reads
        reason = text(data.get("reason"), "reason", required=True) or ""
        done = await shop.fulfilment.reject(who.id, shipment_id, reason[:500])
    else:
        done = await shop.fulfilment.act(who.id, shipment_id, step, tracking or None)
    order_id = done.card.order_id
    if not done.changed:
        said = t(who.lang, "seller.said.moved_on", order_id=order_id)
    elif step == Step.ship and done.card.tracking_number:
        number = done.card.tracking_number
        said = t(who.lang, "seller.said.shipped", order_id=order_id, tracking=number)
    elif step == Step.ship:  # a pickup point's parcel, gone without a number
        place = done.card.pickup_address or "—"
        said = t(who.lang, "seller.said.shipped_to_pickup", order_id=order_id, place=place)
    elif step == Step.reject:  # refunded only when the engine says money went back
        said = rejected_said(who.lang, done)
    else:  # as the chat's card says it (a pickup point's: ready for collection, collected)
        said = step_said(who.lang, done, step)
    shown = {
        "changed": done.changed,
        "message": plain(said),
        "card": parcel(done.card, who.lang),
    }
    if not done.changed:
        return web.json_response({"error": "outdated", **shown}, status=409)
    return web.json_response(shown)


async def decide(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    data = await body(request)
    if not isinstance(data.get("accept"), bool):
        raise InvalidInput(field="accept", rule="required")
    decision = E.approve if data["accept"] else E.reject
    card, changed = await shop.fulfilment.decide_return(
        who.id, ident(request), decision, text(data.get("reason"), "reason") or ""
    )
    shown = {"changed": changed, "card": return_card(card, who.lang)}
    if not changed:
        message = t(who.lang, "seller.return.said.unchanged", return_id=card.ret.return_id)
        return web.json_response(
            {"error": "outdated", "message": plain(message), **shown}, status=409
        )
    return web.json_response(shown)


# --- products --------------------------------------------------------------------------------
async def my_products(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    cards = await shop.catalog.my_products(who.id)
    extras = await shop.catalog.showcase([c.product_id for c in cards][:50])
    return web.json_response(
        [
            present.card(c, who.lang, extras.get(c.product_id))
            | {
                "status": c.status.value,
                "status_display": t(who.lang, f"product.status.{c.status.value}"),
            }
            for c in cards
        ]
    )


async def _mine(request: web.Request, product_id: int) -> web.Response:
    who, shop = caller(request), context(request).shop
    detail = await shop.listings.mine(who.id, product_id)
    shown = present.product(detail, who.lang, in_wishlist=False)
    shown["regular_price"] = str(detail.card.price)
    shown["discount_price"] = (
        None if detail.card.discount_price is None else str(detail.card.discount_price)
    )
    return web.json_response(shown)


async def product(request: web.Request) -> web.Response:
    return await _mine(request, ident(request))


def _changes(data: dict[str, Any]) -> dict[str, Any]:
    """The fields a product form sent, as the engine takes them (prices as exact text)."""
    changes: dict[str, Any] = {}
    for name in EDITABLE:
        if name not in data:
            continue
        value = data[name]
        if name in ("price", "discount_price"):
            found = amount(value, name)
            changes[name] = None if found is None else str(found)
        elif name == "category_id":
            changes[name] = whole(value, name)
        else:
            changes[name] = text(value, name)
    return changes


async def create_product(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    data = await body(request)
    changes = _changes(data)
    detail = await shop.catalog.create_product(
        who.id,
        category_id=whole(data.get("category_id"), "category_id"),
        name=changes.get("name") or "",
        price=changes.get("price") or "",
        stock=whole(data.get("stock"), "stock", 0),
        discount_price=changes.get("discount_price"),
        sku=changes.get("sku"),
        description=changes.get("description"),
    )
    response = await _mine(request, detail.card.product_id)
    response.set_status(201)
    return response


async def update_product(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    product_id = ident(request)
    changes = _changes(await body(request))
    if changes:
        await shop.catalog.update_product(who.id, product_id, **changes)
    return await _mine(request, product_id)


async def listed(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    data = await body(request)
    if not isinstance(data.get("listed"), bool):
        raise InvalidInput(field="listed", rule="required")
    product_id = ident(request)
    await shop.catalog.set_listed(who.id, product_id, data["listed"])
    return await _mine(request, product_id)


async def stock(request: web.Request) -> web.Response:
    """A change of stock with its reason (`{change: -2, reason: "damaged"}`), through the
    inventory ledger and audited, as the chat's "± Adjust stock" (`Inventory.adjust`)."""
    who, shop = caller(request), context(request).shop
    data = await body(request)
    product_id = ident(request)
    change = whole(data.get("change"), "change")
    reason = text(data.get("reason"), "reason", required=True) or ""
    await shop.inventory.adjust(who.id, product_id, change, reason[:500])
    return await _mine(request, product_id)


async def add_photos(request: web.Request) -> web.Response:
    """One or several photos from the device (multipart), saved under MEDIA_DIR and added
    to the product's gallery in the order sent."""
    app, who = context(request), caller(request)
    product_id = ident(request)
    await app.shop.listings.mine(who.id, product_id)  # another store's: 404 before any file
    added = 0
    for _, data in await _files(request, "photo"):
        relative = save_upload(app.config.media_dir, data)
        await app.shop.catalog.add_image(who.id, product_id, url=relative)
        added += 1
    if not added:
        raise InvalidInput(field="photo", rule="required")
    return await _mine(request, product_id)


async def photo_first(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    product_id = ident(request)
    await shop.listings.photo_first(who.id, product_id, ident(request, "image_id"))
    return await _mine(request, product_id)


async def remove_photo(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    product_id = ident(request)
    await shop.listings.remove_photo(who.id, product_id, ident(request, "image_id"))
    return await _mine(request, product_id)


async def _files(request: web.Request, field: str) -> list[tuple[str, bytes]]:
    """The files of a multipart form, (name, bytes) in the order sent."""
    if not request.content_type.startswith("multipart/"):
        raise InvalidInput(field=field, rule="required")
    found = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if isinstance(part, BodyPartReader) and part.filename:
            data = bytearray()
            while chunk := await part.read_chunk():
                data += chunk
                if len(data) > MAX_UPLOAD_BYTES:  # refused before it fills the memory
                    raise InvalidInput(field=field, rule="size", max=MAX_UPLOAD_BYTES)
            found.append((part.filename, bytes(data)))
    return found


# --- import and sales ------------------------------------------------------------------------
def report(found: ImportReport, lang: str) -> dict[str, Any]:
    """The engine's report: its counts (rows, new, updated, distinct rows refused, as the
    chat's report says them) and the rows, each refused row with its problems."""
    return {
        "rows": found.rows,
        "new": len(found.created),
        "updated": len(found.updated),
        "refused_rows": found.refused_rows,
        "ok": found.ok,
        "committed": found.committed,
        "created": [{"line": line, "sku": sku} for line, sku in found.created],
        "updated_lines": [{"line": line, "sku": sku} for line, sku in found.updated],
        "refused": [
            {
                "line": p.line,
                "field": p.field,
                "rule": p.rule,
                "value": p.value,
                "message": plain(problem_text(lang, p)),
            }
            for p in found.refused
        ],
    }


async def import_file(request: web.Request) -> web.Response:
    """A CSV or XLSX file (multipart, field `file`): `?dry_run=1` only checks it."""
    who, shop = caller(request), context(request).shop
    sent = await _files(request, "file")
    filename, data = sent[0] if sent else ("", b"")
    if not data:
        raise InvalidInput(field="file", rule="required")
    if request.query.get("dry_run") in ("1", "true"):
        found = await shop.imports.check(who.id, data, filename)
    else:
        found = await shop.imports.run(who.id, data, filename)
    return web.json_response(report(found, who.lang))


async def sales(request: web.Request) -> web.Response:
    who, shop = caller(request), context(request).shop
    days = whole(request.query.get("days"), "days", 30)
    found = await shop.backoffice.store_sales(who.id, days)
    cur = found.currency
    return web.json_response(
        {
            "store_name": found.store_name,
            "days": found.days,
            "first_day": found.first_day.isoformat(),
            "last_day": found.last_day.isoformat(),
            "by_day": [
                {
                    "day": d.day.isoformat(),
                    "day_display": day(d.day, who.lang, skeleton="MMMd"),  # the chart's labels
                    **present.money("revenue", d.revenue, who.lang, cur),
                    "orders": d.orders,
                }
                for d in found.by_day
            ],
            "top_products": [
                {
                    "product_id": p.product_id,
                    "name": p.name,
                    "units": p.units,
                    **present.money("revenue", p.revenue, who.lang, cur),
                }
                for p in found.top_products
            ],
            **present.money("gross", found.gross, who.lang, cur),
            **present.money("discounts", found.discounts, who.lang, cur),
            **present.money("refunds", found.refunds, who.lang, cur),
            **present.money("revenue", found.revenue, who.lang, cur),
            "orders": found.orders,
            "orders_display": number(found.orders, who.lang),
            "units": found.units,
            "units_display": number(found.units, who.lang),
            "currency": cur,
            "max_revenue_display": price(
                max((d.revenue for d in found.by_day), default=found.revenue), cur, lang=who.lang
            ),
        }
    )


def routes() -> list[web.RouteDef]:
    return [
        web.get("/api/seller/board", board),
        web.post("/api/seller/parcels/{id}/act", act),
        web.post("/api/seller/returns/{id}/decide", decide),
        web.get("/api/seller/products", my_products),
        web.post("/api/seller/products", create_product),
        web.get("/api/seller/products/{id}", product),
        web.patch("/api/seller/products/{id}", update_product),
        web.post("/api/seller/products/{id}/listed", listed),
        web.post("/api/seller/products/{id}/stock", stock),
        web.post("/api/seller/products/{id}/photos", add_photos),
        web.post("/api/seller/products/{id}/photos/{image_id}/first", photo_first),
        web.delete("/api/seller/products/{id}/photos/{image_id}", remove_photo),
        web.post("/api/seller/import", import_file),
        web.get("/api/seller/sales", sales),
    ]
