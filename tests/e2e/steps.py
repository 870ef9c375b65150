"""Steps a simulated customer repeats across stories (each one as a person would do it)."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.types import Message

from sandbox import SimUser


async def add_found(user: SimUser, query: str, button: str) -> Message:
    """Type `query`, open the result labelled `button`, add one to the cart; the card. (A
    product's name typed alone is a search, or "Which one do you mean?" when it names
    several: the same list either way; or the card itself when it names one clearly.)"""
    await user.send(query)
    shown = await user.expect_message(
        where=lambda m: any(
            s in str(m.get("text") or m.get("caption"))
            for s in ("Results for", "Which one", "Sold by")
        )
    )
    if "Sold by" in str(shown.text or shown.caption):
        card = shown
        assert button.lower() in str(shown.text or shown.caption).lower(), shown
    else:
        await user.click(button)
        card = await user.expect_message("Sold by")
    await user.click("Add 1 to cart")
    return card


async def enter_address(user: SimUser, address: str) -> None:
    """Fill in the address form opened by "New address" or "Add an address", field by field,
    from "street, city, country[, postal code]" (the street may hold commas); then ✅ Save."""
    parts = [part.strip() for part in address.split(",")]
    postal = [parts.pop()] if any(c.isdigit() for c in parts[-1]) else []
    country, city = parts.pop(), parts.pop()
    street = ", ".join(parts)
    await user.expect_edit("step 1 of 4")
    await user.send(street)
    await user.expect_message("town or city")
    await user.send(city)
    await user.expect_message("postal code")
    if postal:
        await user.send(postal[0])
        await user.expect_message("Send the country")
    else:
        await user.click("No postal code")
        await user.expect_edit("Send the country")
    await user.send(country)
    await user.expect_message("Is this address right?")
    await user.click("Save")


async def at_new_address(user: SimUser) -> None:
    """From a filled cart to checkout's "New address" form: its first question is asked next."""
    await user.send("/cart")
    await user.expect_message("Your cart")
    await user.click("Checkout")
    await user.expect_edit("Where should we deliver?")
    await user.click("New address")


async def check_out(
    user: SimUser,
    *,
    address: str,
    provider: str = "Standard Post",
    method: str = "Cash on delivery",
) -> Message:
    """From a filled cart to a placed order: a new address, `provider`, no coupon, `method`.
    Returns the summary the customer confirmed."""
    await at_new_address(user)
    await enter_address(user, address)
    await user.expect_edit("How should it be shipped?")
    await user.click(provider)
    await user.expect_edit("coupon")
    await user.click("Skip")
    await user.expect_edit("How would you like to pay?")
    await user.click(method)
    summary = await user.expect_edit("Please confirm")
    await user.click("Place order")
    return summary


async def settled(user: SimUser, within: float = 1.5) -> None:
    """Wait until the chat has been quiet for `within` s (the outbox has drained)."""
    seen = -1
    while len(user.chat.events) != seen:
        seen = len(user.chat.events)
        await user.state.wait_for(_more_than(user, seen), within)


def _more_than(user: SimUser, seen: int) -> Callable[[], bool]:
    return lambda: len(user.chat.events) > seen
