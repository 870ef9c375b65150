"""Typing freely, as a tester did in the web chat: a request said as a musing or a question
("maybe add …?", "should I remove …?") is asked about first, and the question names what it
would do; the results of a search in words are headed by what was searched for; a count the
cart cannot take ("2.5", "-3", "0", "100000") is answered and adds nothing."""

from __future__ import annotations

from sandbox import Emulator, SimUser

KETTLE = "Olive Pour-Over Kettle"


async def _start(user: SimUser) -> None:
    await user.send("/start")
    await user.expect_message("Welcome")


async def test_a_hedged_add_is_asked_about_first_and_done_only_on_yes(tg: Emulator) -> None:
    eve = tg.user("Eve")
    await _start(eve)
    await eve.send("should I add two olive pour-over kettles?")
    asked = await eve.expect_message(timeout=60)
    assert "Added" not in (asked.text or ""), asked.text
    assert "Shall I add" in (asked.text or ""), asked.text
    await eve.click("No")
    await eve.expect_message("I did nothing")
    await eve.send("/cart")
    await eve.expect_message("Your cart is empty")
    await eve.send("maybe add two olive pour-over kettles?")
    asked = await eve.expect_message()
    assert "Added" not in (asked.text or ""), asked.text
    await eve.click("Yes, do it")
    await eve.expect_message(f"Added 2 × {KETTLE}")


async def test_a_polite_request_is_done_and_a_hedged_removal_waits(tg: Emulator) -> None:
    fin = tg.user("Fin")
    await _start(fin)
    await fin.send("could you add the olive pour-over kettle to my cart please")
    done = await fin.expect_message(timeout=60)
    assert f"Added 1 × {KETTLE}" in (done.text or ""), done.text
    await fin.send("should I remove the olive pour-over kettle?")
    asked = await fin.expect_message()
    assert "Shall I take" in (asked.text or ""), asked.text
    await fin.click("No")
    await fin.expect_message("I did nothing")
    await fin.send("/cart")
    cart = await fin.expect_message("Your cart")
    assert f"1 × {KETTLE}" in (cart.text or ""), cart.text


async def test_the_question_names_what_it_would_do(tg: Emulator) -> None:
    ida = tg.user("Ida")
    await _start(ida)
    await ida.send("maybe add the olive pour-over kettle?")
    asked = await ida.expect_message(timeout=60)
    assert f"Shall I add 1 × {KETTLE} to your cart?" in (asked.text or ""), asked.text
    await ida.send("should I use the code WELCOME10?")  # a new question: the first one ends
    asked = await ida.expect_message("Shall I")
    assert "Shall I apply the code WELCOME10?" in (asked.text or ""), asked.text


async def test_the_search_heading_names_the_words_searched_for(tg: Emulator) -> None:
    gil = tg.user("Gil")
    await _start(gil)
    await gil.send("do you sell kettles")
    results = await gil.expect_message("Results for", timeout=60)
    assert "Results for “kettles”" in (results.text or ""), results.text
    await gil.send("do you have any hoodies under 40 dollars")
    results = await gil.expect_message("Results for")
    assert "Results for “Hoodies under $40.00”" in (results.text or ""), results.text


async def test_a_count_that_is_no_whole_number_is_answered_and_adds_nothing(
    tg: Emulator,
) -> None:
    hal = tg.user("Hal")
    await _start(hal)
    await hal.send("add 2.5 olive pour-over kettles")
    refused = await hal.expect_message(timeout=60)
    assert "I can only add whole items" in (refused.text or ""), refused.text
    assert "from 1 to 99" in (refused.text or ""), refused.text
    await hal.send("/cart")
    await hal.expect_message("Your cart is empty")


async def test_a_count_out_of_range_for_the_product_shown_is_answered(tg: Emulator) -> None:
    jo = tg.user("Jo")
    await _start(jo)
    await jo.send("olive pour-over kettle")  # its card: "add …" now means this kettle
    await jo.expect_message("Sold by", timeout=60)
    for words in ("add -3", "add 0", "add 100000", "add 2.5"):
        await jo.send(words)
        refused = await jo.expect_message()
        text = refused.text or ""
        assert "Added" not in text, (words, text)
        assert "from 1 to 99" in text, (words, text)
    await jo.send("/cart")
    await jo.expect_message("Your cart is empty")
