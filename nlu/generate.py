"""Generates nlu/data/generated.yml: varied training phrases from templates (issue 16).

`python -m nlu.generate` rewrites the file; a test checks that it is up to date. Everything
here was written for this project: paraphrase frames per intent, politeness and hedging
wrappers, the synonyms shoppers use (locate / ETA for tracking, reimburse / chargeback for
returns, feedback / opinion for reviews, "what do you sell" for browsing), questions and
statements, "help me (to) X" read as X, a few typos, and a broad out-of-scope set (banking,
phone plans, media, travel, health, chit-chat, abuse, and shop verbs on objects the shop does
not have: "cancel my gym membership"). No public dataset was used, and the held-out files
(heldout*.yml, the stranger split) are never read except to drop an accidental exact duplicate.

Second round (after the stranger split's dev half; its phrases were studied, never copied):
more *kinds* of wording rather than more of the same. Context before the request ("i ordered
a X last week and it still hasn't come, any news", "i love the X, save it"); questions and
statements where there were mostly orders (is X still on my wishlist, is my cart empty, which
X did i buy last time, how much have i spent, has the X i ordered shipped); product questions
about one thing's attributes, fit, care and features, with attributes that belong to the kind
of thing ("noise cancelling headphones", "waterproof jackets"); searches by need, purpose and
attribute ("i need a tent for a festival", "i'm after some waterproof boots"); callback,
email and "put me in touch with" for support; what the bot is for, for help; payment methods
for checkout; swaps and replacements for returns; goods the catalog does not list (a shop
request about an unknown item is still a shop request); names that contain another request's
word ("track pants", "noise cancelling"); and, off topic, chit-chat about the bot, trivia,
how-tos, sports, abuse, and foreign complaints shaped like shop ones ("the taxi never came,
refund me"). Synonym lists are dealt from shuffled decks (`_deal`), so each one is used.

Third round (after the third stranger round's dev half; studied, never copied): wording a
customer uses around the request rather than new synonyms for its verb (`THIRD`, a share of
each intent's phrases). The courier and the distance of a parcel, "was it ever sent" doubts
and arrival days for tracking; receipts, invoices, a purchase log and the total spent for the
order history; settling up, paying after a grumble ("the page keeps freezing, take my
money") and buying the whole cart for checkout; damage found on opening ("shattered", "in
bits", "dented"), the returns policy and the wrong item sent for returns; a broken app or
payment page and complaints about the service for support; cutting a count back ("make it 2
instead of 3", "undo my last add") for removal; a cart that went missing or a quick look at
it; favs / faves and "put aside" for the wishlist; codes that do not go through; a delivery
date not worth waiting for, and "do not dispatch it", for cancelling; telling other shoppers
for reviews; filtering and gifts for a hobby for search. Off topic: questions about the bot
itself ("do you dream"), insults to it, "talk to me", and household chores worded with cart
verbs ("empty the bins", "clear my browser history"). Other shops' orders are
left to a name list in nlu/understand.py (`OTHER_MERCHANTS`), not to training phrases.

Fifth round (after the fifth stranger round's dev half; `FIFTH`): how the shop works, asked
as a question (delivery costs and times, where it ships, cash on delivery, minimum orders, the
sellers, changing the account's e-mail) for help; greetings that are a name or "gm"; stars
as emoji and scores ("10/10", "⭐⭐⭐⭐⭐") for reviews; "minus 1 X" for removal; "colour
things for someone" for search; the cart looked at before paying; order lists for accounts.

Words put in shop phrases are "known" to the object check in nlu/understand.py (a word only
off-topic phrases use vetoes a shop intent): shop frames avoid everyday words that off-topic
requests rely on ("lunch", "car", "bank", "job").

Sampling is seeded, so the file changes only when this module does.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from nlu.dataset import GENERATED_FILE, HELD_OUT_FILES, TRAINING_FILE, load

SEED = 16
PER_INTENT = 215
#: Intents with many kinds of wording get more phrases, so that each kind is seen often enough.
MORE = {
    "product_info": 310, "search": 290, "track_order": 265, "return_order": 265,
    "view_cart": 240, "remove_from_cart": 290, "contact_support": 250, "view_wishlist": 230,
    "leave_review": 230, "add_to_cart": 270, "order_history": 240, "checkout": 235,
    "help": 250,
}  # fmt: skip
OUT_OF_SCOPE_COUNT = 1160

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
    "baking basics", "cookbook", "harbour mystery paperback", "baking basics hardcover",
    "paperback", "hardcover", "hardback",
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
    "non-fiction", "men's", "women's", "sports and outdoors", "outdoors",
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
    if rng.random() < 0.12:
        good = rng.choice(OTHER_GOODS)
        return f"[{qty}](quantity) {_others(good) if plural else good}"
    return f"[{qty}](quantity) {_product(rng, plural=plural)}"


POLITE_BEFORE = [
    "", "", "", "", "", "", "please ", "can you ", "could you ", "could you please ",
    "would you ", "i'd like to ", "i want to ", "i wanna ", "i need to ", "i would like to ",
    "hey, ", "hi, ", "ok ", "okay so ", "um ", "hmm ", "quick one: ", "pls ", "kindly ",
    "is it possible to ", "help me ", "help me to ", "can you help me ", "i'm trying to ",
    "how do i ", "how can i ", "let me ", "i'd love to ", "would it be possible to ",
    "any chance you could ", "i was wondering if you could ", "do you think you could ",
    "just wanted to ", "sorry to bother you, could you ", "right, ", "so ", "alright, ",
    "yeah ", "yes, ", "could i ", "can i ", "i was hoping to ", "i'm looking to ",
    "hello, can you ", "one more thing, ", "actually, ", "excuse me, could you ",
    "mind if i ", "go ahead and ", "would you mind if i ", "i think i want to ",
]  # fmt: skip
POLITE_AFTER = [
    "", "", "", "", "", "", " please", " pls", " thanks", " thank you", " asap", " now",
    " for me", " right now", " if you can", " please?", "?", "!", " :)", " thx",
    " when you get a chance", " cheers", " ta", " thanks in advance", " if that's ok",
    " if possible", " real quick", " for me please", " thanks a lot", " ty", " mate",
    " atm", " rn", " at the moment", " again", " quickly",
]  # fmt: skip
#: What a shopper may say before a question (not an order): greetings, apologies, fillers.
ASK_BEFORE = [
    "", "", "", "", "", "", "hey, ", "um ", "hi, ", "hello, ", "quick question: ", "sorry, ",
    "so ", "hi there, ", "excuse me, ", "one more thing, ", "just wondering, ", "hmm ",
    "hey quick one, ", "question: ", "ok and ", "also, ",
]  # fmt: skip


def wrap(rng: random.Random, text: str, *, imperative: bool = True) -> str:
    before = rng.choice(POLITE_BEFORE) if imperative else rng.choice(ASK_BEFORE)
    return f"{before}{text}{rng.choice(POLITE_AFTER)}"


#: Goods a shopper may name that the catalog does not list: still a request to the shop.
OTHER_GOODS = [
    "water bottle", "backpack", "beanie", "sunglasses", "wool socks", "sleeping bag",
    "camping stove", "throw blanket", "cutting board", "phone stand", "smart watch",
    "laptop sleeve", "scarf", "jigsaw puzzle", "resistance band", "foam roller",
    "picnic blanket", "toaster", "blender", "umbrella", "hiking boots", "swim shorts",
    "tote bag", "portable charger", "head torch", "teapot", "running vest", "gym bag",
    "rain poncho", "spatula", "bread bin", "hip flask",
]  # fmt: skip
#: Head nouns of the things the shop has, for "what was that X i saved", "i need a X".
KINDS = [
    "hoodie", "t-shirt", "tee", "dress", "jacket", "coat", "pair of shoes", "pair of trainers",
    "pair of sneakers", "pair of headphones", "speaker", "charger", "phone case", "pan",
    "frying pan", "kettle", "coffee maker", "lamp", "yoga mat", "set of weights", "tent",
    "novel", "cookbook", "book", "jumper", "rain coat", "gift", "present",
]  # fmt: skip
TIMES = [
    "last week", "on monday", "three days ago", "a fortnight ago", "ten days ago",
    "at the weekend", "yesterday", "a while back", "last month", "before christmas",
    "on the 3rd", "over a week ago", "this morning", "a month ago",
]  # fmt: skip
PURPOSES = [
    "for a beginner", "for my dad", "for hiking", "for a small flat", "for the gym",
    "for winter", "for a gift", "for running", "for travel", "for my kitchen", "for a party",
    "for rainy days", "for kids", "for the office", "for camping", "for my teenage son",
    "for a festival", "for long walks", "for my girlfriend", "for a student",
]  # fmt: skip


def _other(rng: random.Random) -> str:
    return rng.choice(OTHER_GOODS)


def _others(name: str) -> str:
    if name.endswith(("s", "ses")):
        return name
    return name + "es" if name.endswith(("ch", "x")) else name + "s"


def _item(rng: random.Random) -> str:
    """A product the shopper refers to: mostly the catalog's, sometimes one it does not list."""
    if rng.random() < 0.15:
        return rng.choice(["the ", "the ", "this ", "that ", "my "]) + _other(rng)
    return _the_product(rng)


def _items(rng: random.Random) -> str:
    """Several of one product, as in "are the headphones noise cancelling"."""
    if rng.random() < 0.2:
        return "the " + _others(_other(rng))
    name = rng.choice(PRODUCTS)
    return f"the [{PLURALS.get(name, name)}](product)"


def _a_kind(rng: random.Random) -> str:
    """An unnamed thing of a kind: "a tent", "some headphones", "a water bottle"."""
    kind = rng.choice(KINDS) if rng.random() < 0.7 else _other(rng)
    if kind.startswith("pair") or kind.startswith("set"):
        return "a " + kind
    roll = rng.random()
    if roll < 0.15:
        return "some " + _others(kind)
    if roll < 0.3:
        return f"a {rng.choice(['good', 'cheap', 'decent', 'nice', 'new', 'warm', 'light'])} {kind}"
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _cart(rng: random.Random) -> str:
    return rng.choice(
        ["cart", "basket", "bag", "trolley", "shopping cart", "shopping bag", "cart", "basket",
         "shopping basket", "order basket"]
    )  # fmt: skip


def _wishlist(rng: random.Random) -> str:
    return rng.choice(
        ["wishlist", "wish list", "favourites", "favorites", "saved items", "saved list",
         "save for later list", "bookmarks", "wishlist", "favs", "faves", "list of favourites",
         "liked items", "wish-list", "saved stuff", "wishlist", "starred items"]
    )  # fmt: skip


Frame = Callable[[random.Random], tuple[str, bool]]


_DECKS: dict[tuple[str, ...], list[str]] = {}


def _deal(rng: random.Random, options: Sequence[str]) -> str:
    """One of `options`, dealt from a shuffled deck: every synonym of a list is used about
    equally often (a plain random draw left some, such as "wipe", out of the file)."""
    key = tuple(options)
    deck = _DECKS.get(key)
    if not deck:
        deck = list(options)
        rng.shuffle(deck)
        _DECKS[key] = deck
    return deck.pop()


def _pick(
    rng: random.Random,
    choices: list[tuple[str, bool]],
    *,
    first: float = 0.0,
    focus: list[tuple[str, bool]] | None = None,
    share: float = 0.0,
) -> tuple[str, bool]:
    """The plain verb frame (choices[0]) with probability `first`, one of `focus` (wordings
    that a uniform draw over many frames would sample too rarely) with `share`, else any."""
    roll = rng.random()
    if roll < first:
        return choices[0]
    if focus and roll < first + share:
        return rng.choice(focus)
    return rng.choice(choices)


