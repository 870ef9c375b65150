"""The admin's keyboards: pure functions of the engine's views; they never query."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Final, TypeVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton as Button
from aiogram.types import InlineKeyboardMarkup

from engine.backoffice import SellerPerformance, WaitingTransfer
from engine.catalog import CategoryNode
from engine.coupons import CouponView
from engine.shipping import ProviderView
from engine.transitions import SELLER, E, allowed_events
from handlers.callbacks import (
    AdminAction,
    AdminCb,
    AuditCb,
    BroadcastCb,
    CategoryAdminAction,
    CategoryAdminCb,
    CouponAdminAction,
    CouponAdminCb,
    Menu,
    MenuCb,
    PayoutRunCb,
    ProviderAdminAction,
    ProviderAdminCb,
    SellerDecision,
    SellerDecisionCb,
    StoreAdminAction,
    StoreAdminCb,
    TransferCb,
)
from handlers.i18n import price, t
from handlers.keyboards import button, clip, keyboard, named
from storage.vocabulary import CouponStatus, SellerStatus

A, C, K = AdminAction, CategoryAdminAction, CouponAdminAction
P, S = ProviderAdminAction, StoreAdminAction
PAGE = 10
T = TypeVar("T")

# the seller table's events (engine.transitions.SELLER) as buttons: an applicant is approved
# or rejected, a store suspended, reinstated or closed
DECISION_OF: Final = {E.approve: SellerDecision.approve, E.reject: SellerDecision.reject}
STORE_ACTION_OF: Final = {E.suspend: S.suspend, E.reinstate: S.reinstate, E.close: S.close}


def page_of(items: Sequence[T], page: int) -> tuple[list[T], int, int]:
    """The items of page `page` (clamped), the page, and how many pages there are."""
    pages = max(1, -(-len(items) // PAGE))
    page = min(max(page, 1), pages)
    return list(items[(page - 1) * PAGE : page * PAGE]), page, pages


def _arrows(page: int, pages: int, to: Callable[[int], CallbackData]) -> list[Button]:
    """◀ ▶ around page `page` (`to(n)`: page n's button)."""
    back = [button("◀", to(page - 1))] if page > 1 else []
    on = [button("▶", to(page + 1))] if page < pages else []
    return [*back, *on]


def home(lang: str) -> Button:
    return button(t(lang, "admin.back"), AdminCb(to=A.home))


def to_admin(lang: str) -> InlineKeyboardMarkup:
    return keyboard([[home(lang)]])


def menu(lang: str) -> InlineKeyboardMarkup:
    def b(key: str, to: AdminAction) -> Button:
        return button(t(lang, key), AdminCb(to=to))

    return keyboard(
        [
            [b("admin.sellers", A.sellers), b("admin.stores.button", A.stores)],
            [b("admin.alerts", A.alerts), b("admin.coupons", A.coupons)],
            [
                button(t(lang, "admin.transfers.button"), TransferCb()),
                button(t(lang, "admin.audit.button"), AuditCb()),
            ],
            [
                b("admin.categories.button", A.categories),
                b("admin.providers.button", A.providers),
            ],
            [b("admin.report", A.report), button(t(lang, "back"), MenuCb(to=Menu.home))],
        ]
    )


# --- sellers and stores ----------------------------------------------------------------------
def _decision(lang: str, decision: SellerDecision, seller_id: int) -> Button:
    return button(
        t(lang, f"admin.{decision.name}"), SellerDecisionCb(decision=decision, id=seller_id)
    )


def applicant(lang: str, seller_id: int) -> InlineKeyboardMarkup:
    """Approve / Reject for a store waiting for approval."""
    return keyboard([[_decision(lang, d, seller_id) for d in DECISION_OF.values()]])


def to_list(lang: str, data: CallbackData) -> Button:
    """⬅ Back to the list (`data`: the list's button)."""
    return button(t(lang, "admin.to_list"), data)


def decided(lang: str, s: SellerPerformance) -> InlineKeyboardMarkup:
    """An application's card after its decision: what it became, where Approve or Reject
    was (a tap on it changes nothing), then the store's own screen (Suspend is there) and
    the list. Nothing that acts sits under the finger that decided."""
    if s.status == SellerStatus.active:
        done = button(t(lang, "admin.seller.done.active"), _decision_cb(SellerDecision.approve, s))
    elif s.status == SellerStatus.rejected:
        done = button(t(lang, "admin.seller.done.rejected"), _decision_cb(SellerDecision.reject, s))
    else:
        status = t(lang, f"admin.store.status.{s.status.value}")
        done = button(status, _decision_cb(SellerDecision.approve, s))
    store_screen = button(
        t(lang, "admin.seller.open_store"), StoreAdminCb(action=S.show, id=s.seller_id)
    )
    return keyboard([[done], [store_screen, to_list(lang, AdminCb(to=A.sellers))]])


def _decision_cb(decision: SellerDecision, s: SellerPerformance) -> SellerDecisionCb:
    return SellerDecisionCb(decision=decision, id=s.seller_id)


def stores(
    lang: str, shown: Sequence[SellerPerformance], page: int, pages: int
) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                clip(f"{s.store_name} · {t(lang, f'admin.store.status.{s.status.value}')}"),
                StoreAdminCb(action=S.show, id=s.seller_id),
            )
        ]
        for s in shown
    ]
    turn = _arrows(page, pages, lambda n: StoreAdminCb(action=S.list, page=n))
    return keyboard([*rows, turn, [home(lang)]])


