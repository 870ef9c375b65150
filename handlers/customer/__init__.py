"""Customer conversations: start and menu, catalog and search, cart and wishlist, checkout
and payment, orders, profile, and inline mode (@bot hoodie in any chat)."""

from aiogram import Router

from handlers.customer import (
    address_form,
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


def build_router() -> Router:
    """A fresh router per Dispatcher (aiogram attaches a router to one parent only).

    Order matters: the checkout wizard's text steps come before free text."""
    router = Router(name="customer")
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