def _frames_add(rng: random.Random) -> tuple[str, bool]:
    verb = _deal(rng,
        ["add", "put", "pop", "throw", "stick", "place", "toss", "chuck", "load", "include",
         "get me", "grab me", "grab", "buy", "purchase", "order", "ad", "addd", "bung",
         "slip", "gimme"]
    )  # fmt: skip
    c = _cart(rng)
    dest = rng.choice(
        ["", "", f" to my {c}", f" in my {c}", f" into the {c}", f" to the {c}", f" in the {c}"]
    )  # fmt: skip
    item = _counted(rng) if rng.random() < 0.6 else _item(rng)
    it = rng.choice(["it", "this", "that", "this one", "that one", "them"])
    liked = rng.choice(
        [
            "looks great",
            "is perfect",
            "is exactly what i wanted",
            "looks good",
            "is the one",
            "will do",
        ]
    )
    choices = [
        (f"{verb} {item}{dest}", True),
        (f"i'll take {item}", False),
        (f"i'll have {item}", False),
        (f"i want {item}{dest}", False),
        (f"i'd like {item}", False),
        (f"i need {item}", False),
        (f"i need {item} in my {c}", False),
        (f"can i get {item}{dest}", False),
        (f"give me {item}", False),
        (f"{item} to my {c}", False),
        (f"{item} in the {c} please", False),
        (f"add {it} to my {c}", True),
        (f"i want to buy {item}", False),
        (f"ill take {item}", False),
        (f"can you add {item}{dest}", False),
        (f"add to {c}", True),
        (f"add [{_qty(rng)}](quantity) more {_product(rng, plural=True)}", True),
        (f"another {_product(rng)} please", False),
        (f"one more {_product(rng)}{dest}", False),
        (f"add another {_product(rng)}{dest}", True),
        (f"{item} {liked}, add it to my {c}", False),
        (f"i've decided on {item}, add it", False),
        (f"yes, add {it}", False),
        (f"ok {verb} {it} in", False),
        (f"go on then, add {item}", False),
        (f"i'll buy {item}, put it in my {c}", False),
        (f"{item} please, into the {c}", False),
        (f"add {item} in [{rng.choice(SIZES)}](size){dest}", True),
        (f"add {item}, size [{rng.choice(SIZES[:7])}](size)", True),
        (f"i want {item}, add {it}", False),
        (f"{rng.choice(['add', 'put', 'pop', 'throw'])} {rng.choice(['a', 'one'])}"
         f" {_product(rng)}{dest}", True),
        (f"i'll take {rng.choice(['a', 'one'])} {_product(rng)}", False),
        (f"{_deal(rng, SCENES)}, {rng.choice(['add', 'put', 'pop'])} {item}{dest}", False),
        (f"{_deal(rng, SCENES)}, so i'll take {item}", False),
    ]  # fmt: skip
    return _pick(rng, choices, first=0.45)


def _frames_remove(rng: random.Random) -> tuple[str, bool]:
    verb = _deal(rng,
        ["remove", "delete", "take out", "take off", "drop", "get rid of", "scrap", "ditch",
         "discard", "cut", "strike", "toss out", "lose", "clear", "remvoe", "delet", "pull",
         "take away", "knock off", "bin"]
    )  # fmt: skip
    c = _cart(rng)
    src = rng.choice(
        ["", "", f" from my {c}", f" out of my {c}", f" from the {c}", f" off my {c}",
         f" in my {c}", f" that's in my {c}"]
    )  # fmt: skip
    item = _item(rng) if rng.random() < 0.75 else _counted(rng)
    other = _item(rng)
    it = rng.choice(["it", "that", "this", "them", "that one"])
    reason = rng.choice(
        [
            "my partner already bought one",
            "turns out i have one already",
            "found it cheaper elsewhere",
            "it was for a party that got called off",
        ]
    )
    n, m = rng.sample(["1", "2", "3", "4", "5", "one", "two", "three", "four", "six"], 2)
    choices = [
        (f"{verb} {item}{src}", True),
        (f"i don't want {item} in my {c} anymore", False),
        (f"i no longer want {item}", False),
        (f"changed my mind about {item}, remove it", False),
        (f"{item} can go", False),
        (f"no more {item} in my {c}", False),
        (f"take {item} out of the {c}", True),
        (f"remove {it} from my {c}", True),
        (f"{rng.choice(['empty', 'clear', 'clear out', 'wipe', 'reset', 'clean out'])}"
         f" my {c}", True),
        (f"start my {c} over", True),
        (f"i don't need {item} after all", False),
        (f"{c}: remove {item}", False),
        (f"get {item} out of my {c}", True),
        (f"{item} was a mistake, {rng.choice(['take it out', 'remove it', 'bin it'])}", False),
        (f"i added {item} by accident, {rng.choice(['remove it', 'take it off'])}", False),
        (f"oops, i didn't mean to add {item}, get rid of it", False),
        (f"remove {item} but keep {other}", True),
        (f"take out {item}, leave {other}", True),
        (f"i only need one of {item}, remove the rest", False),
        (f"{rng.choice(['reduce', 'cut', 'lower', 'bring down'])} {item} from {m} to {n}",
         True),
        (f"i only want {n}, not {m}, take the others out", False),
        (f"remove {item}, i'm getting it elsewhere", True),
        (f"{rng.choice(['remove', 'take out', 'delete'])} a {_product(rng)}{src}", True),
        (f"{reason}, {rng.choice(['take', 'get'])} {item} out of my {c}", False),
        (f"{item} is too expensive, take it out of my {c}", False),
    ]  # fmt: skip
    empty = _deal(
        rng,
        [
            "empty",
            "clear",
            "clear out",
            "wipe",
            "reset",
            "clean out",
            "wipe out",
            "purge",
            "flush",
            "nuke",
        ],
    )
    emptying = [
        (f"{empty} {rng.choice(['my', 'the'])} {c}", True),
        (f"{rng.choice(['remove', 'delete', 'take out', 'get rid of'])}"
         f" {rng.choice(['everything', 'all the items', 'all of it', 'the lot'])}"
         f" {rng.choice(['from', 'in'])} my {c}", True),
        (f"i want an empty {c}", False),
        (f"start again with an empty {c}", True),
    ]  # fmt: skip
    return _pick(rng, choices, first=0.45, focus=emptying, share=0.2)


