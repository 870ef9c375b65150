"""The conversation's end: what every role's steps (customer, seller, admin) call when they are
done, so that what must outlive a step is kept whoever ended it.

A seller or an admin is a customer too: a coupon given for checkout must not be lost because
the same person then listed a product or rejected a store. So no handler clears the
conversation itself (`state.clear()`); it ends it here.
"""

from __future__ import annotations

from typing import Final

from aiogram.fsm.context import FSMContext

ANSWERED: Final = "answered"  # the keys of the questions answered last, newest last
RETURNED: Final = "returned"  # the key of the return asked last (its old buttons say so)
COUPON: Final = "coupon"  # the code given for checkout

#: What the conversation keeps when it ends (/cancel, /start, a prompt given up, a wizard
#: finished): the coupon given for checkout ("Coupon SAVE5 will be used at checkout"), the
#: questions answered (their old buttons keep saying so) and the return requested last (its
#: old buttons too).
OUTLIVES: Final = (COUPON, ANSWERED, RETURNED)


async def end_conversation(state: FSMContext) -> None:
    """The conversation ends (no prompt, no question, no step waits), keeping what must
    outlive it (`OUTLIVES`): the one way to clear it."""
    data = await state.get_data()
    await state.clear()
    kept = {key: data[key] for key in OUTLIVES if data.get(key)}
    if kept:
        await state.set_data(kept)