def store(lang: str, s: SellerPerformance) -> InlineKeyboardMarkup:
    """What the store's status allows (the engine's seller table), and the way back."""

    def act(e: E) -> Button:
        if e in DECISION_OF:
            return _decision(lang, DECISION_OF[e], s.seller_id)
        action = STORE_ACTION_OF[e]
        return button(
            t(lang, f"admin.store.{action.name}"), StoreAdminCb(action=action, id=s.seller_id)
        )

    back = button(t(lang, "admin.stores.back"), StoreAdminCb(action=S.list))
    return keyboard([[act(e) for e in allowed_events(SELLER, s.status)], [back, home(lang)]])


# --- categories ------------------------------------------------------------------------------
def _tree(nodes: Sequence[CategoryNode], action: CategoryAdminAction) -> list[list[Button]]:
    """A category a row, indented by its depth."""
    return [
        [
            button(
                clip("  " * c.depth + ("└ " if c.depth else "") + c.name),
                CategoryAdminCb(action=action, id=c.category_id),
            )
        ]
        for c in nodes
    ]


def _to_categories(lang: str) -> Button:
    return button(t(lang, "admin.categories.back"), CategoryAdminCb(action=C.list))


def categories(
    lang: str, shown: Sequence[CategoryNode], page: int, pages: int
) -> InlineKeyboardMarkup:
    return keyboard(
        [
            *_tree(shown, C.show),
            _arrows(page, pages, lambda n: CategoryAdminCb(action=C.list, page=n)),
            [button(t(lang, "admin.category.new"), CategoryAdminCb(action=C.new)), home(lang)],
        ]
    )


def category(lang: str, category_id: int) -> InlineKeyboardMarkup:
    def b(key: str, action: CategoryAdminAction) -> Button:
        return button(t(lang, key), CategoryAdminCb(action=action, id=category_id))

    return keyboard(
        [
            [b("admin.category.rename", C.rename), b("admin.category.move", C.move)],
            [b("admin.category.add_here", C.new)],
            [_to_categories(lang), home(lang)],
        ]
    )


def parents(
    lang: str, shown: Sequence[CategoryNode], page: int, pages: int
) -> InlineKeyboardMarkup:
    """The parent picker: the top level, a page of the tree, and back to the categories."""
    return keyboard(
        [
            [button(t(lang, "admin.category.top"), CategoryAdminCb(action=C.pick, id=0))],
            *_tree(shown, C.pick),
            _arrows(page, pages, lambda n: CategoryAdminCb(action=C.picker, page=n)),
            [_to_categories(lang)],
        ]
    )


def to_categories(lang: str) -> InlineKeyboardMarkup:
    return keyboard([[_to_categories(lang), home(lang)]])


# --- shipping providers ----------------------------------------------------------------------
def providers(lang: str, shown: Sequence[ProviderView]) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                named(p.name, f" · {price(p.cost, lang=lang)}"),
                ProviderAdminCb(action=P.show, id=p.provider_id),
            )
        ]
        for p in shown[:40]
    ]
    new = button(t(lang, "admin.provider.new"), ProviderAdminCb(action=P.new))
    return keyboard([*rows, [new, home(lang)]])