def _frames_view_cart(rng: random.Random) -> tuple[str, bool]:
    c = _cart(rng)
    item = _item(rng)
    when = rng.choice(["", " earlier", " yesterday", " so far", " today", " before"])
    choices = [
        (f"{rng.choice(['show', 'view', 'open', 'see', 'check', 'display', 'review'])}"
         f" my {c}", True),
        (f"{rng.choice(['show', 'view', 'open', 'display'])} {c}", True),
        (f"what's in my {c}", False),
        (f"whats in my {c}", False),
        (f"what is in the {c}", False),
        (f"what have i got in my {c}", False),
        (f"what did i put in my {c}{when}", False),
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
        (f"is my {c} empty", False),
        (f"is there anything in my {c}", False),
        (f"do i have anything in my {c}", False),
        (f"have i got {item} in my {c}", False),
        (f"is {item} in my {c}", False),
        (f"did i already add {item} to my {c}", False),
        (f"is {item} still in the {c}", False),
        ("what's my subtotal", False), ("subtotal?", False), ("subtotal so far", False),
        ("how much do i owe so far", False), ("what's the damage so far", False),
        (f"{c} total with {rng.choice(['shipping', 'delivery', 'tax', 'postage'])}", False),
        (f"how much will my {c} cost with delivery", False),
        (f"remind me what's in my {c}", False),
        (f"{c}?", False),
        (f"how many things have i got in my {c}", False),
        (f"what does my {c} look like{when}", False),
        (f"what did i add{when}", False),
        (f"total price of my {c}", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_add_wishlist(rng: random.Random) -> tuple[str, bool]:
    w = _wishlist(rng)
    item = _item(rng)
    it = rng.choice(["it", "this", "that one", "this one"])
    occasion = rng.choice(
        [
            "christmas",
            "my birthday",
            "payday",
            "later",
            "next month",
            "the sales",
            "when i have the money",
        ]
    )
    request = rng.choice(
        [
            f"add it to my {w}",
            "save it",
            f"pop it on my {w}",
            f"stick it in my {w}",
            f"add it to {w}",
            "save it for later",
            "favourite it",
            "bookmark it",
        ]
    )
    choices = [
        (f"add {item} to my {w}", True),
        (f"put {item} on my {w}", True),
        (f"put {item} in my {w}", True),
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
        (f"add {it} to my {w}", True),
        (f"save {rng.choice(['it', 'this', 'that'])} for later", True),
        (f"{item} on my {w} please", False),
        (f"i'll buy {item} later, save it", False),
        (f"mark {item} as a favourite", True),
        (f"add to {w}", True),
        (f"i love {item}, {request}", False),
        (f"{item} looks nice, {request}", False),
        (f"not ready to buy {item} yet, {request}", False),
        (f"i might get {item} {occasion}, {request}", False),
        (f"add {item} to my {w} for {occasion}", True),
        (f"save {item} for {occasion}", True),
        (f"keep {item} for me for {occasion}", True),
        (f"put {it} on my {w}, i'll come back for it", True),
        (f"{item} goes on my {w}", False),
    ]  # fmt: skip
    verb = _deal(
        rng,
        [
            "save",
            "wishlist",
            "favourite",
            "favorite",
            "bookmark",
            "star",
            "heart",
            "fave",
            "like",
            "pin",
        ],
    )
    verbs = [(f"{verb} {item}", True), (f"{verb} {it}", True)]
    return _pick(rng, choices, focus=verbs, share=0.22)


def _frames_view_wishlist(rng: random.Random) -> tuple[str, bool]:
    w = _wishlist(rng)
    item = _item(rng)
    did = _deal(
        rng,
        [
            "saved",
            "favourited",
            "bookmarked",
            "starred",
            "liked",
            "hearted",
            "put on my wishlist",
            "saved for later",
        ],
    )
    kind = rng.choice([k for k in KINDS if not k.startswith(("pair", "set"))] + ["thing"])
    deal = _deal(
        rng,
        [
            "on sale",
            "discounted",
            "back in stock",
            "reduced",
            "cheaper now",
            "on offer",
            "in the sale",
        ],
    )
    choices = [
        (f"{rng.choice(['show', 'view', 'open', 'see', 'display', 'check'])} my {w}", True),
        (f"{rng.choice(['show', 'view', 'open'])} {w}", True),
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
        (f"is {item} still on my {w}", False),
        (f"is {item} in my {w}", False),
        (f"did i save {item}", False),
        (f"have i {did} {item}", False),
        (f"what was that {kind} i {did}", False),
        (f"which {kind} did i {rng.choice(['save', 'favourite', 'bookmark', 'star'])}", False),
        (f"{rng.choice(['show me', 'can i see', 'let me see', 'bring up'])}"
         f" {rng.choice(['the things', 'the stuff', 'everything', 'the items', 'what'])}"
         f" i {did}", True),
        (f"things i've {did}", False),
        (f"stuff i {did}", False),
        (f"my {rng.choice(['starred', 'hearted', 'liked', 'saved', 'bookmarked'])}"
         f" {rng.choice(['items', 'things', 'products', 'stuff'])}", False),
        (f"anything on my {w} {deal}", False),
        (f"is anything i {did} {deal}", False),
        (f"has anything on my {w} gone on sale", False),
        (f"are any of my {w} items {deal}", False),
        (f"how many things are on my {w}", False),
        ("remind me what i saved", False),
        (f"{w}?", False),
        (f"what was on my {w} again", False),
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
        (f"a friend sent me {code}, can you apply it", False),
        (f"knock the {kind} {code} off my total", True),
        (f"take {rng.choice(['10', '15', '20'])}% off with {code}", True),
        (f"i've got a {kind} from your email, {code}", False),
    ]  # fmt: skip
    return choices[0] if rng.random() < 0.35 else rng.choice(choices)


PAY_METHODS = [
    "card", "paypal", "apple pay", "google pay", "credit card", "debit card", "klarna",
    "my visa", "mastercard", "a gift card",
]  # fmt: skip


def _frames_checkout(rng: random.Random) -> tuple[str, bool]:
    c = _cart(rng)
    method = _deal(rng, PAY_METHODS)
    these = rng.choice(["this", "these", "it", "everything", "my things", "my stuff", "them"])
    done = rng.choice(
        [
            "that's everything",
            "that's all",
            "i'm done",
            "done",
            "all set",
            "nothing else",
            "ok that's it",
        ]
    )
    go = rng.choice(
        [
            "check out",
            "checkout",
            "let's pay",
            "ring it up",
            "take me to payment",
            "place the order",
            "let's check out",
        ]
    )
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
        (f"pay with {method}", True), (f"pay by {method}", True),
        (f"can i pay with {method}", False), (f"i'll pay by {method}", False),
        (f"{method} please, let's check out", False), (f"i want to pay using {method}", False),
        (f"place the order for {_counted(rng)} in my {c}", True),
        (f"buy the {_counted(rng)} in my {c}", True),
        (f"order what's in my {c}", True), (f"{done}, {go}", False),
        ("let's get this ordered", False), ("send my order through", True),
        ("confirm and pay", True), ("go ahead and buy it", True), ("buy it now", True),
        ("buy them now", True), ("i'll buy it all now", False), ("complete checkout", True),
        ("check me out", True), ("ready to place my order", False), ("finalise the order", True),
        (f"i want to buy what's in my {c}", False), (f"purchase my {c}", True),
        ("take me to the payment page", True), ("i'm ready to order now", False),
        (f"{method}, place the order", False), ("let's complete the order", False),
        ("i've finished, how do i pay", False), ("pay for it all", True),
        (f"how do i pay for {these}", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_track(rng: random.Random) -> tuple[str, bool]:
    ref = _order_ref(rng) if rng.random() < 0.5 else rng.choice(
        ["my order", "my package", "my parcel", "my delivery", "my shipment", "the order",
         "my stuff", "my purchase", "it", "my order", "my things"]
    )  # fmt: skip
    item = _item(rng)
    got = rng.choice(["bought", "ordered", "got", "paid for", "purchased"])
    when = rng.choice(TIMES)
    late = _deal(
        rng,
        [
            "still hasn't come",
            "hasn't turned up",
            "never arrived",
            "still isn't here",
            "hasn't shown up yet",
            "hasn't been delivered",
        ],
    )
    ask = rng.choice(
        [
            "where is it",
            "any news",
            "can you check",
            "what's going on",
            "where is it now",
            "when will it come",
            "is it lost",
        ]
    )
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
        (f"has {item} i {got} shipped", False), (f"has {item} i {got} been sent yet", False),
        (f"where's {item} i {got}", False), (f"is {item} i {got} on its way", False),
        (f"did {item} i {got} go out yet", False),
        (f"when will {item} i {got} {rng.choice(['arrive', 'turn up', 'get here'])}", False),
        (f"is {item} out for delivery", False), (f"has my {_other(rng)} been posted", False),
        (f"i {got} {_a_kind(rng)} {when} and it {late}, {ask}", False),
        (f"i {got} {item} {when}, it {late}", False),
        (f"{item} {late}, {ask}?", False),
        (f"{ref} from {when}, {rng.choice(['when will it arrive', 'where is it'])}", False),
        (f"any update on {ref}", False), (f"update on {ref}?", False),
        (f"could you check where {ref} is", False), (f"can you see where {ref} is", False),
        (f"has {ref} left the warehouse", False), (f"is {ref} out for delivery", False),
        (f"which courier has {ref}", False), (f"delivery status of {ref}", False),
        (f"expected delivery for {ref}?", False), (f"is {ref} going to arrive {when}", False),
    ]  # fmt: skip
    return choices[0] if rng.random() < 0.3 else rng.choice(choices)


def _frames_history(rng: random.Random) -> tuple[str, bool]:
    item = _item(rng)
    cat = f"[{rng.choice(CATEGORIES)}](category)"
    kind = rng.choice([k for k in KINDS if not k.startswith(("pair", "set"))])
    when = rng.choice([*TIMES, "last time", "before", "last year", "in the past"])
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
        (f"which {kind} did i buy {when}", False), (f"what {cat} have i bought from you", False),
        (f"which {cat} did i order {when}", False),
        (f"have i ordered {item} before", False), (f"did i buy {item} here before", False),
        (f"when did i last buy {item}", False), (f"what size {kind} did i get {when}", False),
        (f"how much have i spent {rng.choice(['with you', 'here', 'so far', 'on orders'])}"
         f"{rng.choice(['', ' in total', ' this year', ' altogether'])}", False),
        ("how much money have i spent in this shop", False),
        ("total amount i've spent with you", False),
        (f"what was in {_order_ref(rng)}", False), (f"what did i get in {_order_ref(rng)}", False),
        (f"items in {_order_ref(rng)}", False),
        (f"my last [{rng.choice(['3', '5', '10', 'three', 'five'])}](quantity) orders", False),
        (f"show my orders from {when}", True), (f"orders from {when}", False),
        ("when was my last order", False), ("what was my last order", False),
        ("what have i bought so far", False), ("list everything i've ever ordered", True),
        ("remind me what i ordered", False), ("the stuff i bought before", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_cancel(rng: random.Random) -> tuple[str, bool]:
    ref = _order_ref(rng) if rng.random() < 0.55 else rng.choice(
        ["my order", "the order", "my purchase", "my last order", "this order", "it",
         "the order i just placed", "my recent order", "an order"]
    )  # fmt: skip
    verb = _deal(rng,
        ["cancel", "cancel", "call off", "stop", "abort", "void", "revoke", "scrap", "kill",
         "cancle", "withdraw", "undo"]
    )  # fmt: skip
    item = _item(rng)
    doing = _deal(rng, DOING)
    mistake = _deal(
        rng,
        [
            "the wrong size",
            "the wrong colour",
            "two by accident",
            "the wrong thing",
            "it twice",
            "the wrong one",
            "too many",
            "a size too small",
            "the wrong size by mistake",
            "a medium instead of a large",
            "the wrong model",
        ],
    )
    ships = rng.choice(["ships", "goes out", "is dispatched", "gets sent", "leaves"])
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
        (f"i ordered {mistake}, {rng.choice(['cancel it', 'please cancel', 'cancel the order'])}"
         f"{rng.choice(['', f' before it {ships}'])}", False),
        (f"i found {item} cheaper elsewhere, cancel {ref}", False),
        (f"cancel the {rng.choice(PRODUCTS)} order", True),
        (f"cancel my {rng.choice(['purchase', 'order'])} of {item}", True),
        (f"cancel my order for {item}", True),
        (f"any chance you could cancel what i ordered {rng.choice(TIMES)}", False),
        (f"is it too late to cancel {ref}", False), (f"can i still cancel {ref}", False),
        (f"how do i cancel {ref}", False), (f"cancel {ref} before it {ships}", True),
        (f"i don't want {item} anymore, cancel the order", False),
        (f"please cancel everything i ordered {rng.choice(TIMES)}", True),
        (f"i no longer want {ref}", False), (f"i don't want {ref} anymore", False),
        (f"{doing} cancelling {ref}", False),
        (f"cancelling {ref}{rng.choice(['', ' please', ', thanks', ' today'])}", False),
    ]  # fmt: skip
    stop = rng.choice(
        [
            "cancel it",
            "please cancel",
            "cancel the order",
            "can you cancel it",
            "stop it",
            "call it off",
            "i need it cancelled",
        ]
    )
    wrong_size = _deal(
        rng,
        [
            "the wrong size",
            "a size too big",
            "a size too small",
            "the wrong size of " + rng.choice(PRODUCTS),
            "the wrong shoe size",
            "an xl instead of an l",
        ],
    )
    oops = rng.choice(
        [
            "i ordered",
            "i just ordered",
            "i accidentally ordered",
            "we ordered",
            "my husband ordered",
            "i think i ordered",
        ]
    )
    preambles = [
        (f"{oops} {mistake}, {stop}{rng.choice(['', f' before it {ships}'])}", False),
        (f"{oops} {mistake} so {stop}", False),
        (f"{oops} {mistake} in {ref}, {stop}", False),
        (f"{oops} {wrong_size}, {stop}{rng.choice(['', f' before it {ships}'])}", False),
        (f"{rng.choice(['i picked', 'i chose', 'i clicked'])} {wrong_size}, {stop}", False),
        (f"{doing} cancelling", False), (f"{rng.choice(['cancellation', 'cancel'])} please", False),
        (f"i want to cancel{rng.choice(['', ' it', ' that', ' something'])}", False),
    ]  # fmt: skip
    return _pick(rng, choices, first=0.3, focus=preambles, share=0.2)


def _frames_return(rng: random.Random) -> tuple[str, bool]:
    ref = _order_ref(rng) if rng.random() < 0.35 else rng.choice(
        ["my order", "it", "this", "the item", "my purchase", "the " + rng.choice(PRODUCTS),
         "my last order", "the product", "the " + _other(rng)]
    )  # fmt: skip
    problem = _deal(rng,
        ["arrived broken", "is damaged", "is faulty", "doesn't fit", "is the wrong size",
         "is not as described", "stopped working", "came defective", "is the wrong colour",
         "arrived late", "is missing parts", "fell apart", "has a hole in it", "came dented",
         "is too small", "is too big", "stopped working after a week", "broke after one use",
         "leaks", "is scratched", "isn't what i ordered", "arrived cracked", "is ripped",
         "won't turn on", "smells funny", "came with a tear"]
    )  # fmt: skip
    size = rng.choice(
        [
            "a bigger size",
            "a smaller size",
            "a 10",
            "a medium",
            "a large",
            "a different colour",
            "another one",
            "a size 8",
        ]
    )
    doing = _deal(rng, DOING)
    if rng.random() < 0.3 and problem.split()[0] in ("stopped", "broke", "fell", "leaks"):
        problem += " " + _deal(rng, AFTER_A_WHILE)
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
        (f"{ref} {problem}, can i swap it for {size}", False),
        (f"can i swap {ref} for {size}", False), (f"swap {ref} for {size}", True),
        (f"i need {size} in {ref}, can i exchange it", False),
        (f"{ref} {problem}, {rng.choice(['replacement or refund', 'i want a replacement'])}"
         f"{rng.choice(['', ' please', ' pls'])}", False),
        (f"can i get a replacement for {ref}", False),
        (f"{ref} {problem}, {rng.choice(['i want my money back', 'can i send it back'])}",
         False),
        (f"i'd like to send back {ref}", False),
        (f"can i return something i bought {rng.choice(TIMES)}", False),
        (f"{rng.choice(['my aunt', 'a friend', 'my boss', 'someone'])} gave me {_item(rng)} as a"
         f" present, can i {rng.choice(['return', 'exchange', 'swap'])} it", False),
        (f"how do returns work for {ref}", False), (f"print a return label for {ref}", True),
        (f"{doing} returning {ref}", False),
    ]  # fmt: skip
    mine = rng.choice(
        [
            "my order",
            "my parcel",
            "my delivery",
            "my package",
            "the box",
            "it",
            "my " + rng.choice(PRODUCTS),
            "the " + rng.choice(PRODUCTS),
        ]
    )
    arrived = rng.choice(["arrived", "came", "turned up", "showed up", "got here"])
    state = _deal(
        rng,
        [
            "damaged",
            "broken",
            "smashed",
            "crushed",
            "wet",
            "torn",
            "dented",
            "in pieces",
            "with bits missing",
            "opened",
            "in the wrong size",
        ],
    )
    want = _deal(
        rng,
        [
            "i want my money back",
            "can i return it",
            "refund please",
            "refund me",
            "i want a refund",
            "can you refund me",
            "just refund me",
        ],
    )
    fit = rng.choice(
        [
            "doesn't fit",
            "does not fit",
            "doesn't fit me",
            "is too tight",
            "is too loose",
            "didn't fit",
            "don't fit",
        ]
    )
    statements = [
        (f"{ref} {problem}", False),
        (f"{mine} {fit}", False),
        (f"{mine} {arrived} {state}", False),
        (f"{mine} {arrived} {state}, {rng.choice(['what now', 'what can you do', 'help'])}",
         False),
        (f"{ref} {problem}, {want}", False),
        (f"{rng.choice(['', 'please ', 'just ', 'can you '])}refund me"
         f"{rng.choice(['', ' for ' + ref, ' please', ' now'])}", False),
    ]  # fmt: skip
    return _pick(rng, choices, first=0.28, focus=statements, share=0.18)


def _rating(rng: random.Random) -> str:
    n = rng.choice(["1", "2", "3", "4", "5", "one", "two", "three", "four", "five"])
    frame = rng.choice(["{n} stars", "{n} star", "{n}/5", "{n} out of 5", "{n} out of five"])
    if n in ("1", "one") and "stars" in frame:
        frame = frame.replace("stars", "star")
    return f"[{frame.format(n=n)}](rating)"


def _frames_review(rng: random.Random) -> tuple[str, bool]:
    item = _item(rng) if rng.random() < 0.7 else _order_ref(rng)
    opinion = _deal(
        rng,
        [
            "great quality",
            "works well",
            "comfy but runs small",
            "love it",
            "not worth the money",
            "does what it says",
            "solid, would buy again",
            "a bit flimsy",
            "better than expected",
            "looks cheap in person",
        ],
    )
    post = rng.choice(
        [
            "post that as a review",
            "put that in a review",
            "add that as my review",
            "that's my review",
            "use that as my review",
        ]
    )
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
        (f"how do i {rng.choice(['rate', 'review', 'leave a review for'])}"
         f" {rng.choice(['something i bought', 'a product', 'my order', item])}", False),
        (f"where can i {rng.choice(['leave a review', 'rate', 'write a review'])}"
         f" {rng.choice(['', 'for ' + item])}", False),
        (f"can i review {item}", False), (f"i'd like to rate {item}", False),
        (f"thumbs {rng.choice(['up', 'down'])} for {item}", False),
        (f"{item}: {opinion}. {post}", False), (f"{item}, {opinion}, {post}", False),
        (f"add a review to {item}", True), (f"leave a rating for {item}", True),
        (f"{_rating(rng)} for {item}, {opinion}", False),
        (f"i want to tell other shoppers about {item}", False),
        ("leave a star rating", True), ("rate what i bought", True),
    ]  # fmt: skip
    ratings = [
        (f"{_rating(rng)} for {item}", False), (f"{item}: {_rating(rng)}", False),
        (f"{_rating(rng)}, {item}", False), (f"i give {item} {_rating(rng)}", False),
        (f"{item} gets {_rating(rng)} from me", False),
    ]  # fmt: skip
    return _pick(rng, choices, first=0.28, focus=ratings, share=0.14)


