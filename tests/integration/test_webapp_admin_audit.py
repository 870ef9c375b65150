"""The Mini App's audit page says what the chat's /audit says, on both databases: each row
what it is about and what happened in words, each change as the same phrase ("implied by the
next step", not "source: implied" and "implied: true"), and who did it in which capacity."""

from __future__ import annotations

from typing import Any

from handlers.admin import _audit_line as audit_line
from storage.vocabulary import TrackingStatus
from tests.integration.test_webapp_api import App, app, world

__all__ = ["app", "world"]  # the fixtures, shared with the Mini App's API tests


async def test_the_mini_apps_audit_rows_read_as_the_chats(app: App) -> None:
    world = app.world
    seller = await world.seller("Lamps")
    lamp = await world.product(seller, "Desk Lamp")
    sara = await world.customer("Sara")
    order = await world.pay(await world.order(sara, {lamp: 1}))
    parcel = order.shipments[0].shipment_id
    await world.shop.shipping.ship(seller.user_id, parcel, "TRK70001")
    await world.shop.shipping.update(seller.user_id, parcel, TrackingStatus.delivered)
    english: list[dict[str, Any]] = []
    for lang in ("en", "es"):
        admin = await app.person(world.admin, lang)
        found = await app.call("GET", f"admin/audit?entity=order&entity_id={order.order_id}", admin)
        items: list[dict[str, Any]] = found["items"]
        english = english or items
        story = await world.shop.backoffice.audit_search(
            world.admin, entity_type="order", entity_id=order.order_id, limit=30
        )
        assert [i["id"] for i in items] == [e.audit_id for e in story]
        for item, entry in zip(items, story, strict=True):
            chat = audit_line(lang, entry)
            assert f"{item['what_display']}: " in chat, (item, chat)
            for change in item["changes"]:
                assert change["display"] in chat, (change, chat)
            assert chat.endswith(item["who_display"]) or item["who_display"] in chat, chat
        said = [c["display"] for i in items for c in i["changes"]]
        implied = "implied by the next step" if lang == "en" else "implícito por el paso siguiente"
        assert said.count(implied) == 2, said  # received and packed: the shipping implied them
        assert not any(c["field"] == "implied" for i in items for c in i["changes"]), items
    by_sara = [i for i in english if i["by"] == sara[0]]
    assert by_sara
    assert {i["who_display"] for i in by_sara} == {"Sara (customer)"}
    assert any(i["what_display"] == f"Parcel #{parcel}" for i in english)
