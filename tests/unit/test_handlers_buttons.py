"""Every seller and admin button has exactly one handler, chosen by its callback data (one
handler per action): a button no handler takes would fall through to a refusal or to "no
longer active", and one two handlers take would depend on their order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiogram import Router
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, User

from handlers import admin, seller
from handlers.callbacks import (
    AdminAction,
    AdminCb,
    CategoryAdminAction,
    CategoryAdminCb,
    CouponAdminAction,
    CouponAdminCb,
    PayoutRunCb,
    ProviderAdminAction,
    ProviderAdminCb,
    ReturnCb,
    ReturnDecision,
    SellerAction,
    SellerCb,
    ShipmentAction,
    ShipmentCb,
    StockCb,
    StoreAdminAction,
    StoreAdminCb,
)
from handlers.seller.cb import EditField, EditProductCb, NoticeParcelCb, ShipWithoutNumberCb

SELLER_BUTTONS: list[CallbackData] = [
    *(SellerCb(to=to) for to in SellerAction),
    *(EditProductCb(id=7, field=field, image=3) for field in EditField),
    *(StockCb(id=7, adjust=adjust) for adjust in (False, True)),
    *(ShipmentCb(action=action, id=7) for action in ShipmentAction),
    *(ReturnCb(decision=decision, id=7) for decision in ReturnDecision),
    NoticeParcelCb(id=7),
    ShipWithoutNumberCb(id=7),
]
ADMIN_BUTTONS: list[CallbackData] = [
    *(AdminCb(to=to) for to in AdminAction),
    *(CategoryAdminCb(action=action, id=n) for action in CategoryAdminAction for n in (0, 7)),
    *(ProviderAdminCb(action=action, id=7) for action in ProviderAdminAction),
    *(StoreAdminCb(action=action, id=7) for action in StoreAdminAction),
    *(CouponAdminCb(action=action, id=7) for action in CouponAdminAction),
    *(PayoutRunCb(run=run) for run in (False, True)),
]


def _handlers(router: Router, leave_out: str) -> Iterator[HandlerObject]:
    if router.name == leave_out:
        return
    yield from router.callback_query.handlers
    for child in router.sub_routers:
        yield from _handlers(child, leave_out)


async def _takers(router: Router, data: CallbackData) -> list[str]:
    query = CallbackQuery(
        id="1",
        from_user=User(id=1, is_bot=False, first_name="Maya"),
        chat_instance="1",
        data=data.pack(),
    )
    # the refusals (for those without a store) take every seller button, by design
    handlers = _handlers(router, leave_out="seller.refusals")
    return [h.callback.__name__ for h in handlers if (await h.check(query))[0]]


@pytest.mark.parametrize("data", SELLER_BUTTONS, ids=lambda d: d.pack())
async def test_every_seller_button_has_one_handler(data: CallbackData) -> None:
    assert len(await _takers(seller.build_router(), data)) == 1


@pytest.mark.parametrize("data", ADMIN_BUTTONS, ids=lambda d: d.pack())
async def test_every_admin_button_has_one_handler(data: CallbackData) -> None:
    assert len(await _takers(admin.build_router(), data)) == 1