def _frames_support(rng: random.Random) -> tuple[str, bool]:
    who = _deal(rng,
        ["a human", "a real person", "an agent", "a person", "someone", "a representative",
         "customer service", "support", "a manager", "the shop", "the seller", "a live agent",
         "customer care", "the helpdesk", "an operator", "somebody", "the vendor",
         "the supplier", "the merchant", "the store owner", "your team", "a human being",
         "someone real", "an actual person", "staff", "a supervisor", "someone in charge",
         "the support team", "someone from the shop"]
    )  # fmt: skip
    fed_up = rng.choice(
        [
            "this isn't working",
            "you're not helping",
            "i've had enough",
            "i'm going round in circles",
            "this is taking forever",
            "i've been waiting for ages",
            "nothing works",
        ]
    )
    choices = [
        (f"talk to {who}", True), (f"speak to {who}", True), (f"connect me with {who}", True),
        (f"put me through to {who}", True), (f"i need {who}", False), (f"contact {who}", True),
        (f"get me {who}", True), (f"how do i reach {who}", False), (f"can i call {who}", False),
        ("what's your phone number", False), ("support email?", False),
        ("customer service number", False), ("contact support", True),
        (f"i want to talk to {who} about {_order_ref(rng)}", False), ("operator", False),
        ("is there anyone i can call", False), ("live chat with a person", False),
        (f"let me talk to {who}", True), (f"i need to speak with {who} now", False),
        (f"can {who} call me back", False), ("request a callback", True),
        (f"have {who} ring me", True), ("i want a call back", False), ("ring me back", True),
        (f"how do i {rng.choice(['email', 'phone', 'call', 'contact', 'message'])}"
         f" {rng.choice(['you', 'the shop', 'support', 'customer service'])}", False),
        ("what's your email address", False), ("can i email support", False),
        ("what email can i write to", False), ("how can i get in touch", False),
        (f"i'd like to get in touch with {who}", False), (f"put me in touch with {who}", True),
        (f"pass me to {who}", True), (f"transfer me to {who}", True),
        (f"escalate this to {who}", True), (f"i want to make a complaint to {who}", False),
        (f"who do i contact about {_order_ref(rng)}", False),
        (f"contact details for {who}", False),
        ("when is customer service open", False), ("support opening hours", False),
        ("is there a helpline", False), (f"chat with {who}", True),
        (f"{rng.choice(['contact', 'message', 'ask'])} the"
         f" {rng.choice(['seller', 'vendor', 'maker', 'supplier', 'brand'])} of {_item(rng)}",
         True),
        (f"{fed_up}, {rng.choice(['let me speak to', 'get me', 'i want', 'put me through to'])}"
         f" {who}", False),
        (f"can i speak to {who} instead of a bot", False),
        ("give me a number i can ring", True), ("i'd like someone to phone me", False),
        ("send me your contact details", True), ("how do i lodge a complaint", False),
    ]  # fmt: skip
    means = _deal(
        rng,
        [
            "phone number",
            "email",
            "email address",
            "contact number",
            "helpline number",
            "whatsapp",
            "support line",
            "number",
            "customer service email",
            "live chat",
        ],
    )
    reach = _deal(
        rng,
        [
            "email",
            "phone",
            "ring",
            "call",
            "message",
            "reach",
            "contact",
            "get hold of",
            "write to",
            "speak to",
        ],
    )
    whom = rng.choice(
        ["you", "you guys", "the shop", "support", "the team", "a person", "customer services"]
    )
    call = rng.choice(["callback", "call back", "phone call"])
    keyword = _deal(
        rng,
        [
            "agent",
            "human",
            "operator",
            "live agent",
            "real person",
            "customer service",
            "customer services",
            "helpdesk",
            "support",
            "manager",
            "supervisor",
            "person please",
            "human please",
            "call me",
            "callback",
            "complaint",
        ],
    )
    channels = [
        (keyword, False), (f"{keyword}!", False), (f"{keyword}?", False),
        (f"what's your {means}", False), (f"what is the {means} for support", False),
        (f"{means} for customer service?", False), (f"do you have a {means}", False),
        (f"how do i {reach} {whom}", False),
        (f"can i {reach} you", False), (f"i'd like a {call}", False),
        (f"can {who} {rng.choice(['call', 'ring', 'phone', 'email'])} me", False),
        (f"please have {who} {rng.choice(['call', 'email', 'contact'])} me", True),
    ]  # fmt: skip
    return _pick(rng, choices, focus=channels, share=0.3)


def _frames_help(rng: random.Random) -> tuple[str, bool]:
    bot = rng.choice(["bot", "chat", "thing", "assistant", "app", "service", "chatbot"])
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
        (f"what is this {bot} for", False), (f"what's the point of this {bot}", False),
        (f"what does this {bot} do", False), (f"what is this {bot}", False),
        ("how do i use you", False), (f"how am i supposed to use this {bot}", False),
        (f"how do i talk to this {bot}", False), ("how should i talk to you", False),
        ("how do i ask you for things", False), ("what should i type", False),
        ("what can i say to you", False), ("what kind of things can you help with", False),
        ("what are you able to do", False), ("which commands do you understand", False),
        ("is there a list of commands", False), ("first time here, what can you do", False),
        ("i've never used this before, where do i start", False),
        ("walk me through how this works", True), (f"what can this {bot} do", False),
        (f"how does this {bot} work", False), ("do you understand normal sentences", False),
        ("what's the best way to ask you things", False), ("how do i word my requests", False),
        (f"what's this {bot} about", False), ("what do you do exactly", False),
        ("show me how to use this", True), ("how do i chat with you", False),
        ("what are you capable of", False), ("what are your capabilities", False),
        ("tell me what you can do", True), ("list what you can do", True),
        ("what sort of things can i ask", False),
        (f"i'm confused, how does this {bot} work", False), ("what can i do here", False),
    ]  # fmt: skip
    return rng.choice(choices)


def _frames_greet(rng: random.Random) -> tuple[str, bool]:
    hello = _deal(rng,
        ["hi", "hello", "hey", "hiya", "heya", "howdy", "yo", "good morning", "good afternoon",
         "good evening", "morning", "evening", "greetings", "hey there", "hello there", "hallo",
         "helo", "heyyy", "hii", "sup", "what's up", "good day", "hi folks", "hey team",
         "hello friend", "hey you", "hi bot", "ahoy", "hullo"]
    )  # fmt: skip
    tail = _deal(rng,
        ["", "", "", "!", " bot", " there", " everyone", " friend", ", how are you",
         ", anyone here?", ", i'm new", ", first time here", " :)", ", how's it going",
         ", nice to meet you", ", hope you're doing well", ", hope all is good",
         ", hope your day is going well", ", how are things", ", how's your day", " again",
         ", good to be back", ", how are you doing today", ", hope you're having a good day",
         ", i'm back", " shop", " store"]
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
         f" for less than [${rng.randint(10, 200)}](price_max)",
         f", nothing over [{rng.randint(10, 200)} dollars](price_max)",
         f", ideally under [${rng.randint(10, 200)}](price_max)"]
    )  # fmt: skip
    thing = _a_kind(rng)
    purpose = _deal(rng, PURPOSES)
    after = _deal(
        rng,
        [
            "i'm after",
            "i'm in the market for",
            "i'm shopping for",
            "on the hunt for",
            "after",
            "i'm on the lookout for",
            "i want to find",
            "searching for",
            "i could use",
        ],
    )
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
        (f"i need {thing} {purpose}{price}", False), (f"{after} {thing}", False),
        (f"{after} {thing} {purpose}", False), (f"{after} some {cat}{price}", False),
        (f"anything good {purpose}?", False), (f"what have you got {purpose}", False),
        (f"what {cat} have you got", False), (f"what {cat} do you have{price}", False),
        (f"recommend {thing} {purpose}", True), (f"what would you suggest {purpose}", False),
        (f"have you got any {cat} in {rng.choice(COLOURS)}", False),
        (f"{rng.choice(['cheap', 'affordable', 'budget', 'good', 'decent'])} {cat}"
         f"{rng.choice(['', ' please', '?'])}", False),
        (f"do you do {cat}", False), (f"any {cat} on sale", False),
        (f"what's in the {cat} section", False), (f"show me some {cat} {purpose}", True),
        (f"need some {cat} {purpose}{price}", False), (f"i want to buy {thing} {purpose}", False),
        (f"could you find me {thing}{price}", True), (f"do you stock {thing}", False),
        (f"is there {thing} {purpose} in your shop", False),
        (f"what options do you have for {cat}", False), (f"where are your {cat}", False),
    ]  # fmt: skip
    name = rng.choice(PRODUCTS)
    many = rng.choice([
        cat, cat, f"[{PLURALS.get(name, name)}](product)", _others(_other(rng)), "earphones",
        "trainers", "boots", "coats", "jumpers", "plates", "bottles", "bags", "novels",
    ])  # fmt: skip
    kind_of = _deal(
        rng,
        [
            "waterproof",
            "noise cancelling",
            "wireless",
            "lightweight",
            "vegan",
            "non-slip",
            "insulated",
            "rechargeable",
            "machine washable",
            "foldable",
            "kids'",
            "women's",
            "men's",
            "second hand",
            "eco",
            "waterproof hiking",
            "large",
            "slim",
            "portable",
        ],
    )
    looking = _deal(
        rng,
        [
            "looking for",
            "i'm looking for",
            "show me",
            "any",
            "do you have",
            "i want",
            "need",
            "got any",
            "do you sell",
            "find me",
            "searching for",
        ],
    )
    cheap = _deal(
        rng,
        [
            "cheap",
            "affordable",
            "budget",
            "inexpensive",
            "good value",
            "the cheapest",
            "the best",
            "top rated",
            "popular",
        ],
    )
    attr, kinds = _attributed(rng)
    attr_kind = f"{attr} {kinds}"
    wanted = [
        (f"i need {thing} {purpose}{price}", False), (f"{after} {thing}", False),
        (f"{after} {thing} {purpose}", False), (f"{looking} {kind_of} {many}{price}", False),
        (f"{cheap} {many}{rng.choice(['', ' please', '?', ' pls'])}", False),
        (f"{looking} {thing}{price}", False), (f"i need {many} {purpose}", False),
        (f"{kind_of} {many}{price}", False),
        (f"{looking} {attr_kind}{price}", False), (f"{attr_kind}{price}", False),
        (f"{after} {rng.choice(['some', 'a pair of', 'any'])} {attr_kind}", False),
        (f"do you have any {attr_kind}", False),
        (f"{looking} {rng.choice(LOOKALIKES)}{price}", False),
        (f"{cheap} [{PLURALS.get(name, name)}](product){rng.choice(['', ' please', '?'])}",
         False),
    ]  # fmt: skip
    return _pick(rng, choices, focus=wanted, share=0.3)


