"""Generates nlu/data/generated.yml: varied training phrases from templates (issue 16).

`python -m nlu.generate` rewrites the file; a test checks that it is up to date. Everything
here was written for this project: paraphrase frames per intent, politeness and hedging
wrappers, the synonyms shoppers use (locate / ETA for tracking, reimburse / chargeback for
returns, feedback / opinion for reviews, "what do you sell" for browsing), questions and
statements, "help me (to) X" read as X, a few typos, and a broad out-of-scope set (banking,
phone plans, media, travel, health, chit-chat, abuse, and shop verbs on objects the shop does
not have: "cancel my gym membership"). No public dataset was used, and the held-out split
(heldout*.yml) is never read except to drop an accidental exact duplicate.

Sampling is seeded, so the file changes only when this module does.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from nlu.dataset import (
    GENERATED_FILE,
    HELDOUT_FILE,
    NEGATED_FILE,
    TEST_FILE,
    TRAINING_FILE,
    load,
)

SEED = 16
PER_INTENT = 170
OUT_OF_SCOPE_COUNT = 900

PRODUCTS = [
    "hoodie", "zip hoodie", "pullover hoodie", "tee", "t-shirt", "cotton tee", "graphic tee",
    "summer dress", "wrap dress", "dress", "denim jacket", "rain jacket", "jacket",
    "trail runner", "road runner", "running shoes", "canvas sneaker", "leather sneaker",
    "sneakers", "wireless headphones", "studio headphones", "headphones", "bluetooth speaker",
    "smart speaker", "speaker", "usb-c charger", "wireless charger", "charger", "silicone case",
    "wallet case", "phone case", "cast iron skillet", "skillet", "nonstick pan", "pan",
    "pour-over kettle", "kettle", "french press", "desk lamp", "floor lamp", "lamp", "yoga mat",
    "yoga block", "kettlebell", "dumbbell pair", "dumbbells", "two-person tent",
    "ultralight tent", "tent", "harbour mystery", "locked room novel", "weeknight cookbook",
    "baking basics", "cookbook",
]  # fmt: skip
PLURALS = {
    "hoodie": "hoodies", "zip hoodie": "zip hoodies", "tee": "tees", "t-shirt": "t-shirts",
    "graphic tee": "graphic tees", "dress": "dresses", "jacket": "jackets",
    "canvas sneaker": "canvas sneakers", "speaker": "speakers", "charger": "chargers",
    "phone case": "phone cases", "pan": "pans", "kettle": "kettles", "lamp": "lamps",
    "yoga mat": "yoga mats", "yoga block": "yoga blocks", "kettlebell": "kettlebells",
    "tent": "tents", "skillet": "skillets", "cotton tee": "cotton tees",
    "trail runner": "trail runners", "road runner": "road runners",
}  # fmt: skip
CATEGORIES = [
    "hoodies", "t-shirts", "dresses", "jackets", "shoes", "running shoes", "sneakers",
    "electronics", "audio", "headphones", "speakers", "phone accessories", "chargers", "cases",
    "kitchen", "cookware", "coffee", "decor", "lamps", "fitness", "yoga", "weights", "camping",
    "tents", "books", "fiction", "mystery", "cooking", "fashion", "home and kitchen",
]  # fmt: skip
COLOURS = ["red", "navy", "black", "white", "grey", "olive", "sand", "teal", "blue", "green"]
SIZES = ["S", "M", "L", "XL", "small", "medium", "large", "size 42", "size 9"]
CODES = [
    "SAVE10", "WELCOME10", "FREESHIP", "SUMMER20", "SAVE5", "LAUNCH15", "VIP25", "HELLO5",
    "SPRING30", "BACK2SCHOOL", "FLASH50", "NEWBIE", "THANKS15", "WINTER10", "PROMO2024",
]  # fmt: skip
SPOKEN_CODES = ["save ten", "welcome ten", "free ship", "summer twenty", "save five"]

QTY_WORDS = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve",
    "fifteen", "twenty", "twenty five", "thirty", "forty two", "fifty", "a hundred",
    "two hundred", "a couple of", "a pair of", "a few",
]  # fmt: skip


def _qty(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return str(rng.choice([1, 2, 2, 3, 3, 4, 5, 6, 10, 12, 20, 25, 40, 100, 150, 999]))
    return rng.choice(QTY_WORDS)


def _order_id(rng: random.Random) -> str:
    digits = rng.choice([1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 10, 12])
    value = str(rng.randint(10 ** (digits - 1) if digits > 1 else 1, 10**digits - 1))
    return value


def _order_ref(rng: random.Random) -> str:
    """An order reference with its id annotated, in the wordings shoppers use."""
    oid = _order_id(rng)
    frames = [
        "order [{i}](order_id)", "order [#{i}](order_id)", "order number [{i}](order_id)",
        "order no. [{i}](order_id)", "order id [{i}](order_id)", "[#{i}](order_id)",
        "my order [{i}](order_id)", "purchase [{i}](order_id)", "parcel [{i}](order_id)",
        "package [{i}](order_id)", "number [{i}](order_id)", "order [#{i}](order_id) please",
    ]  # fmt: skip
    return rng.choice(frames).format(i=oid)


def _product(rng: random.Random, *, plural: bool = False) -> str:
    name = rng.choice(PRODUCTS)
    if plural:
        name = PLURALS.get(name, name)
    text = f"[{name}](product)"
    roll = rng.random()
    if roll < 0.25:
        text = f"[{rng.choice(COLOURS)}](colour) {text}"
    elif roll < 0.32:
        text = f"{text} in [{rng.choice(SIZES[:7])}](size)"
    return text


def _the_product(rng: random.Random) -> str:
    return rng.choice(["the ", "the ", "this ", "that ", "my ", ""]) + _product(rng)


def _counted(rng: random.Random) -> str:
    qty = _qty(rng)
    plural = qty not in ("one", "1", "a")
    return f"[{qty}](quantity) {_product(rng, plural=plural)}"


POLITE_BEFORE = [
    "", "", "", "", "please ", "can you ", "could you ", "could you please ", "would you ",
    "i'd like to ", "i want to ", "i wanna ", "i need to ", "i would like to ", "hey, ",
    "hi, ", "ok ", "okay so ", "um ", "hmm ", "quick one: ", "pls ", "kindly ",
    "is it possible to ", "help me ", "help me to ", "can you help me ", "i'm trying to ",
    "how do i ", "how can i ", "let me ", "i'd love to ",
]  # fmt: skip
POLITE_AFTER = [
    "", "", "", "", "", " please", " pls", " thanks", " thank you", " asap", " now", " for me",
    " right now", " if you can", " please?", "?", "!", " :)", " thx",
]  # fmt: skip


def wrap(rng: random.Random, text: str, *, imperative: bool = True) -> str:
    before = rng.choice(POLITE_BEFORE) if imperative else rng.choice(["", "", "hey, ", "um "])
    return f"{before}{text}{rng.choice(POLITE_AFTER)}"


def _cart(rng: random.Random) -> str:
    return rng.choice(
        ["cart", "basket", "bag", "trolley", "shopping cart", "shopping bag", "cart", "basket"]
    )


def _wishlist(rng: random.Random) -> str:
    return rng.choice(
        ["wishlist", "wish list", "favourites", "favorites", "saved items", "saved list",
         "save for later list", "bookmarks", "wishlist"]
    )  # fmt: skip


Frame = Callable[[random.Random], tuple[str, bool]]


def _frames_add(rng: random.Random) -> tuple[str, bool]:
    verb = rng.choice(
        ["add", "put", "pop", "throw", "stick", "place", "toss", "chuck", "load", "include",
         "get me", "grab me", "grab", "buy", "purchase", "order", "ad", "addd"]
    )  # fmt: skip
    dest = rng.choice(
        ["", "", f" to my {_cart(rng)}", f" in my {_cart(rng)}", f" into the {_cart(rng)}",
         f" to the {_cart(rng)}", f" in the {_cart(rng)}"]
    )  # fmt: skip
    item = _counted(rng) if rng.random() < 0.6 else _the_product(rng)
    choices = [
        (f"{verb} {item}{dest}", True),
        (f"i'll take {item}", False),
        (f"i'll have {item}", False),
        (f"i want {item}{dest}", False),
        (f"i'd like {item}", False),
        (f"i need {item}", False),
        (f"can i get {item}{dest}", False),
        (f"give me {item}", False),
        (f"{item} to my {_cart(rng)}", False),
        (f"{item} in the {_cart(rng)} please", False),
        (f"add {rng.choice(['it', 'this', 'that', 'this one', 'that one', 'them'])}"
         f" to my {_cart(rng)}", True),
        (f"i want to buy {item}", False),
        (f"ill take {item}", False),
        (f"can you add {item}{dest}", False),
        (f"add to {_cart(rng)}", True),
    ]  # fmt: skip
    return choices[0] if rng.random() < 0.35 else rng.choice(choices)


def _frames_remove(rng: random.Random) -> tuple[str, bool]:
    verb = rng.choice(
        ["remove", "delete", "take out", "take off", "drop", "get rid of", "scrap", "ditch",
         "discard", "cut", "strike", "toss out", "lose", "clear", "remvoe", "delet"]
    )  # fmt: skip
    src = rng.choice(
        ["", "", f" from my {_cart(rng)}", f" out of my {_cart(rng)}", f" from the {_cart(rng)}",
         f" off my {_cart(rng)}"]
    )  # fmt: skip
    item = _the_product(rng) if rng.random() < 0.75 else _counted(rng)
    choices = [
        (f"{verb} {item}{src}", True),
        (f"i don't want {item} in my {_cart(rng)} anymore", False),
        (f"i no longer want {item}", False),
        (f"changed my mind about {item}, remove it", False),
        (f"{item} can go", False),
        (f"no more {item} in my {_cart(rng)}", False),
        (f"take {item} out of the {_cart(rng)}", True),
        (f"remove {rng.choice(['it', 'that', 'this', 'them', 'that one'])} from my {_cart(rng)}",
         True),
        (f"empty my {_cart(rng)}", True),
        (f"i don't need {item} after all", False),
        (f"{_cart(rng)}: remove {item}", False),
        (f"get {item} out of my {_cart(rng)}", True),
    ]  # fmt: skip
    return choices[0] if rng.random() < 0.35 else rng.choice(choices)


def _frames_view_cart(rng: random.Random) -> tuple[str, bool]:
    c = _cart(rng)
    choices = [
        (f"{rng.choice(['show', 'view', 'open', 'see', 'check', 'display', 'review'])}"
         f" my {c}", True),
        (f"what's in my {c}", False),
        (f"whats in my {c}", False),
        (f"what is in the {c}", False),
        (f"what have i got in my {c}", False),
        (f"what did i put in my {c}", False),
        (f"how much is my {c}", False),
        (f"{c} total", False),
        (f"my {c}", False),
        (f"how many items are in my {c}", False),
        (f"list the items in my {c}", True),
        (f"go to my {c}", True),
        (f"{c} contents", False),
        (f"what's my {c} total", False),
        (f"let me see my {c}", True),
        ("show me what i'm buying", True),
        ("what am i about to buy", False),
        (f"{c} please", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_add_wishlist(rng: random.Random) -> tuple[str, bool]:
    w = _wishlist(rng)
    item = _the_product(rng)
    choices = [
        (f"add {item} to my {w}", True),
        (f"put {item} on my {w}", True),
        (f"save {item} for later", True),
        (f"save {item} to my {w}", True),
        (f"wishlist {item}", True),
        (f"favourite {item}", True),
        (f"favorite {item}", True),
        (f"bookmark {item}", True),
        (f"star {item}", True),
        (f"heart {item}", True),
        (f"remember {item} for me", True),
        (f"keep {item} on my {w}", True),
        (f"i want to save {item}", False),
        (f"add {rng.choice(['it', 'this', 'that one'])} to my {w}", True),
        (f"save {rng.choice(['it', 'this', 'that'])} for later", True),
        (f"{item} on my {w} please", False),
        (f"i'll buy {item} later, save it", False),
        (f"mark {item} as a favourite", True),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_view_wishlist(rng: random.Random) -> tuple[str, bool]:
    w = _wishlist(rng)
    choices = [
        (f"{rng.choice(['show', 'view', 'open', 'see', 'display', 'check'])} my {w}", True),
        (f"what's on my {w}", False),
        (f"what's in my {w}", False),
        (f"my {w}", False),
        ("what did i save", False),
        ("what did i save for later", False),
        ("things i saved", False),
        ("which products did i bookmark", False),
        (f"list my {w}", True),
        (f"let me see my {w}", True),
        ("what have i favourited", False),
        (f"go to my {w}", True),
        ("items i saved for later", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _code(rng: random.Random) -> str:
    code = rng.choice(CODES)
    roll = rng.random()
    if roll < 0.2:
        code = code.lower()
    elif roll < 0.28:
        code = rng.choice(SPOKEN_CODES)
    return f"[{code}](coupon_code)"


def _frames_coupon(rng: random.Random) -> tuple[str, bool]:
    code = _code(rng)
    kind = rng.choice(
        ["code", "coupon", "promo code", "discount code", "voucher", "coupon code", "promo",
         "voucher code", "gift code"]
    )  # fmt: skip
    choices = [
        (f"{rng.choice(['apply', 'use', 'redeem', 'enter', 'add', 'try'])} {code}", True),
        (f"{rng.choice(['apply', 'use', 'redeem', 'enter'])} {kind} {code}", True),
        (f"i have a {kind}: {code}", False),
        (f"i have a {kind} {code}", False),
        (f"my {kind} is {code}", False),
        (f"here's my {kind} {code}", False),
        (f"{kind} {code}", False),
        (f"{code} please", False),
        (f"does {code} work", False),
        (f"can i use a {kind}", False),
        ("apply a discount", True),
        (f"i got a {kind}", False),
        (f"where do i enter a {kind}", False),
        (f"put {code} on my order", True),
        (f"apply {kind} {code} to my {_cart(rng)}", True),
    ]  # fmt: skip
    return choices[0] if rng.random() < 0.35 else rng.choice(choices)


def _frames_checkout(rng: random.Random) -> tuple[str, bool]:
    c = _cart(rng)
    choices = [
        ("check out", True), ("checkout", True), ("chekout", True), ("check-out", True),
        ("pay", True), ("pay now", True), ("go to checkout", True), ("proceed to checkout", True),
        ("proceed to payment", True), ("place my order", True), ("place the order", True),
        ("complete my purchase", True), ("finish my order", True), ("confirm my order", True),
        ("submit my order", True), (f"buy everything in my {c}", True),
        (f"pay for my {c}", True), (f"pay for what's in my {c}", True),
        ("i'm ready to pay", False), ("ready to check out", False), ("i'm done shopping", False),
        ("that's all, let's pay", False), ("take my money", False), ("ring me up", True),
        ("let's finish this order", False), ("time to pay", False), ("i want to pay", False),
        ("how do i pay", False), ("complete the purchase", True), ("finalize my order", True),
        (f"order everything in the {c}", True), ("buy it all", True), ("payment please", False),
        ("let's wrap up the order", False), ("i'd like to pay now", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_track(rng: random.Random) -> tuple[str, bool]:
    ref = _order_ref(rng) if rng.random() < 0.5 else rng.choice(
        ["my order", "my package", "my parcel", "my delivery", "my shipment", "the order",
         "my stuff", "my purchase", "it", "my order"]
    )  # fmt: skip
    choices = [
        (f"{rng.choice(['track', 'trace', 'locate', 'find', 'follow', 'check', 'check on'])}"
         f" {ref}", True),
        (f"where is {ref}", False), (f"where's {ref}", False), (f"wheres {ref}", False),
        (f"when will {ref} arrive", False), (f"when will {ref} get here", False),
        (f"when does {ref} arrive", False), (f"when is {ref} coming", False),
        (f"eta for {ref}", False), (f"what's the eta on {ref}", False),
        (f"delivery date for {ref}", False), (f"status of {ref}", False),
        (f"has {ref} shipped", False), (f"has {ref} been dispatched", False),
        (f"{ref} hasn't arrived", False), (f"{ref} still hasn't come", False),
        (f"i'm still waiting for {ref}", False), (f"i can't find {ref}", False),
        (f"is {ref} on the way", False), (f"shipping update on {ref}", False),
        (f"tracking number for {ref}", False), (f"tracking info for {ref}", False),
        (f"any news about {ref}", False), (f"how long until {ref} arrives", False),
        (f"what happened to {ref}", False), (f"{ref} status", False),
        (f"did {ref} ship yet", False), ("where is my order at", False),
        ("when will it get here", False), ("when will i get my stuff", False),
        (f"i never received {ref}", False), (f"{ref} is late", False),
        (f"what's taking so long with {ref}", False), (f"trakc {ref}", True),
    ]  # fmt: skip
    return choices[0] if rng.random() < 0.35 else rng.choice(choices)


def _frames_history(rng: random.Random) -> tuple[str, bool]:
    choices = [
        ("order history", False), ("my orders", False), ("past orders", False),
        ("show my orders", True), ("list my orders", True), ("show all my orders", True),
        ("my previous orders", False), ("what did i buy before", False),
        ("what have i ordered", False), ("purchase history", False),
        ("show my purchase history", True), ("what did i order last time", False),
        ("my old orders", False), ("orders i placed", False), ("see my past purchases", True),
        ("everything i've bought", False), ("what have i bought from you", False),
        ("view my orders", True), ("recent orders", False), ("my order list", False),
        ("how many orders have i made", False), ("all my purchases", False),
        ("what did i get last month", False), ("history of my purchases", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_cancel(rng: random.Random) -> tuple[str, bool]:
    ref = _order_ref(rng) if rng.random() < 0.55 else rng.choice(
        ["my order", "the order", "my purchase", "my last order", "this order", "it",
         "the order i just placed", "my recent order"]
    )  # fmt: skip
    verb = rng.choice(
        ["cancel", "cancel", "call off", "stop", "abort", "void", "revoke", "scrap", "kill",
         "cancle", "withdraw", "undo"]
    )  # fmt: skip
    choices = [
        (f"{verb} {ref}", True),
        (f"i want to cancel {ref}", False),
        (f"i ordered by mistake, cancel {ref}", False),
        (f"i no longer want {ref}, cancel it", False),
        (f"i changed my mind, cancel {ref}", False),
        (f"please stop {ref} before it ships", True),
        (f"cancel {ref} please", True),
        (f"{ref} should be cancelled", False),
        (f"can {ref} still be cancelled", False),
        (f"cancellation of {ref}", False),
        (f"i need to cancel {ref}", False),
        (f"don't ship {ref}, cancel it", False),
    ]  # fmt: skip
    return choices[0] if rng.random() < 0.35 else rng.choice(choices)


def _frames_return(rng: random.Random) -> tuple[str, bool]:
    ref = _order_ref(rng) if rng.random() < 0.4 else rng.choice(
        ["my order", "it", "this", "the item", "my purchase", "the " + rng.choice(PRODUCTS),
         "my last order", "the product"]
    )  # fmt: skip
    problem = rng.choice(
        ["arrived broken", "is damaged", "is faulty", "doesn't fit", "is the wrong size",
         "is not as described", "stopped working", "came defective", "is the wrong colour",
         "arrived late", "is missing parts"]
    )  # fmt: skip
    choices = [
        (f"return {ref}", True), (f"refund {ref}", True), (f"i want a refund for {ref}", False),
        (f"i want my money back for {ref}", False), ("money back please", False),
        (f"reimburse me for {ref}", True), ("i'd like to be reimbursed", False),
        (f"can i get reimbursed for {ref}", False), ("i want a rebate", False),
        (f"i want compensation for {ref}", False), (f"request a chargeback for {ref}", True),
        (f"chargeback on {ref}", False), (f"file a complaint about {ref}", True),
        (f"i want to complain about {ref} and get a refund", False),
        (f"send {ref} back", True), (f"how do i send {ref} back", False),
        (f"{ref} {problem}, i want to return it", False), (f"{ref} {problem}", False),
        (f"{ref} {problem}, refund me", False), (f"exchange {ref}", True),
        (f"start a return for {ref}", True), (f"return request for {ref}", False),
        (f"can i return {ref}", False), ("i need to return something", False),
        ("give me my money back", True), ("refund please", False), (f"refnud {ref}", True),
        (f"credit my account for {ref}", True), (f"i was charged for {ref} but it {problem}",
                                                  False),
    ]  # fmt: skip
    return choices[0] if rng.random() < 0.35 else rng.choice(choices)


def _rating(rng: random.Random) -> str:
    n = rng.choice(["1", "2", "3", "4", "5", "one", "two", "three", "four", "five"])
    frame = rng.choice(["{n} stars", "{n} star", "{n}/5", "{n} out of 5", "{n} out of five"])
    if n in ("1", "one") and "stars" in frame:
        frame = frame.replace("stars", "star")
    return f"[{frame.format(n=n)}](rating)"


def _frames_review(rng: random.Random) -> tuple[str, bool]:
    item = _the_product(rng) if rng.random() < 0.7 else _order_ref(rng)
    choices = [
        (f"review {item}", True), (f"rate {item}", True), (f"rate {item} {_rating(rng)}", True),
        (f"give {item} {_rating(rng)}", True), (f"{_rating(rng)} for {item}", False),
        (f"leave a review for {item}", True), (f"write a review of {item}", True),
        (f"i want to leave feedback on {item}", False), (f"feedback on {item}", False),
        (f"my opinion of {item}: {_rating(rng)}", False), (f"comment on {item}", True),
        (f"i'd like to share my thoughts on {item}", False),
        (f"here's what i think of {item}", False), ("leave feedback", True),
        ("leave a review", True), ("i want to rate my purchase", False),
        (f"post a review {_rating(rng)}", True), (f"{item} was great, {_rating(rng)}", False),
        (f"{item} was terrible, {_rating(rng)}", False), ("give feedback on my order", True),
        (f"tell you what i think about {item}", True), (f"rating for {item}", False),
        (f"i want to give my opinion on {item}", False), (f"revew {item}", True),
    ]  # fmt: skip
    return choices[0] if rng.random() < 0.35 else rng.choice(choices)


def _frames_support(rng: random.Random) -> tuple[str, bool]:
    who = rng.choice(
        ["a human", "a real person", "an agent", "a person", "someone", "a representative",
         "customer service", "support", "a manager", "the shop", "the seller", "a live agent",
         "customer care", "the helpdesk", "an operator", "somebody"]
    )  # fmt: skip
    choices = [
        (f"talk to {who}", True), (f"speak to {who}", True), (f"connect me with {who}", True),
        (f"put me through to {who}", True), (f"i need {who}", False), (f"contact {who}", True),
        (f"get me {who}", True), (f"how do i reach {who}", False), (f"can i call {who}", False),
        ("what's your phone number", False), ("support email?", False),
        ("customer service number", False), ("contact support", True),
        (f"i want to talk to {who} about {_order_ref(rng)}", False), ("operator", False),
        ("is there anyone i can call", False), ("live chat with a person", False),
        (f"let me talk to {who}", True), (f"i need to speak with {who} now", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_help(rng: random.Random) -> tuple[str, bool]:
    choices = [
        ("help", False), ("what can you do", False), ("how does this work", False),
        ("how do i use this bot", False), ("what commands are there", False),
        ("i'm lost", False), ("i'm stuck", False), ("what now", False),
        ("how do i get started", False), ("give me a tour", True), ("show me around", True),
        ("tutorial", False), ("instructions please", False), ("what are my options", False),
        ("how does ordering work", False), ("how do i shop here", False),
        ("what can i ask you", False), ("i don't understand this bot", False),
        ("explain how this works", True), ("menu", False), ("show me the menu", True),
        ("what do i do now", False), ("what are you for", False), ("help me out here", False),
        ("can you guide me", False), ("i need assistance using this", False),
        ("how do i buy something here", False), ("what features do you have", False),
        ("start over", True), ("main menu", False), ("hlep", False), ("halp pls", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_greet(rng: random.Random) -> tuple[str, bool]:
    hello = rng.choice(
        ["hi", "hello", "hey", "hiya", "heya", "howdy", "yo", "good morning", "good afternoon",
         "good evening", "morning", "evening", "greetings", "hey there", "hello there", "hallo",
         "helo", "heyyy", "hii", "sup", "what's up"]
    )  # fmt: skip
    tail = rng.choice(
        ["", "", "", "!", " bot", " there", " everyone", " friend", ", how are you",
         ", anyone here?", ", i'm new", ", first time here", " :)", ", how's it going",
         ", nice to meet you"]
    )  # fmt: skip
    return (f"{hello}{tail}", False)


def _frames_search(rng: random.Random) -> tuple[str, bool]:
    cat = f"[{rng.choice(CATEGORIES)}](category)"
    if rng.random() < 0.2:
        cat = f"[{rng.choice(COLOURS)}](colour) {cat}"
    price = rng.choice(
        ["", "", "", f" under [${rng.randint(10, 200)}](price_max)",
         f" below [{rng.randint(10, 200)} dollars](price_max)",
         f" cheaper than [{rng.randint(10, 200)} bucks](price_max)",
         f" over [${rng.randint(10, 200)}](price_min)",
         f" for less than [${rng.randint(10, 200)}](price_max)"]
    )  # fmt: skip
    choices = [
        (f"show me {cat}{price}", True), (f"do you have {cat}{price}", False),
        (f"do you sell {cat}", False), (f"i'm looking for {cat}{price}", False),
        (f"search {cat}", True), (f"search for {cat}{price}", True), (f"find {cat}{price}", True),
        (f"browse {cat}", True), (f"any {cat}{price}?", False), (f"got any {cat}", False),
        (f"which {cat} do you stock", False), (f"do you carry {cat}", False),
        (f"let me see your {cat}", True), (f"i need new {cat}", False),
        (f"i'm hunting for {cat}", False), (f"{cat}{price}", False),
        ("what do you sell", False), ("what products do you have", False),
        ("show products", True), ("show me your products", True), ("product list", False),
        ("show me the catalogue", True), ("browse the catalog", True),
        ("what's in the shop", False), ("what's available", False), ("what's new", False),
        ("what kind of stuff do you sell", False), ("list your products", True),
        ("show me everything", True), ("what can i buy here", False),
        ("what categories do you have", False), ("best sellers", False),
        (f"something for {cat}", False), (f"gift ideas{price}", False),
        (f"looking for a {_product(rng)}", False), (f"find me a {_product(rng)}", True),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_info(rng: random.Random) -> tuple[str, bool]:
    item = _the_product(rng)
    choices = [
        (f"how much is {item}", False), (f"what's the price of {item}", False),
        (f"price of {item}", False), (f"tell me about {item}", True),
        (f"details on {item}", False), (f"more info about {item}", False),
        (f"specs for {item}", False), (f"what material is {item}", False),
        (f"is {item} in stock", False), (f"is {item} available", False),
        (f"does {item} come in other colours", False), (f"how big is {item}", False),
        (f"how heavy is {item}", False), (f"what size is {item}", False),
        (f"is {item} waterproof", False), (f"what's {item} made of", False),
        (f"show me {item}", True), (f"describe {item}", True), (f"what does {item} cost", False),
        (f"any reviews of {item}", False), (f"is {item} any good", False),
        (f"what comes with {item}", False), (f"dimensions of {item}", False),
        (f"can you tell me more about {item}", False), (f"info on {item}", False),
    ]  # fmt: skip
    return rng.choice(choices)


FRAMES: dict[str, Frame] = {
    "greet": _frames_greet,
    "help": _frames_help,
    "search": _frames_search,
    "product_info": _frames_info,
    "add_to_cart": _frames_add,
    "remove_from_cart": _frames_remove,
    "view_cart": _frames_view_cart,
    "add_to_wishlist": _frames_add_wishlist,
    "view_wishlist": _frames_view_wishlist,
    "apply_coupon": _frames_coupon,
    "checkout": _frames_checkout,
    "track_order": _frames_track,
    "order_history": _frames_history,
    "cancel_order": _frames_cancel,
    "return_order": _frames_return,
    "leave_review": _frames_review,
    "contact_support": _frames_support,
}

# --- out of scope: other services' requests, chit-chat, abuse, and shop verbs on objects the
# shop does not have ------------------------------------------------------------------------
FOREIGN_OBJECTS: dict[str, list[str]] = {
    "cancel": [
        "my gym membership",
        "my netflix subscription",
        "my spotify plan",
        "the meeting",
        "my hotel booking",
        "my flight",
        "my dentist appointment",
        "my phone contract",
        "my insurance policy",
        "the newspaper delivery",
        "my uber",
        "my table reservation",
        "my car rental",
        "my train ticket",
        "my magazine subscription",
        "the wedding",
        "my yoga class",
        "my doctor's appointment",
        "my direct debit",
        "my broadband",
    ],
    "add": [
        "my sister to the family plan",
        "a reminder for tomorrow",
        "an event to my calendar",
        "a contact to my phone",
        "money to my savings",
        "data to my phone plan",
        "this song to my playlist",
        "a friend on facebook",
        "a stop to my route",
        "a new payee",
        "minutes to my mobile",
        "my wife to the insurance",
        "a filter to my photo",
        "a comment to the document",
        "the show to my watchlist",
    ],
    "remove": [
        "that song from my playlist",
        "my friend from the group chat",
        "a contact",
        "the background from this photo",
        "my card from the account",
        "the virus",
        "my name from the mailing list",
        "this app",
        "the alarm",
        "an episode from my queue",
        "a stain from my shirt",
        "my ex from my contacts",
    ],
    "review": [
        "my essay",
        "this contract",
        "my code",
        "my resume",
        "my homework",
        "this poem",
        "my bank statement",
        "my insurance claim",
        "my tax return",
        "my cover letter",
    ],
    "return": [
        "the library book",
        "my call",
        "the rental car",
        "my mom's call",
        "the hire car",
        "to the main road",
        "the favour",
    ],
    "track": [
        "my steps",
        "my fitness",
        "my flight",
        "my calories",
        "my workout",
        "my sleep",
        "my spending",
        "the bus",
        "my phone",
        "my mood",
        "the hurricane",
    ],
    "check": [
        "my bank balance",
        "my email",
        "the weather",
        "my credit score",
        "my blood pressure",
        "the football scores",
        "my voicemail",
        "the traffic",
        "my data usage",
        "my horoscope",
    ],
    "apply": [
        "for a loan",
        "for a job",
        "sunscreen",
        "for a mortgage",
        "for a visa",
        "for a credit card",
        "makeup",
        "for university",
    ],
    "rate": ["my selfie", "this movie", "my driver", "my haircut", "my uber ride", "my doctor"],
    "buy": [
        "bitcoin",
        "shares in apple",
        "a house",
        "plane tickets",
        "movie tickets",
        "concert tickets",
        "a lottery ticket",
        "a car",
        "stocks",
    ],
    "order": [
        "a pizza",
        "a taxi",
        "an uber",
        "sushi for dinner",
        "a cab",
        "takeout",
        "chinese food",
        "a coffee from starbucks",
    ],
    "pay": ["my electricity bill", "my rent", "my phone bill", "my taxes", "the babysitter"],
    "save": ["this photo", "my game", "the document", "this phone number", "money"],
    "refund": ["my plane ticket", "my concert ticket", "my train fare", "my tax"],
}
OUT_OF_SCOPE_PHRASES = """
what's my bank balance | transfer money to my savings | freeze my card | my card was stolen
what's the interest rate on my loan | open a bank account | how do i get a mortgage
upgrade my phone plan | how much data do i have left | my phone bill is too high
switch to a cheaper mobile plan | unlock my phone | top up my sim | roaming charges abroad
play some music | play jazz | skip this song | next track | turn the volume up
recommend a movie | what's on tv tonight | who sings this song | start a podcast
book a flight to london | find me a hotel | what's the weather like | will it rain today
is my flight delayed | how far is paris | find a restaurant nearby | get me a taxi
i have a headache | book a doctor's appointment | what are the symptoms of flu
how many calories in a banana | refill my prescription | i feel sick | is ibuprofen safe
tell me a joke | who are you | are you a robot | what's the meaning of life | do you like dogs
how old are you | what's your name | are you real | do you have feelings | i'm bored
what's your favourite colour | sing me a song | write me a poem | tell me a story
you're useless | shut up | you're stupid | i hate this bot | this is garbage | go away
you suck | stupid bot | f off | what a waste of time | screw you | idiot
i want to grab lunch | i dont know | no idea | whatever | maybe | hmm | ok cool | lol
set an alarm | remind me to call mom | what time is it | what's the date today
translate this into spanish | what's 7 times 8 | what is the capital of france
turn off the lights | set the thermostat to 20 | lock the front door | call my mom
send a text to john | read my messages | check my email | what's on my calendar
how do i reset my router | my wifi is slow | the internet is down | fix my laptop
who won the match | what's the score | when is the next game | football results
what's bitcoin worth | how are the markets | should i buy tesla stock
how do i cook rice | recipe for pancakes | what should i eat tonight | i'm hungry
where is the nearest atm | where is the nearest pharmacy | directions to the station
what's the news | tell me the headlines | who is the president
do my homework | solve this equation | explain quantum physics | help me study
i need a lawyer | how do i file my taxes | when is tax day | renew my passport
how do i lose weight | best exercise for back pain | how much should i sleep
my car won't start | book a car service | where can i park | fuel prices near me
is it going to snow | sunrise time tomorrow | how hot is it outside
recommend a good book to read in general | what's a good podcast | best netflix series
i love you | will you marry me | are you single | thank god it's friday
weather in new york | flights to tokyo | train times to manchester | bus to the airport
what's the exchange rate for euros | convert 100 dollars to pounds
write an email to my boss | summarise this article | check my grammar
my dog is sick | how do i train my puppy | what do cats eat
how do i change my car insurance | cancel my car insurance | claim on my insurance
my electricity is out | pay my gas bill | read my meter
add milk and eggs to my grocery list | what's on my to do list | clear my notifications
delete my last message | delete my facebook account | remove my number from your list
play the next episode | pause the video | rewind ten seconds
show me pictures of cats | show me the news | show me the weather
"""


OFF_NOUNS = """membership subscription plan contract policy account balance loan mortgage
playlist song album podcast episode essay homework assignment appointment flight hotel
booking reservation ticket taxi doctor dentist prescription medicine insurance bill rent
salary paycheck bank pin password email calendar meeting alarm reminder weather steps
workout calories diet recipe restaurant movie series score news passport visa lawyer taxes
gym netflix spotify uber router wifi broadband photo selfie contact voicemail mortgage
pension savings stocks crypto bitcoin lottery homework thesis resume car bike scooter"""
SHOP_VERBS = [
    "cancel", "add", "remove", "review", "return", "track", "check", "rate", "renew", "pay",
    "refund", "apply for", "delete", "update", "change", "buy", "book",
]  # fmt: skip


def _off_requests(rng: random.Random, count: int) -> list[str]:
    """Shop verbs on things the shop does not sell: the verb must not decide."""
    nouns = OFF_NOUNS.split()
    out = []
    for _ in range(count):
        noun = rng.choice(nouns)
        owner = rng.choice(["my ", "my ", "the ", "our ", "a ", "this "])
        extra = rng.choice(["", "", "", " please", " for me", " today", " now"])
        out.append(wrap(rng, f"{rng.choice(SHOP_VERBS)} {owner}{noun}{extra}"))
    return out


def _out_of_scope(rng: random.Random) -> list[str]:
    base = [p.strip() for line in OUT_OF_SCOPE_PHRASES.splitlines() for p in line.split("|")]
    out = [p for p in base if p]
    for verb, objects in FOREIGN_OBJECTS.items():
        for obj in objects:
            out.append(f"{verb} {obj}")
            wrapped = wrap(rng, f"{verb} {obj}")
            out.append(wrapped)
    out.extend(_off_requests(rng, 220))
    while len(out) < OUT_OF_SCOPE_COUNT:
        verb = rng.choice(list(FOREIGN_OBJECTS))
        obj = rng.choice(FOREIGN_OBJECTS[verb])
        phrase = rng.choice(base) if rng.random() < 0.35 else f"{verb} {obj}"
        out.append(wrap(rng, phrase))
    return out


def _typo(rng: random.Random, text: str) -> str:
    """One swapped, dropped or doubled letter in a word outside any annotation."""
    plain = re.split(r"(\[[^\]]+\]\([a-z_]+\))", text)
    spots = [
        (i, m.start(), m.end())
        for i, part in enumerate(plain)
        if not part.startswith("[")
        for m in re.finditer(r"[a-z]{4,}", part)
    ]
    if not spots:
        return text
    i, start, end = rng.choice(spots)
    word = plain[i][start:end]
    k = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        new = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    elif kind < 0.7:
        new = word[:k] + word[k + 1 :]
    else:
        new = word[:k] + word[k] + word[k:]
    plain[i] = plain[i][:start] + new + plain[i][end:]
    return "".join(plain)


def _plain(text: str) -> str:
    return re.sub(r"\[([^\]]+)\]\([a-z_]+\)", r"\1", text)


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9#$/]+", _plain(text).lower()))


def generate() -> dict[str, list[str]]:
    rng = random.Random(SEED)  # noqa: S311 - a fixed sample, not a secret
    reserved: set[str] = set()
    for path in (TRAINING_FILE, TEST_FILE, HELDOUT_FILE, NEGATED_FILE):
        if path.exists():
            reserved.update(_key(e.text) for e in load(path).examples)
    out: dict[str, list[str]] = {}
    for intent, frame in FRAMES.items():
        seen: set[str] = set()
        phrases: list[str] = []
        attempts = 0
        while len(phrases) < PER_INTENT and attempts < PER_INTENT * 30:
            attempts += 1
            text, imperative = frame(rng)
            text = wrap(rng, text, imperative=imperative) if intent != "greet" else text
            if intent == "help" and text.startswith("help me"):
                continue  # "help me X" is X, not help
            if rng.random() < 0.08:
                text = _typo(rng, text)
            key = _key(text)
            if key in seen or key in reserved:
                continue
            seen.add(key)
            phrases.append(text)
        out[intent] = phrases
    seen = set()
    oos: list[str] = []
    for text in _out_of_scope(rng):
        key = _key(text)
        if key and key not in seen and key not in reserved:
            seen.add(key)
            oos.append(text)
    out["out_of_scope"] = oos
    return out


def render(data: dict[str, list[str]]) -> str:
    lines = [
        "# GENERATED by `python -m nlu.generate` from nlu/generate.py: edit that, not this.",
        "# Training phrases only (issue 16); the held-out split is heldout*.yml.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent, phrases in data.items():
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {phrase}" for phrase in phrases)
    return "\n".join(lines) + "\n"


def write(path: Path = GENERATED_FILE) -> None:
    path.write_text(render(generate()), encoding="utf-8")


def main(argv: Iterable[str] | None = None) -> int:
    write()
    print(f"wrote {GENERATED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
