"""What the bot writes to its log at INFO: no words a customer typed (they are personal data)
(issue 15; the scheduler's quiet runs are in tests/unit/test_logging.py)."""

from __future__ import annotations

from sandbox import Emulator
from tests.e2e.conftest import ShopBot


async def test_typed_words_stay_out_of_the_info_log(shop_bot: ShopBot, tg: Emulator) -> None:
    def read() -> list[str]:  # each worker's log (webhook mode runs two)
        return [log.read_text(encoding="utf-8", errors="replace") for log in shop_bot.logs]

    start = [len(text) for text in read()]
    user = tg.user("Perdita")
    await user.send("/start")
    await user.expect_message("Welcome")
    secret = "Quxlemberry 221B"  # no product is called this: the bot answers, it cannot act
    await user.send(f"please deliver to {secret} for Perdita Quxlemberry")
    await user.expect_message()
    log = "".join(text[n:] for text, n in zip(read(), start, strict=True))
    assert "understood" in log  # the line is there, without the words
    assert "Quxlemberry" not in log, [line for line in log.splitlines() if "Quxlemberry" in line]