#: What shoppers search by and ask about, per kind of thing: (plural, singular, attributes).
ATTRIBUTES: list[tuple[str, str, list[str]]] = [
    ("headphones", "headphones", ["noise cancelling", "wireless", "over-ear", "bluetooth",
                                  "foldable", "noise-cancelling", "in-ear"]),
    ("earphones", "earphones", ["noise cancelling", "wireless", "sweatproof", "bluetooth"]),
    ("speakers", "speaker", ["bluetooth", "waterproof", "portable", "smart", "wireless"]),
    ("jackets", "jacket", ["waterproof", "insulated", "lightweight", "packable", "hooded"]),
    ("boots", "boots", ["waterproof", "hiking", "leather", "winter"]),
    ("running shoes", "running shoes", ["lightweight", "cushioned", "wide fit", "trail"]),
    ("sneakers", "sneaker", ["leather", "canvas", "vegan", "white", "slip-on"]),
    ("tents", "tent", ["two-person", "ultralight", "waterproof", "family", "pop-up"]),
    ("pans", "pan", ["nonstick", "induction", "oven safe", "ceramic", "dishwasher safe"]),
    ("skillets", "skillet", ["cast iron", "pre-seasoned", "oven safe", "induction"]),
    ("yoga mats", "yoga mat", ["non-slip", "extra thick", "eco", "travel", "cork"]),
    ("chargers", "charger", ["fast", "usb-c", "wireless", "dual port", "compact"]),
    ("phone cases", "case", ["wallet", "shockproof", "clear", "silicone", "magsafe"]),
    ("hoodies", "hoodie", ["zip", "oversized", "fleece", "organic cotton", "heavyweight"]),
    ("dresses", "dress", ["summer", "long", "linen", "wrap", "casual"]),
    ("lamps", "lamp", ["dimmable", "led", "reading", "cordless", "adjustable"]),
    ("kettles", "kettle", ["electric", "gooseneck", "stovetop", "quiet", "fast boil"]),
    ("books", "novel", ["mystery", "second hand", "signed", "large print", "crime"]),
    ("water bottles", "water bottle", ["insulated", "leakproof", "bpa free", "glass"]),
    ("backpacks", "backpack", ["waterproof", "laptop", "hiking", "anti-theft"]),
    ("dumbbells", "dumbbell pair", ["adjustable", "hex", "rubber coated"]),
    ("t-shirts", "tee", ["organic cotton", "oversized", "slim fit", "graphic", "plain"]),
]  # fmt: skip


def _common(rng: random.Random, options: list[str]) -> str:
    """The first (most asked about) option twice as often as its share."""
    return options[0] if rng.random() < 0.35 else rng.choice(options)


#: What goes before a request worded with its -ing form ("i'm thinking about cancelling X").
DOING = [
    "i am", "i'm", "we are", "i'm thinking about", "i need help", "what about", "how about",
    "i was thinking of", "i'm considering", "any help with",
]  # fmt: skip
#: How soon a thing went wrong ("stopped working after a week").
AFTER_A_WHILE = [
    "after a week", "after three weeks", "within a month", "after one wash",
    "on the first day", "after a few uses", "in under a week", "after ten days",
]  # fmt: skip
#: What a shopper may say before asking to add something.
SCENES = [
    "my son's birthday is coming up", "it's for my sister", "i've had my eye on it for ages",
    "payday finally", "mine just broke", "we're going camping next month",
    "my old one fell apart", "it's a present for my boss", "i start running next week",
    "we've just moved house", "treating myself",
]  # fmt: skip
#: Things whose names contain another request's word ("cancel", "track", "check", "save"):
#: still searches and product questions.
LOOKALIKES = [
    "noise cancelling headphones", "noise-cancelling earphones", "noise cancelling headset",
    "track pants", "a track jacket", "a tracksuit", "a check shirt", "checked trousers",
    "a return-air vent filter", "a save-the-date card", "star stickers", "a cart for the garden",
    "an order book", "a wish jar",
]  # fmt: skip


def _attributed(rng: random.Random) -> tuple[str, str]:
    """("noise cancelling", "headphones"): an attribute and the kind of thing it belongs to."""
    plural, _, options = ATTRIBUTES[int(_deal(rng, [str(i) for i in range(len(ATTRIBUTES))]))]
    return _common(rng, options), plural


def _attributed_product(rng: random.Random) -> tuple[str, str, bool]:
    """An attribute, a named product of that kind ("the [studio headphones](product)") and
    whether the name is plural."""
    _, singular, options = rng.choice(ATTRIBUTES)
    names = [p for p in PRODUCTS if p.endswith(singular)] or [singular]
    name = rng.choice(names)
    if name in PLURALS and rng.random() < 0.4:
        name, many = PLURALS[name], True
    else:
        many = name.endswith(("phones", "shoes", "sneakers", "dumbbells", "boots"))
    colour = f"[{rng.choice(COLOURS)}](colour) " if rng.random() < 0.3 else ""
    return _common(rng, options), f"the {colour}[{name}](product)", many


INFO_ADJECTIVES = [
    "waterproof", "noise cancelling", "machine washable", "dishwasher safe", "oven safe",
    "induction compatible", "vegan", "true to size", "foldable", "adjustable", "rechargeable",
    "wireless", "non-slip", "lightweight", "breathable", "bpa free", "stretchy",
    "good for beginners", "suitable for kids", "easy to clean", "water resistant",
    "microwave safe", "organic cotton", "padded", "insulated", "unisex",
]  # fmt: skip
INFO_FEATURES = [
    "a warranty", "pockets", "a hood", "bluetooth", "a lid", "a carry bag", "a usb-c port",
    "a built-in mic", "a detachable strap", "fast charging", "an auto shut-off",
    "a non-stick coating", "padding", "a zip", "reflective strips", "a temperature gauge",
    "a volume limiter", "a drawstring", "an index", "a glass lid", "a kickstand",
]  # fmt: skip
INFO_ASPECTS = [
    "battery life", "weight", "capacity", "warranty", "wattage", "fabric", "page count",
    "dimensions", "sizing", "material", "lead time", "charging time",
    "price", "colour options", "pack size", "burn time", "range",
]  # fmt: skip
DEVICES = [
    "an iphone 13", "an iphone 14 pro", "a pixel 8", "a galaxy s23", "my laptop",
    "a macbook", "a uk plug", "an induction hob", "an ipad", "a samsung phone", "a 13 inch laptop",
    "a standard double bed", "my android phone", "a bedside table",
]  # fmt: skip
SHORT_QUESTIONS = [
    "is it waterproof", "does it run small", "what's it made of", "how heavy is it",
    "does it come in blue", "is it any good", "how big is it", "is it in stock",
    "what sizes are there", "does it have a warranty", "how long does the battery last",
    "can it go in the dishwasher", "is it true to size", "how much is it",
]  # fmt: skip


def _frames_info(rng: random.Random) -> tuple[str, bool]:
    item = _item(rng)
    items = _items(rng)
    adj = _deal(rng, INFO_ADJECTIVES)
    feature = _deal(rng, INFO_FEATURES)
    aspect = _deal(rng, INFO_ASPECTS)
    place = _deal(
        rng,
        [
            "oven",
            "dishwasher",
            "microwave",
            "washing machine",
            "dryer",
            "freezer",
            "fridge",
            "tumble dryer",
        ],
    )
    device = _deal(rng, DEVICES)
    unit = _deal(
        rng,
        [
            "watts",
            "litres",
            "pages",
            "cups",
            "kilos",
            "grams",
            "inches",
            "centimetres",
            "hours of battery",
            "mah",
            "pieces",
            "decibels",
        ],
    )
    how = _deal(
        rng,
        [
            "long",
            "wide",
            "tall",
            "warm",
            "loud",
            "thick",
            "durable",
            "comfy",
            "sturdy",
            "bright",
            "quiet",
            "fast",
            "deep",
            "strong",
            "soft",
        ],
    )
    title = rng.choice(
        ["harbour mystery", "locked room novel", "weeknight cookbook", "baking basics"]
    )
    book = f"[{title}](product)"
    purpose = _deal(rng, PURPOSES)
    short_q = rng.choice(SHORT_QUESTIONS)
    size = rng.choice([*SIZES, "size 12", "a medium", "an xl", "a size 10"])
    choices = [
        (f"how much is {item}", False), (f"what's the price of {item}", False),
        (f"how much is a {_product(rng)}", False),
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
        (f"is {item} {adj}", False), (f"are {items} {adj}", False),
        (f"{item}, is it {adj}?", False), (f"does {item} have {feature}", False),
        (f"do {items} have {feature}", False), (f"does {item} come with {feature}", False),
        (f"can {item} go in the {place}", False), (f"can i put {item} in the {place}", False),
        (f"will {item} fit {device}", False), (f"does {item} fit {device}", False),
        (f"is {item} compatible with {device}", False), (f"will {item} work with {device}",
                                                          False),
        (f"how many {unit} is {item}", False), (f"how many {unit} does {item} have", False),
        (f"what's the {aspect} of {item}", False), (f"{aspect} of {item}?", False),
        (f"what's the {aspect} like on {item}", False), (f"{item} {aspect}?", False),
        (f"how long does {item} last on one charge", False),
        (f"how {how} is {item}", False), (f"what does {item} weigh", False),
        (f"what sizes does {item} come in", False), (f"what colours does {item} come in", False),
        (f"do you have {_the_product(rng)} in [{rng.choice(COLOURS)}](colour)", False),
        (f"do you have {_the_product(rng)} in {size}", False),
        (f"is {item} available in {size}", False),
        (f"got {item} in [{rng.choice(COLOURS)}](colour)?", False),
        (f"any {item} left in {size}", False), (f"is {item} true to size", False),
        (f"does {item} run small", False), (f"who makes {item}", False),
        (f"who wrote {book}", False), (f"how many pages is {book}", False),
        (f"is there a sequel to {book}", False), (f"what's {book} about", False),
        (f"is {item} good {purpose}", False), (f"would {item} be ok {purpose}", False),
        (f"can i use {item} {purpose}", False),
        (f"what's the difference between {item} and {_the_product(rng)}", False),
        (f"quick question about {item}, {short_q}", False), (f"{item}: {short_q}?", False),
        (f"i'm thinking of getting {item}, {short_q}", False),
        (f"before i buy {item}, {short_q}", False), (f"{item}, {short_q}?", False),
        (f"how does {item} fit", False), (f"is {item} worth it", False),
        (f"do you know if {item} is {adj}", False),
        (f"i was wondering whether {item} has {feature}", False),
        (f"could you tell me if {item} is {adj}", False),
        (f"i'd like to know the {aspect} of {item}", False),
        (f"how many people fit in {item}", False), (f"how many does {item} serve", False),
    ]  # fmt: skip
    quality, named, many = _attributed_product(rng)
    be = "are" if many else "is"
    attributes = [
        (f"{be} {named} {quality}", False), (f"{named}, {'are they' if many else 'is it'}"
                                              f" {quality}?", False),
        (f"{'do' if many else 'does'} {named} {rng.choice(['have', 'come with'])} {feature}",
         False),
        (f"is {item} {adj}", False), (f"are {items} {adj}", False),
        (f"does {item} have {feature}", False), (f"do {items} have {feature}", False),
        (f"can {item} go in the {place}", False), (f"will {item} fit {device}", False),
        (f"{aspect} of {item}?", False), (f"{rng.choice(['what about', 'and'])} the {aspect}"
                                          f" on {item}?", False),
        (f"how {how} is {item}", False), (f"how {how} are {items}", False),
    ]  # fmt: skip
    return _pick(rng, choices, focus=attributes, share=0.3)


# --- third round: kinds of wording the third stranger round's dev half showed missing -------
#: A grumble before the request ("the page keeps freezing, just let me pay").
GRUMBLES = [
    "i've been at this for ages", "this is taking forever", "i've tried three times already",
    "the page keeps freezing", "honestly", "ugh", "finally", "right, enough browsing",
    "sorry for the wait", "this site is so slow", "i keep getting bounced back",
    "i've been trying to pay for 20 mins", "been stuck here 10 min", "half an hour on this page",
    "i've waited five minutes for the page",
]  # fmt: skip