def provider(lang: str, p: ProviderView) -> InlineKeyboardMarkup:
    """Change the cost, switch it off or on; back to the providers."""
    switch = "admin.provider.switch_off" if p.active else "admin.provider.switch_on"
    return keyboard(
        [
            [
                button(
                    t(lang, "admin.provider.cost"), ProviderAdminCb(action=P.cost, id=p.provider_id)
                ),
                button(
                    t(lang, switch),
                    ProviderAdminCb(action=P.off if p.active else P.on, id=p.provider_id),
                ),
            ],
            [button(t(lang, "admin.providers.back"), ProviderAdminCb(action=P.list)), home(lang)],
        ]
    )


# --- coupons ---------------------------------------------------------------------------------
def coupons(
    lang: str, shown: Sequence[CouponView], offer: Callable[[CouponView], str]
) -> InlineKeyboardMarkup:
    """A coupon a row (`offer`: what it gives, in words), and the way back."""
    rows = [
        [
            button(
                clip(f"{c.code} · {offer(c)} · " + t(lang, f"admin.coupon.standing.{c.standing}")),
                CouponAdminCb(action=K.show, id=c.coupon_id),
            )
        ]
        for c in shown
    ]
    return keyboard([*rows, [home(lang)]])


def coupon(lang: str, c: CouponView) -> InlineKeyboardMarkup:
    """Disable (or enable) and edit; back to the coupons."""
    active = c.status == CouponStatus.active
    toggle = button(
        t(lang, "admin.coupon.disable" if active else "admin.coupon.enable"),
        CouponAdminCb(action=K.disable if active else K.enable, id=c.coupon_id),
    )
    edit = button(t(lang, "admin.coupon.edit"), CouponAdminCb(action=K.edit, id=c.coupon_id))
    back = button(t(lang, "admin.coupons"), AdminCb(to=A.coupons))
    return keyboard([[toggle, edit], [back, home(lang)]])


# --- the audit log, bank transfers, broadcasts, payouts ---------------------------------------
def audit(
    lang: str, entity: str, entity_id: int, page: int, has_next: bool
) -> InlineKeyboardMarkup:
    """Newer / older pages of the same filter, and the way back."""

    def to(n: int) -> AuditCb:
        return AuditCb(entity=entity, id=entity_id, page=n)

    newer = [button(t(lang, "admin.audit.newer"), to(page - 1))] if page > 1 else []
    older = [button(t(lang, "admin.audit.older"), to(page + 1))] if has_next else []
    return keyboard([[*newer, *older], [home(lang)]])


def transfers(lang: str, waiting: Sequence[WaitingTransfer]) -> InlineKeyboardMarkup:
    """ "Mark paid" on each transfer waiting (the first 20), and the way back."""
    rows = [
        [
            button(
                t(
                    lang,
                    "admin.transfers.mark",
                    order_id=w.order_id,
                    amount=price(w.amount, w.currency, lang=lang),
                ),
                TransferCb(order=w.order_id),
            )
        ]
        for w in waiting[:20]
    ]
    return keyboard([*rows, [home(lang)]])


def transfer_marked(lang: str) -> InlineKeyboardMarkup:
    """Under the queue after a "Mark paid": no Mark paid where the tapped one was (a second
    tap would mark the next order), only the way back to the list, and home."""
    return keyboard([[to_list(lang, TransferCb())], [home(lang)]])


def broadcast(lang: str, key: str, count: int) -> InlineKeyboardMarkup:
    """Send (to `count` people) or Cancel, under a broadcast's preview."""
    return keyboard(
        [
            [
                button(
                    t(lang, "admin.broadcast.send", count=count), BroadcastCb(key=key, send=True)
                ),
                button(t(lang, "admin.cancel"), BroadcastCb(key=key, send=False)),
            ]
        ]
    )


def payouts(lang: str, total: Decimal | None) -> InlineKeyboardMarkup:
    """Confirm (paying `total`) or Cancel under the preview, when anything is payable (`total`
    None: nothing is); and the way back."""
    confirm = []
    if total is not None:
        confirm = [
            button(
                t(lang, "admin.payouts.confirm", total=price(total, lang=lang)),
                PayoutRunCb(run=True),
            ),
            button(t(lang, "admin.cancel"), PayoutRunCb(run=False)),
        ]
    return keyboard([confirm, [home(lang)]])
