"""The seller screens' callback data: ids and the list a screen belongs to, never amounts or
permissions (the engine checks the seller owns the id); and what the buttons' actions mean in
the engine's words."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from aiogram.filters.callback_data import CallbackData

from engine.fulfilment import Step
from engine.transitions import E
from handlers.callbacks import (
    NewProductCb,
    ReturnCb,
    ReturnDecision,
    SellerCb,
    ShipmentAction,
    ShipmentCb,
    StockCb,
)

# the buttons' actions (callback data, kept decodable) and the engine's steps, by name
STEP_OF_ACTION: Final = {a: Step[a.name] for a in ShipmentAction}
ACTION_OF_STEP: Final = {s: a for a, s in STEP_OF_ACTION.items()}
DECISION_OF: Final = {ReturnDecision.approve: E.approve, ReturnDecision.reject: E.reject}
BUTTON_OF_DECISION: Final = {e: d for d, e in DECISION_OF.items()}


class OrdersView(StrEnum):
    """The seller's order lists (engine.fulfilment.Queue by value)."""

    to_confirm = "confirm"
    to_ship = "ship"
    shipped = "shipped"
    returns = "returns"


class OrdersCb(CallbackData, prefix="v1s6"):
    """A page of one order list."""

    view: OrdersView
    page: int = 1


class ShipWithoutNumberCb(CallbackData, prefix="v1sf"):
    """ "Ship without a number" under the question for a parcel's tracking number (a
    shipment id), offered where the parcel may go without one (a pickup point's)."""

    id: int


class ParcelCb(CallbackData, prefix="v1s7"):
    """Open the card of one of the seller's parcels (a shipment id)."""

    id: int
    view: OrdersView = OrdersView.to_confirm  # the list to go back to


class NoticeParcelCb(CallbackData, prefix="v1se"):
    """ "Open the order" under a seller's notice about an order: the seller's card of its
    parcel (a shipment id) comes as a new message below, the notice kept as it was."""

    id: int


class ReturnCardCb(CallbackData, prefix="v1s8"):
    """Open the card of a return waiting for the seller."""

    id: int


class PickCategoryCb(CallbackData, prefix="v1s9"):
    """The category picker: `id` 0 is the top of the tree; a category with children opens
    them, a leaf is chosen. `product` 0: the new-product wizard; else that product's edit."""

    id: int = 0
    product: int = 0
    nav: bool = False  # True: show the children of `id` (the Up button), never choose it


class ProductsCb(CallbackData, prefix="v1sa"):
    """A page of "My products"."""

    page: int = 1


class EditField(StrEnum):
    show = "show"
    name = "name"
    description = "desc"
    price = "price"
    discount = "disc"
    category = "cat"
    photos = "photos"
    photo_add = "padd"
    photo_remove = "prm"  # `image`: which one
    photo_first = "pfirst"  # `image` becomes the first (primary) photo
    hide = "hide"
    show_again = "unhide"


class EditProductCb(CallbackData, prefix="v1sb"):
    id: int
    field: EditField = EditField.show
    image: int = 0


class ImportCb(CallbackData, prefix="v1sc"):
    go: bool  # True: import the file the report was for; False: forget it


class WizardMove(StrEnum):
    back = "back"
    cancel = "cancel"
    keep = "keep"  # the answer shown again after Back stays; on to the next question


class WizardCb(CallbackData, prefix="v1sd"):
    """Back, Cancel or Keep under a question of the add-product wizard; `step` is the question's
    (a NewProduct state's name), so an older question's button changes nothing."""

    to: WizardMove
    step: str


class PriceAsDescriptionCb(CallbackData, prefix="v1sg"):
    """ "✓ Yes, that is the description" under the add-product wizard's question about a
    description that looks like a price ("12.50"); `key`: that question (the words wait in
    the conversation, never in the button)."""

    key: str


# every seller button: the refusals answer them all to someone without a store
SELLER_BUTTONS: Final = (
    SellerCb,
    NewProductCb,
    ShipmentCb,
    ReturnCb,
    StockCb,
    OrdersCb,
    ParcelCb,
    NoticeParcelCb,
    ReturnCardCb,
    PickCategoryCb,
    ProductsCb,
    EditProductCb,
    ImportCb,
    WizardCb,
    ShipWithoutNumberCb,
    PriceAsDescriptionCb,
)