def _third_track(rng: random.Random) -> list[tuple[str, bool]]:
    mine = rng.choice(["my order", "my parcel", "my package", "my stuff", "it", "my things",
                       _order_ref(rng), _the_product(rng)])  # fmt: skip
    courier = _deal(rng, ["courier", "driver", "delivery driver", "postman", "delivery van",
                          "van", "delivery guy", "courier company", "post office"])  # fmt: skip
    ago = rng.choice(["ten days ago", "last tuesday", "a week back", "on monday", "on the 4th",
                      "last month", "three weeks back", "before the weekend"])  # fmt: skip
    return [
        (f"has the {courier} {rng.choice(['collected', 'picked up', 'got'])} {mine} yet", False),
        (f"what time is the {courier} {rng.choice(['due', 'coming', 'arriving'])}", False),
        (f"is the {courier} nearly here{rng.choice(['', ' with ' + mine])}", False),
        (f"which {courier} is bringing {mine}", False),
        (f"is {mine} still far {rng.choice(['from me', 'away', 'off'])}", False),
        (f"how close is {mine}{rng.choice(['', ' to me', ' now'])}", False),
        (f"how many stops before {mine} reaches me", False),
        (f"have you actually {rng.choice(['posted', 'dispatched', 'shipped'])} {mine} or not",
         False),
        (f"was {mine} ever {rng.choice(['sent out', 'posted', 'dispatched'])}", False),
        (f"are you sure {mine} {rng.choice(['was sent', 'went out', 'left you'])}", False),
        (f"you did {rng.choice(['post', 'ship', 'dispatch'])} {mine}, right?", False),
        (f"arrival time for {mine}?", False), (f"eta{rng.choice(['', '?'])} {_item(rng)}", False),
        (f"i paid {ago} and {rng.choice(['still nothing', 'nothing yet', 'no sign of it'])},"
         f" {rng.choice(['when does it land', 'is it coming', 'where has it got to'])}", False),
        (f"the order i put in {ago}, "
         f"{rng.choice(['when will i get it', 'any sign of it', 'is it close'])}",
         False),
        (f"roughly when {rng.choice(['does', 'will'])} {mine} land", False),
        (f"what day {rng.choice(['does', 'will'])} {mine} come", False),
        (f"where's {mine} got to", False), (f"is {mine} still coming", False),
    ]  # fmt: skip


def _third_history(rng: random.Random) -> list[tuple[str, bool]]:
    ref = _order_ref(rng)
    paper = _deal(rng, ["receipt", "invoice", "vat receipt", "proof of purchase", "tax invoice",
                        "order confirmation", "vat invoice"])  # fmt: skip
    buys = _deal(rng, ["past buys", "old purchases", "earlier orders", "purchase log",
                       "buying history", "order record", "purchase record", "spending history",
                       "my buys so far", "account history"])  # fmt: skip
    return [
        (f"could i have {rng.choice(['the', 'a'])} {paper} for {ref}", False),
        (f"{rng.choice(['email', 'send'])} me {rng.choice(['the', 'a'])} {paper} for {ref}", True),
        (f"i lost my {paper} for {ref}", False), (f"{paper} needed for {ref}", False),
        (f"{rng.choice(['download', 'print'])} {rng.choice(['the', 'my'])} {paper} for {ref}",
         True),
        (f"where can i {rng.choice(['download', 'get', 'find'])} my {paper}s", False),
        (f"i need {paper}s for my {rng.choice(['expenses', 'accountant', 'tax return'])}", False),
        (f"a list of my {buys}", False), (f"{rng.choice(['show me', 'open'])} my {buys}", True),
        (f"what's in my {buys}", False),
        (f"show me all the stuff i've {rng.choice(['bought', 'ordered', 'got'])} here"
         f"{rng.choice(['', ' lol', ' ever'])}", True),
        (f"everything i ever {rng.choice(['ordered', 'bought'])} from you"
         f"{rng.choice(['', ' pls', '?'])}",
         False),
        (f"what's my {rng.choice(['total spend', 'spending total', 'lifetime spend'])} with you",
         False),
        (f"how much {rng.choice(['money', 'cash', ''])} have i "
         f"{rng.choice(['paid you', 'splashed out', 'given you'])}"
         f" {rng.choice(['this year', 'so far', 'in total', 'since january'])}".replace("  ", " "),
         False),
        (f"sum of all my orders {rng.choice(['this year', 'so far', 'ever'])}", False),
    ]  # fmt: skip


def _third_checkout(rng: random.Random) -> list[tuple[str, bool]]:
    c = _cart(rng)
    grumble = _deal(rng, GRUMBLES)
    return [
        (rng.choice(["time to", "let's", "can we"]) + " settle up", False),
        (f"settle my bill{rng.choice(['', ' now', ' please'])}", True),
        (f"i want to settle {rng.choice(['the balance', 'up for the ' + c, 'my bill'])}", False),
        (f"{grumble}, "
         + rng.choice(
             ["can i just pay now", "take my money", "just take me to payment",
              "check me out already"]
         ),
         False),
        (f"{rng.choice(['ship', 'post'])} it all to me, i'm paying now", False),
        (f"{rng.choice(['buy', 'order', 'purchase'])} the whole {c}"
         f"{rng.choice(['', ' now', ' in one go'])}",
         True),
        (f"buy everything i've got in the {c}, {_the_product(rng)} too", True),
        (f"i'm happy with my {c}, {rng.choice(['pay now', 'checkout', 'bill me'])}", False),
        (f"{rng.choice(['ok', 'right', 'cool'])} "
         f"{rng.choice(['cash me out', 'checkout time', 'bill me'])}",
         False),
        ("cash me out", True), ("wrap it up, i'll pay", False),
    ]  # fmt: skip


def _third_return(rng: random.Random) -> list[tuple[str, bool]]:
    thing = _the_product(rng)
    state = _deal(rng, ["in pieces", "dented", "cracked", "smashed", "crushed", "bent",
                        "shattered", "chipped", "torn open", "soaking wet", "broken in two",
                        "scratched all over", "in bits"])  # fmt: skip
    return [
        (f"{thing} was {state} when i opened {rng.choice(['it', 'the box', 'the parcel'])}", False),
        (f"got {thing} {rng.choice(['today', 'this morning', 'yesterday'])} and it's {state}",
         False),
        (f"{thing} {rng.choice(['arrived', 'showed up', 'came', 'turned up', 'got here'])}"
         f" {state}", False),
        (f"{thing} " + rng.choice(["won't turn on", "stopped working", "doesn't work", "is dead",
                                   "won't charge"]), False),
        (f"{thing} is {state}, "
         + rng.choice(
             ["the courier must have dropped it", "badly packed", "what can you do",
              "sort it out"]
         ),
         False),
        (rng.choice(["do you have", "how does your", "what's the deal with your"])
         + f" {rng.choice(['returns', 'refund', 'exchange'])} policy", False),
        (f"how many days do i have to {rng.choice(['return', 'send back'])} {thing}", False),
        ("they sent me " + rng.choice(["the wrong thing", "someone else's order", "the wrong item"])
         + f","
         f" {rng.choice(['how do i return it', 'i want to send it back', 'take it back'])}", False),
        (f"need to swap {_items(rng)} for "
         f"{rng.choice(['a size up', 'an 8', 'a bigger pair', 'a smaller size'])},"
         f" {rng.choice(['they pinch', 'they are too tight', 'too big'])}", False),
        (f"{rng.choice(['wrong item', 'wrong colour', 'wrong size'])} "
         f"{rng.choice(['sent', 'delivered'])},"
         f" {rng.choice(['posting it back', 'swap it', 'refund me'])}", False),
    ]  # fmt: skip


def _third_support(rng: random.Random) -> list[tuple[str, bool]]:
    broken = _deal(rng, ["the payment page", "the app", "your website", "the checkout page",
                         "the login", "the site", "the card form", "the page"])  # fmt: skip
    fault = _deal(rng, ["keeps crashing", "keeps logging me out", "won't load", "is broken",
                        "gives me an error", "keeps freezing", "is down",
                        "won't accept my card"])  # fmt: skip
    return [
        (f"{broken} {fault}, "
         + rng.choice(
             ["is there someone to report it to", "who deals with that",
              "can your team look at it", "i need your tech team"]
         ),
         False),
        (f"{broken} {fault}", False),
        (f"report a {rng.choice(['bug', 'problem', 'technical issue', 'glitch'])}"
         f"{rng.choice(['', ' with ' + broken])}", True),
        (f"{rng.choice(['i want to', 'i need to', 'how do i', 'can i'])}"
         f" {rng.choice(['file', 'raise', 'lodge', 'submit'])} a complaint about"
         f" "
         + rng.choice(
             ["your service", "a staff member", "the way i was treated", "your customer service"]
         ),
         False),
        (f"is there a {rng.choice(['person', 'human', 'team', 'manager'])} who can fix"
         f" this", False),
        (rng.choice(["you are", "you're", "what a"]) + f" {_deal(rng, INSULTS)}"
         f" {rng.choice(['bot', 'robot', 'machine', 'assistant'])},"
         f" {rng.choice(['put me through to', 'transfer me to', 'i want', 'connect me to'])}"
         f" {rng.choice(['a human', 'a real person', 'an agent', 'staff'])}", False),
    ]  # fmt: skip


def _third_remove(rng: random.Random) -> list[tuple[str, bool]]:
    name = rng.choice(PRODUCTS)
    many = PLURALS.get(name, name)
    n, m = rng.sample(["one", "two", "three", "four", "1", "2", "3", "5"], 2)
    return [
        (f"i just need the one [{name}](product), take the extra out", False),
        (f"cut it back to [{n}](quantity) [{many}](product)", True),
        (f"make it [{n}](quantity) [{many}](product) instead of {m}", True),
        (f"i've got {m} [{many}](product) in there but only want [{n}](quantity)", False),
        (f"{rng.choice(['lower', 'set', 'change'])} the "
         f"{rng.choice(['number', 'quantity', 'amount'])}"
         f" of [{many}](product) to [{n}](quantity)", True),
        (rng.choice(
             ["undo my last add", "take out whatever i added last",
              "the item i just put in, remove it", "drop the most recent item"]
         ),
         False),
        (f"scrap {_the_product(rng)} after all", True),
        (f"bring the [{many}](product) down to [{n}](quantity)", True),
        (f"too many [{many}](product) in there, "
         f"{rng.choice(['drop one', 'remove one', 'take one out'])}",
         False),
    ]  # fmt: skip


def _third_view_cart(rng: random.Random) -> list[tuple[str, bool]]:
    c = _cart(rng)
    return [
        (f"did {_the_product(rng)} {rng.choice(['get added', 'make it into', 'go into'])} my {c}",
         False),
        (f"show me the {c} so i can check", True), (f"{c} check", False),
        (f"how's my {c} looking", False), (f"what's sitting in my {c}", False),
        (f"{c} overview{rng.choice(['', '?', ' pls'])}", False),
        (f"my {c} {rng.choice(['disappeared', 'vanished', 'is gone'])}, where is it", False),
        (f"where did my {c} go", False), (f"quick look at the {c}", False),
        (f"{rng.choice(['hang on', 'hmm', 'remind me'])}, what's in the {c} again", False),
        (f"what {rng.choice(['things', 'items', 'stuff'])} have i "
         f"{rng.choice(['picked', 'chosen', 'got lined up'])}",
         False),
    ]  # fmt: skip


def _third_wishlist_add(rng: random.Random) -> list[tuple[str, bool]]:
    return [
        (f"{rng.choice(['fave', 'heart'])} {rng.choice(['this one', 'it', 'that'])} for me", True),
        (f"{rng.choice(['fav', 'fave'])} {_the_product(rng)}", True),
        (f"add {_the_product(rng)} to my {rng.choice(['faves', 'fav list', 'saved list'])}", True),
        (f"put {_the_product(rng)} aside for later", True),
    ]  # fmt: skip


def _third_wishlist_view(rng: random.Random) -> list[tuple[str, bool]]:
    fav = rng.choice(["favs", "faves", "fav list", "saved list", "favourites"])
    return [
        (f"open my {fav}", True), (f"show the {fav}", True), (f"{fav} please", False),
        (f"things i've put aside {rng.choice(['to buy later', 'for later', 'for payday'])}", False),
    ]  # fmt: skip


def _third_coupon(rng: random.Random) -> list[tuple[str, bool]]:
    kind = rng.choice(["voucher", "code", "coupon", "promo code", "discount code"])
    return [
        (f"the {kind} {_code(rng)} "
         + rng.choice(["isn't going through", "says expired", "got rejected"]),
         False),
        (f"why is my {kind} {rng.choice(['not showing', 'not taking anything off', 'invalid'])}",
         False),
    ]  # fmt: skip


