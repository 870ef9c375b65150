"""Customer conversations: start and menu, catalog and search, cart and wishlist, checkout
and payment, orders, profile, and inline mode (@bot hoodie in any chat)."""

from typing import Final

from aiogram import Router

from handlers.callbacks import ReturnLineCb, ReviewCb, ReviewNextCb
from handlers.customer import (
    address_form,
    asking,
    cart,
    catalog,
    checkout,
    inline,
    orders,
    profile,
    start,
    talk,
    voice,
)

# the customer's questions that wait for typed text (handlers.prompts ends them elsewhere): a
# return's reason, a review's comment, an e-mail or phone number, the words to search for.
# Checkout and the address form keep their own steps: every step re-reads the cart and the
# order is only placed from its confirmation screen.
PROMPTS: Final = {
    orders.AfterSale: (ReviewCb, ReviewNextCb, ReturnLineCb, orders.ReturnStepCb),
    profile.Profile: (),
    catalog.Searching: (),
}


def build_router() -> Router:
    """A fresh router per Dispatcher (aiogram attaches a router to one parent only).

    Order matters: the checkout wizard's text steps come before free text."""
    router = Router(name="customer")
    # a button, command or note elsewhere ends the yes / no question waiting (asking.py)
    router.message.outer_middleware(asking.EndsQuestion())
    router.callback_query.outer_middleware(asking.EndsQuestion())
    router.include_routers(
        start.build_router(),
        checkout.build_router(),
        # a new address, field by field, for the profile and for the checkout
        address_form.build_router(
            {"profile": profile.address_done, "checkout": checkout.address_done}
        ),
        cart.build_router(),
        orders.build_router(),
        catalog.build_router(),
        profile.build_router(),
        inline.build_router(),
        voice.build_router(),  # voice notes, heard and then understood as talk is
        talk.build_router(),  # last: any other text is understood as free speech
    )
    return router
