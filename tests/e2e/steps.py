"""Steps a simulated customer repeats across stories (each one as a person would do it)."""

from __future__ import annotations

from aiogram.types import Message

from sandbox import SimUser


async def add_found(user: SimUser, query: str, button: str) -> Message:
    """Type `query`, open the result labelled `button`, add one to the cart; the card. (A
    product's name typed alone is a search, or "Which one do you mean?" when it names
    several: the same list either way.)"""
    await user.send(query)
    await user.expect_message(
        where=lambda m: any(s in str(m.get("text")) for s in ("Results for", "Which one"))
    )
    await user.click(button)
    card = await user.expect_message("Sold by")
    await user.click("Add 1 to cart")
    return card


async def check_out(
    user: SimUser,
    *,
    address: str,
    provider: str = "Standard Post",
    method: str = "Cash on delivery",
) -> None:
    """From a filled cart to a placed order: a new address, `provider`, no coupon, `method`."""
    await user.send("/cart")
    await user.expect_message("Your cart")
    await user.click("Checkout")
    await user.expect_edit("Where should we deliver?")
    await user.click("New address")
    await user.expect_message("Send the address")
    await user.send(address)
    await user.expect_message("How should it be shipped?")
    await user.click(provider)
    await user.expect_edit("coupon")
    await user.click("Skip")
    await user.expect_edit("How would you like to pay?")
    await user.click(method)
    await user.expect_edit("Please confirm")
    await user.click("Place order")