def _third_cancel(rng: random.Random) -> list[tuple[str, bool]]:
    ref = rng.choice(["my order", "the order", "it", "the whole order", _order_ref(rng)])
    return [
        (f"{rng.choice(['a month for delivery', 'three weeks to deliver', 'that delivery date'])}?"
         f" {rng.choice(['no thanks', 'forget it', 'no way'])}, cancel {ref}", False),
        (f"can an {rng.choice(['unshipped', 'undispatched'])} order still be cancelled", False),
        (f"call off my [{rng.choice(PRODUCTS)}](product) order", True),
        (f"it hasn't {rng.choice(['shipped', 'been sent', 'gone out'])} yet so please cancel {ref}",
         False),
        (f"{rng.choice(['please do not', 'do not', 'please don’t'])}"
         f" {rng.choice(['dispatch', 'ship', 'post'])} {ref}"
         + ", "
         + rng.choice(["i no longer need it", "i've had second thoughts", "i want to cancel"]),
         False),
        (f"bought {_the_product(rng)} {rng.choice(TIMES)} but saw it cheaper elsewhere,"
         f" i'd like to cancel", False),
    ]  # fmt: skip


def _third_review(rng: random.Random) -> list[tuple[str, bool]]:
    item = _the_product(rng)
    return [
        (f"i want other {rng.choice(['buyers', 'shoppers', 'customers'])} to know how"
         f" {rng.choice(['good', 'bad', 'comfy', 'useful'])} {item} is", False),
        (f"share my experience of {item} with other customers", True),
        (f"add my comments on {item}", True),
        (f"where do i post a few words about {item}", False),
        (f"i'd like to {rng.choice(['praise', 'recommend'])} {item} to other people", False),
    ]  # fmt: skip


def _third_search(rng: random.Random) -> list[tuple[str, bool]]:
    cat = f"[{rng.choice(CATEGORIES)}](category)"
    who = rng.choice(["my husband", "my wife", "my dad", "my sister", "my son", "a friend"])
    hobby = rng.choice(["loves cooking", "is into camping", "started yoga", "likes reading",
                        "goes hiking"])  # fmt: skip
    return [
        (f"let me look at all your {cat}", True),
        (f"can i sort the {cat} by {rng.choice(['price', 'size', 'colour'])}", False),
        (f"only show {cat} in [{rng.choice(COLOURS)}](colour)", True),
        (f"a {_product(rng)} that won't break the bank", False),
        (f"{who} {hobby}, any ideas for a present", False),
    ]  # fmt: skip


def _third_info(rng: random.Random) -> list[tuple[str, bool]]:
    item = _the_product(rng)
    return [
        (f"is {item} {rng.choice(['genuine leather', 'made of real wood', 'real cotton'])}", False),
    ]  # fmt: skip


def _third_add(rng: random.Random) -> list[tuple[str, bool]]:
    c = _cart(rng)
    item = _the_product(rng)
    return [
        (f"i want {item} in my {c}", False),
        (f"i'd like {item}, {rng.choice(SIZES[:7])}, in my {c}", False),
        (f"i've {rng.choice(['pressed', 'tapped', 'hit'])} add"
         f" {rng.choice(['twice', 'three times'])}, put {item} in my {c}", False),
        (f"{item} still isn't in my {c}, add it", False),
        (f"if you still have {_the_product(rng)}, i'll take it", False),
        (f"add {_the_product(rng)} if it's in stock", True),
        (f"add the [{rng.choice(PRODUCTS)}](product) i looked at earlier", True),
    ]  # fmt: skip


#: Third-round kinds per intent, and the share of that intent's phrases drawn from them.
PLACES = [
    "london", "texas", "canada", "the uk", "australia", "germany", "dublin", "the us",
    "singapore", "my country", "rural areas", "a po box", "europe", "new zealand", "abroad",
]  # fmt: skip


def _fifth_help(rng: random.Random) -> list[tuple[str, bool]]:
    """Questions about how the shop works, asked before or without a request: delivery costs
    and times, where it ships, cash on delivery, minimum orders, the sellers, the account."""
    place = _deal(rng, PLACES)
    cost = _deal(rng, ["shipping", "delivery", "postage", "postage and packing", "p&p",
                       "the delivery fee", "the shipping fee", "courier"])  # fmt: skip
    return [
        (f"how much is {cost}", False), (f"how much do you charge for {cost}", False),
        (f"what does {cost} cost", False), (f"is {cost} free", False),
        (f"how much is {cost} to {place}", False), (f"do you ship to {place}", False),
        (f"do you deliver to {place}", False), (f"can you send stuff to {place}", False),
        (f"how long does {rng.choice(['delivery', 'shipping', 'it'])} take to {place}", False),
        ("how long does delivery usually take", False), ("how fast do you deliver", False),
        ("what are the delivery options", False), ("which couriers do you use", False),
        ("is there express shipping", False), ("do you do next day delivery", False),
        ("is there free shipping over a certain amount", False),
        ("do you offer cash on delivery", False), ("can i pay cash when it arrives", False),
        ("is cod available", False), ("is there a minimum order", False),
        ("is there a minimum spend", False), ("do you do bulk or wholesale orders", False),
        ("who are the sellers on here", False), ("how does buying from different sellers work",
                                                 False),
        ("do items from two shops come together", False), ("is this one shop or many", False),
        ("how do i change my email", False), ("how do i update my phone number", False),
        ("where do i change my address", False), ("how do i edit my profile", False),
        ("what payment methods are there", False), ("which payment options do you have", False),
        ("are prices in dollars", False),
        ("general question about delivery", False), ("quick question about shipping", False),
        ("faq", False), ("where are the faqs", False), ("how do coupons work here", False),
    ]  # fmt: skip


def _fifth_greet(rng: random.Random) -> list[tuple[str, bool]]:
    name = _deal(rng, ["margaret", "raj", "tom", "ana", "li", "joe", "fatima", "pat"])
    return [
        ("gm", False), ("gm gm", False), ("morning all", False), ("top of the morning", False),
        ("g'day", False), ("hey hey", False), ("oi", False), ("hello hello", False),
        (f"hi, this is {name}", False), (f"hello, {name} here", False),
        (f"hi it's {name} again", False), ("hello dear", False), ("hi love", False),
        ("good morning to you", False), ("evening all", False), ("wassup", False),
        ("hey 👋", False), ("hi 🙂", False), ("hellooo", False), ("heyy bot", False),
    ]  # fmt: skip


def _fifth_review(rng: random.Random) -> list[tuple[str, bool]]:
    thing = _item(rng)
    stars = _deal(rng, ["⭐⭐⭐⭐⭐", "⭐⭐⭐⭐", "⭐", "★★★★★", "★★★", "10/10", "0/10", "5/5",
                        "1/5", "one star", "two stars", "five stars", "5*", "1*"])  # fmt: skip
    verdict = _deal(rng, ["it leaked", "would buy again", "love it", "total rubbish",
                          "works great", "fell apart", "does the job",
                          "best purchase ever"])  # fmt: skip
    return [
        (f"{stars} {thing} {verdict}", False), (f"{thing} {stars}", False),
        (f"{stars} for {thing}, {verdict}", False), (f"{thing}: {verdict}, {stars}", False),
        (f"{stars} the {thing} {verdict}", False),
        ("how do i review a product", False), ("how can i rate something i bought", False),
        ("where do i leave a review", False), ("how do i give stars", False),
        (f"how do i write a review for the {thing}", False),
    ]  # fmt: skip


def _fifth_remove(rng: random.Random) -> list[tuple[str, bool]]:
    thing = _item(rng)
    few, more = rng.choice([("1", "2"), ("one", "two"), ("2", "3"), ("one", "three"),
                            ("3", "5"), ("10", "20")])  # fmt: skip
    return [
        (f"minus 1 {thing}", False), (f"minus one {thing}", False), (f"-1 {thing}", False),
        (f"one less {thing}", False), (f"one fewer {thing}", False),
        (f"i only want {few} {thing} not {more}", False),
        (f"i only want {few} {thing} not {more}, reduce it", False),
        (f"{more} {thing} is too many, make it {few}", False),
        (f"bring the {thing} down to {few}", True), (f"knock the {thing} down to {few}", True),
        (f"take one {thing} off", True), (f"less {thing} please", False),
    ]  # fmt: skip


def _fifth_search(rng: random.Random) -> list[tuple[str, bool]]:
    kind = _a_kind(rng)
    colour = _deal(rng, COLOURS)
    who = _deal(rng, ["men", "women", "kids", "a teenager", "my dad", "the office", "runners",
                      "campers", "a student", "the kitchen"])  # fmt: skip
    topic = _deal(rng, ["mystery", "cooking", "crime", "history", "running", "coffee",
                        "yoga", "baking"])  # fmt: skip
    cheap = _deal(rng, ["cheap", "affordable", "on sale", "under 20", "budget", "not too pricey"])
    return [
        (f"{colour} things for {who}", False), (f"{colour} stuff for {who}", False),
        (f"stuff for {who}", False), (f"gifts for {who}", False),
        (f"books about {topic}", False), (f"something about {topic}", False),
        (f"{kind} that are {cheap}", False), (f"{kind} that is {cheap}", False),
        (f"any {kind} {cheap}", False), (f"{cheap} {kind} pls", False),
        (f"what {kind} have you got", False), (f"list all {kind}", True),
    ]  # fmt: skip


def _fifth_view_cart(rng: random.Random) -> list[tuple[str, bool]]:
    c = _cart(rng)
    return [
        (f"let me see the {c} before i pay", False), (f"show me the {c} before checkout", True),
        (f"i want to check my {c} first", False), (f"before paying show my {c}", True),
        (f"one sec let me look at my {c}", False), (f"{c} pls", False),
        (f"what's the damage in my {c}", False), (f"total of my {c}?", False),
    ]  # fmt: skip


def _fifth_history(rng: random.Random) -> list[tuple[str, bool]]:
    who = rng.choice(["our company's", "the business's", "my", "all our", "the team's"])
    return [
        (f"i need a list of {who} orders", False), (f"list of {who} orders for accounting",
                                                     False),
        (f"all {who} past orders please", False),
        (f"every order {rng.choice(['we', 'i'])} placed this year", False),
        ("order list", False), ("list my orders for my records", True),
    ]  # fmt: skip


#: Fifth round (after the fifth stranger round's dev half; studied, never copied): questions
#: about delivery, payment and the account for help, one-word greetings and names, stars as
#: emoji and scores for reviews, "minus 1 X" and "only want 1 not 2" for removal, "colour
#: things for someone" and "books about X" for search, a look at the cart before paying, and
#: order lists for accounting.
FIFTH: dict[str, tuple[Callable[[random.Random], list[tuple[str, bool]]], float]] = {
    "help": (_fifth_help, 0.35), "greet": (_fifth_greet, 0.2),
    "leave_review": (_fifth_review, 0.1), "remove_from_cart": (_fifth_remove, 0.08),
    "search": (_fifth_search, 0.08), "view_cart": (_fifth_view_cart, 0.08),
    "order_history": (_fifth_history, 0.08),
}  # fmt: skip


