"""The ✖ Cancel an older version put under "Why are you returning it?" (the generic prompt
cancel, `v1q`, naming no return) says where the customer's return stands: given up while
its reason was still awaited, or requested already (and then it stays requested)."""

from __future__ import annotations

from sandbox import Emulator, SimUser
from tests.e2e.conftest import ShopBot
from tests.e2e.steps import settled
from tests.e2e.test_return_how_many import _returns, _three_delivered

OLD_CANCEL = {"text": "✖ Cancel", "callback_data": "v1q"}  # as an older version packed it


async def _old_cancel(user: SimUser, message_id: int) -> str:
    """Tap the older ✖ Cancel under message `message_id`: what the tap is answered with."""
    answer = await user._click(user.chat.messages[message_id], OLD_CANCEL, 5)
    return str(answer.get("text"))


async def test_an_old_cancel_under_why_tells_where_the_return_stands(
    shop_bot: ShopBot, tg: Emulator
) -> None:
    buyer, order = await _three_delivered(shop_bot, tg, "Eulalia")

    # while the reason is awaited: the return is given up, and a reason typed later asks none
    await buyer.click("Return")
    await buyer.expect_message("How many")
    await buyer.click("1")
    why = await buyer.expect_message("Why are you returning it?")
    said = await _old_cancel(buyer, why.message_id)
    assert "no return is requested" in said, said
    await buyer.expect_edit("no return is requested")
    await buyer.send("Wrong colour")
    await settled(buyer)
    assert not any("Your return: please check it" in str(m.get("text")) for m in buyer.messages)
    assert await _returns(shop_bot, order) == []

    # once the return is requested: it stays requested, and the old button says so
    await buyer.click("Return")
    await buyer.expect_message("How many")
    await buyer.click("1")
    why = await buyer.expect_message("Why are you returning it?")
    await buyer.send("Wrong colour")
    await buyer.expect_message("Your return: please check it")
    await buyer.click("Request the return")
    await buyer.expect_edit("Your return is requested")
    said = await _old_cancel(buyer, why.message_id)
    assert "This return was requested already" in said, said
    assert "no return is requested" not in said, said
    await settled(buyer)
    assert len(await _returns(shop_bot, order)) == 1