THIRD: dict[str, tuple[Callable[[random.Random], list[tuple[str, bool]]], float]] = {
    "track_order": (_third_track, 0.2), "order_history": (_third_history, 0.3),
    "checkout": (_third_checkout, 0.2), "return_order": (_third_return, 0.15),
    "contact_support": (_third_support, 0.15), "remove_from_cart": (_third_remove, 0.15),
    "view_cart": (_third_view_cart, 0.15), "add_to_wishlist": (_third_wishlist_add, 0.1),
    "view_wishlist": (_third_wishlist_view, 0.1), "apply_coupon": (_third_coupon, 0.08),
    "cancel_order": (_third_cancel, 0.12), "leave_review": (_third_review, 0.12),
    "search": (_third_search, 0.06), "product_info": (_third_info, 0.03),
    "add_to_cart": (_third_add, 0.05),
}  # fmt: skip


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
        "my dentist checkup",
        "the plumber",
        "my nail appointment",
        "my driving test",
        "my cable tv",
        "my bank card",
        "the babysitter",
        "my piano lesson",
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
        "an alarm for 7am",
        "eggs to the shopping list",
        "a new member to the slack channel",
        "my husband to the car insurance",
        "a song to the party playlist",
        "a birthday to my calendar",
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
        "the wallpaper in the hall",
        "my old posts",
        "ads from my feed",
        "the red eye from this picture",
        "a splinter",
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
        "my portfolio",
        "my presentation",
        "my speech",
        "my business plan",
        "my pull request",
        "my thesis",
        "my linkedin profile",
        "my song lyrics",
    ],
    "return": [
        "the library book",
        "my call",
        "the rental car",
        "my mom's call",
        "the hire car",
        "to the main road",
        "the favour",
        "my mum's missed call",
        "the keys to my landlord",
        "the hire van",
        "to work after my holiday",
        "the library dvds",
        "the borrowed ladder",
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
        "my run",
        "my heart rate",
        "my water intake",
        "my weight loss",
        "my screen time",
        "my habits",
        "my baby's feeds",
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
        "my lottery numbers",
        "the train times",
        "my pulse",
        "the tide times",
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
        "for a passport",
        "for a new job",
        "for a scholarship",
        "the handbrake",
        "a face mask",
        "for a parking permit",
    ],
    "rate": [
        "my selfie",
        "this movie",
        "my driver",
        "my haircut",
        "my uber ride",
        "my doctor",
        "my outfit",
        "my cooking",
        "my singing",
        "my essay out of ten",
        "this joke",
    ],
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
        "a new house",
        "crypto",
        "train tickets",
        "a gym pass",
        "premium bonds",
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
        "a curry",
        "a takeaway",
        "room service",
        "my thoughts",
        "a round of drinks",
    ],
    "pay": [
        "my electricity bill",
        "my rent",
        "my phone bill",
        "my taxes",
        "the babysitter",
        "the parking fine",
        "my council tax",
        "my credit card bill",
        "my friend back",
    ],
    "save": [
        "this photo",
        "my game",
        "the document",
        "this phone number",
        "money",
        "this article for later",
        "this video to watch later",
        "my progress",
        "the wifi password",
        "this contact",
        "my seat at the cinema",
    ],
    "refund": [
        "my plane ticket",
        "my concert ticket",
        "my train fare",
        "my tax",
        "my festival ticket",
    ],
    "check out": [
        "this video",
        "this funny clip",
        "my new tattoo",
        "this website",
        "my drawing",
        "this photo of my dog",
        "the view from my window",
        "this article",
        "my new car",
        "this song i found",
        "the new marvel film",
        "my garden",
    ],
    "find": [
        "my glasses",
        "my passport",
        "a plumber",
        "an electrician",
        "a babysitter",
        "a good dentist",
        "a parking space",
        "the tv remote",
        "a job",
        "a flatmate",
        "my way home",
        "the nearest petrol station",
        "my missing cat",
        "a date for friday",
    ],
    "search": [
        "the web for cheap flights",
        "wikipedia for napoleon",
        "youtube for cat videos",
        "my emails for the invoice",
        "for a good mechanic",
        "for jobs in leeds",
    ],
    "show me": [
        "how to tie a tie",
        "the way to the station",
        "photos from my holiday",
        "my step count",
        "today's headlines",
        "a map of spain",
    ],
    "book": [
        "a haircut",
        "a table for two",
        "a massage",
        "a hotel room",
        "a tennis court",
        "a driving lesson",
        "a cleaner",
    ],
    "play": ["some jazz", "my workout playlist", "the radio", "a game with me", "chess with me"],
    "write": [
        "my essay for me",
        "a birthday card message",
        "a cover letter",
        "a speech for my best man",
        "song lyrics",
    ],
    "send": [
        "a text to my sister",
        "an email to my boss",
        "flowers to my mum",
        "money to my friend",
        "a postcard",
    ],
    "empty": [
        "the bins",
        "my inbox",
        "the washing machine",
        "the recycling",
        "the kitchen bin",
        "my spam folder",
        "the litter tray",
        "the hoover bag",
    ],
    "clear": [
        "my browser history",
        "the table",
        "my calendar for friday",
        "the snow off the drive",
        "my search history",
        "the gutters",
    ],
    "remind me to": [
        "buy milk",
        "call the vet",
        "take my pills",
        "water the plants",
        "pick up the kids",
    ],
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
do you sleep | do you ever get tired | do you eat food | do you have friends
do you feel pain | do you get bored | do you believe in ghosts | do you like music
do you watch football | do you have pets | are you happy | are you alive | can you think
do you have a family | where do you live | what's your favourite food | what do you do for fun
are you a man or a woman | how smart are you | can you see me | do you remember me
what are you thinking about | do you ever rest | do you have a soul | are you lonely
how tall is mount everest | how old is the universe | how long is the nile
how far away is the moon | how deep is the pacific ocean | how big is texas
how many people live in london | who painted the mona lisa | when did ww2 end
what's the speed of light | how heavy is a blue whale | how hot is the sun
how do i improve my golf swing | how do i bake sourdough | how do i change a tyre
how do i learn guitar | how do i get better at chess | how do i do a handstand
how do i fix a leaky tap | how do i unblock a sink | how do i get rid of ants
wait | hold on | hang on
nothing | later | brb | gotta go | bye
my train was late, can the rail company compensate me | my hotel room was dirty
my internet keeps dropping, cancel my contract | the taxi never came, refund my fare
the concert got cancelled, refund my ticket | my gym charged me twice, sort it out
the airline lost my suitcase | the pizza is late, where is my pizza
my prescription hasn't arrived at the pharmacy | my new passport still hasn't come
my electricity bill is wrong | the dentist overcharged me
my landlord won't return my deposit | my bank blocked my card, unblock it
the bus didn't show up, who do i complain to | my parcel from another website is late
lend me a tenner | can i borrow some money | give me free money | what's your salary
be quiet | shut it | pipe down | stop talking | go away bot | leave me alone
you're a waste of space | what a pathetic excuse for a bot | you're hopeless
this bot is rubbish | you are so dumb | worthless machine | you're a joke
what a pile of garbage | you're the worst bot ever | dumb robot
did arsenal win last night | what was the score in the yankees game | when do the knicks play next
who scored for real madrid | is the cricket still on | how did the all blacks do
whistle a tune | rap for me | dance for me | do an impression of a cat | tell me a riddle
recite a poem | say something funny | make me laugh | entertain me
teach me spanish | teach me to code | teach me how to juggle | give me a german lesson
help me learn italian | how do you say thank you in japanese | quiz me on capital cities
"""


OFF_NOUNS = """membership subscription plan contract policy account balance loan mortgage
playlist song album podcast episode essay homework assignment appointment flight hotel
booking reservation ticket taxi doctor dentist prescription medicine insurance bill rent
salary paycheck bank pin password email calendar meeting alarm reminder weather steps
workout calories diet recipe restaurant movie series score news passport visa lawyer taxes
gym netflix spotify uber router wifi broadband photo selfie contact voicemail mortgage
pension savings stocks crypto bitcoin lottery homework thesis resume car"""
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


#: Famous things people ask the size or age of: "how tall is X" about one of them is trivia,
#: however much it looks like a product question.
LANDMARKS = [
    "big ben", "the statue of liberty", "the empire state building", "the shard",
    "the great wall of china", "the burj khalifa", "mount kilimanjaro", "the leaning tower of pisa",
    "the golden gate bridge", "stonehenge", "the colosseum", "niagara falls", "the amazon river",
    "lake baikal", "the sahara", "a giraffe", "an elephant", "the titanic", "the london eye",
    "the sydney opera house", "the grand canyon", "mars", "jupiter", "the sphinx",
]  # fmt: skip


def _trivia(rng: random.Random, count: int) -> list[str]:
    """How tall / old / far ... is a famous thing; when was it built; who made it."""
    out = []
    for _ in range(count):
        thing = _deal(rng, LANDMARKS)
        out.append(
            rng.choice(
                [
                    f"how {_deal(rng, TRIVIA_HOW)} is {thing}",
                    f"when was {thing} built",
                    f"who built {thing}",
                    f"what is {thing} made of",
                    f"how much does {thing} weigh",
                    f"tell me about {thing}",
                ]
            )
        )
    return out


TRIVIA_HOW = ["tall", "old", "far away", "big", "deep", "heavy", "long", "hot", "wide", "high"]


#: Questions about the bot itself ("do you dream"): chit-chat, never a search.
BOT_DOES = [
    "dream", "ever sleep", "cry", "laugh", "get lonely", "have a birthday", "get paid",
    "like your job", "have hobbies", "go on holiday", "have a favourite film", "read books",
    "like humans", "get angry", "fall in love", "celebrate christmas", "get sick", "age",
    "have a body", "understand jokes", "know siri", "play games", "watch tv", "have a name",
]  # fmt: skip
BOT_NAMES = ["bot", "robot", "machine", "app", "assistant", "chatbot", "computer", "program"]
INSULTS = [
    "stupid", "dumb", "useless", "pathetic", "rubbish", "hopeless", "clueless", "brainless",
    "annoying", "terrible", "awful", "lame", "idiot", "crap",
]  # fmt: skip


def _bot_chat(rng: random.Random, count: int) -> list[str]:
    """Chit-chat about the bot, and insults: "do you dream", "useless machine", "talk to me"."""
    out = []
    for _ in range(count):
        bot = rng.choice(BOT_NAMES)
        out.append(
            rng.choice(
                [
                    f"do you {_deal(rng, BOT_DOES)}",
                    f"{rng.choice(['hey', 'so', 'tell me,', 'be honest,'])} do you"
                    f" {_deal(rng, BOT_DOES)}",
                    f"{_deal(rng, INSULTS)} {bot}",
                    f"you {rng.choice(['are', 'really are', 'are such a'])}"
                    f" {_deal(rng, INSULTS)} {bot}",
                    f"what a {_deal(rng, INSULTS)} {bot}",
                    rng.choice(["i'm lonely", "i'm bored", "i can't sleep", "nobody listens"])
                    + f", {rng.choice(['talk to me', 'chat with me', 'keep me company'])}",
                    f"{rng.choice(['talk to me', 'chat with me', 'keep me company'])}"
                    f" {rng.choice(['for a bit', 'please', 'about anything', ''])}".strip(),
                ]
            )
        )
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
    out.extend(_trivia(rng, 45))
    out.extend(_bot_chat(rng, 60))
    while len(out) < OUT_OF_SCOPE_COUNT:
        verb = rng.choice(list(FOREIGN_OBJECTS))
        obj = rng.choice(FOREIGN_OBJECTS[verb])
        if rng.random() < 0.35:  # a whole phrase: a question or a statement as often as not
            out.append(wrap(rng, rng.choice(base), imperative=False))
        else:
            out.append(wrap(rng, f"{verb} {obj}"))
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


_BEFORE = sorted({w for w in (*POLITE_BEFORE, *ASK_BEFORE) if w}, key=len, reverse=True)
_AFTER = sorted({w for w in POLITE_AFTER if w}, key=len, reverse=True)


def _held_out(text: str, reserved: set[str]) -> bool:
    """True when `text`, or `text` without the politeness wrapper around it, is a held-out
    phrase: "hmm what's your phone number" must not teach the held-out "what's your phone
    number" either."""
    cores = {text}
    for before in _BEFORE:
        if text.startswith(before):
            cores.add(text[len(before) :])
    for core in list(cores):
        for after in _AFTER:
            if core.endswith(after):
                cores.add(core[: -len(after)])
    return any(_key(core) in reserved for core in cores)


def generate() -> dict[str, list[str]]:
    rng = random.Random(SEED)  # noqa: S311 - a fixed sample, not a secret
    _DECKS.clear()
    reserved: set[str] = set()
    for path in (TRAINING_FILE, *HELD_OUT_FILES):
        if path.exists():
            reserved.update(_key(e.text) for e in load(path).examples)
    out: dict[str, list[str]] = {}
    for intent, frame in FRAMES.items():
        seen: set[str] = set()
        phrases: list[str] = []
        attempts = 0
        wanted = MORE.get(intent, PER_INTENT)
        while len(phrases) < wanted and attempts < wanted * 30:
            attempts += 1
            extra = THIRD.get(intent)
            fifth = FIFTH.get(intent)
            if fifth is not None and rng.random() < fifth[1]:
                text, imperative = rng.choice(fifth[0](rng))
            elif extra is not None and rng.random() < extra[1]:
                text, imperative = rng.choice(extra[0](rng))
            else:
                text, imperative = frame(rng)
            text = wrap(rng, text, imperative=imperative) if intent != "greet" else text
            if intent == "help" and text.startswith("help me"):
                continue  # "help me X" is X, not help
            if rng.random() < 0.08:
                text = _typo(rng, text)
            key = _key(text)
            if key in seen or _held_out(text, reserved):
                continue
            seen.add(key)
            phrases.append(text)
        out[intent] = phrases
    seen = set()
    oos: list[str] = []
    for text in _out_of_scope(rng):
        key = _key(text)
        if key and key not in seen and not _held_out(text, reserved):
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
