"""The gettext catalogs (handlers/locales): every language complete, with English's keys and
placeholders, its plural forms picked by its own Plural-Forms, nothing left in English in
the second language, and a message whose English changed shown in English until reviewed."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import get_args

import pytest

from engine.cart import Change
from engine.coupons import CouponStanding
from engine.errors import CouponRejected, IllegalTransition, OrderActNotAllowed
from engine.order_actions import PaymentState
from handlers import i18n, locales
from handlers.i18n import LANGUAGES, day, error_text, language, moment, number, price, t
from handlers.locales.__main__ import new, problems, update
from storage.vocabulary import (
    OrderStatus,
    PaymentMethod,
    PayoutStatus,
    ProductStatus,
    ReturnStatus,
    SellerStatus,
    TrackingStatus,
    UserRole,
)

ENGLISH = locales.entries(locales.read("en"))
OTHERS = [lang for lang in LANGUAGES if lang != "en"]
PLURALS = sorted(key for key, entry in ENGLISH.items() if entry.count)
# words Spanish writes as English does; anything else left in English is untranslated
SHARED_WORDS = {"Subtotal", "Total", "PayPal", "UTC", "No"}


def test_english_and_spanish_are_the_catalogs_and_telegram_codes_pick_them() -> None:
    assert LANGUAGES == ("en", "es")
    assert [language(c) for c in ("es", "es-419", "ES-mx", "en-GB", "pt-BR", "", None)] == [
        "es",
        "es",
        "es",
        "en",
        "en",
        "en",
        "en",
    ]


def test_every_catalog_is_complete_and_sound_and_every_key_in_the_code_exists() -> None:
    assert list(problems()) == []  # what `python -m handlers.locales check` says


@pytest.mark.parametrize("lang", OTHERS)
def test_every_english_key_is_translated_with_the_same_placeholders(lang: str) -> None:
    found = locales.entries(locales.read(lang))
    assert list(found) == list(ENGLISH)  # the same keys, in the same order
    for key, english in ENGLISH.items():
        entry = found[key]
        assert entry.usable, key
        assert entry.count == english.count, key
        assert entry.placeholders() == english.placeholders(), key


@pytest.mark.parametrize("lang", OTHERS)
def test_no_message_of_the_second_language_is_left_in_english(lang: str) -> None:
    found = locales.entries(locales.read(lang))
    for key, english in ENGLISH.items():
        if found[key].forms != english.forms or key.startswith("format."):
            continue
        words = re.sub(r"\{[a-z_]+\}|<[^>]+>|&[a-z]+;", " ", " ".join(english.forms))
        assert set(re.findall(r"[A-Za-z]{2,}", words)) <= SHARED_WORDS, (key, english.forms)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", PLURALS)
def test_every_plural_message_is_worded_for_every_count(lang: str, key: str) -> None:
    params = {name: f"<{name}>" for name in ENGLISH[key].placeholders()}
    count = ENGLISH[key].count
    assert count is not None
    for n in (0, 1, 2, 5, 11, 21, 1000000):
        text = t(lang, key, **{**params, count: n})
        assert "{" not in text, text
        assert n == 1 or str(n) in text, text  # "an item" for one; the number for more
    assert t(lang, key, **{**params, count: "—"})  # not a number: the last form


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("en", 0, "Empty the cart? 0 items"),
        ("en", 1, "Empty the cart? 1 item"),
        ("en", 2, "Empty the cart? 2 items"),
        ("es", 0, "¿Vaciar el carrito? 0 artículos"),
        ("es", 1, "¿Vaciar el carrito? 1 artículo"),
        ("es", 2, "¿Vaciar el carrito? 2 artículos"),
        ("es", 21, "¿Vaciar el carrito? 21 artículos"),
    ],
)
def test_counts_take_the_languages_plural_form(lang: str, n: int, expected: str) -> None:
    assert t(lang, "cart.clear.ask", count=n) == expected


def test_a_spanish_sentence_agrees_with_its_count_twice() -> None:
    assert t("es", "notify.cart_reminder", items=1) == (
        "🛒 Dejaste un artículo en tu carrito. Sigue ahí para cuando quieras."
    )
    assert t("es", "notify.cart_reminder", items=3) == (
        "🛒 Dejaste 3 artículos en tu carrito. Siguen ahí para cuando quieras."
    )
    assert t("es", "report.title.market", days=1) == "El marketplace: el último día"
    assert t("es", "report.title.market", days=7) == "El marketplace: los últimos 7 días"
    assert t("es", "admin.provider.line", name="Correos", cost="3,00 €", days="—", status="ok") == (
        "Correos · 3,00 € · — días · ok"
    )


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("status.", list(OrderStatus)),
        ("checkout.pay.", list(PaymentMethod)),
        ("refund.to.", list(PaymentMethod)),
        ("seller.card.method.", list(PaymentMethod)),
        ("product.status.", list(ProductStatus)),
        ("seller.edit.status.", list(ProductStatus)),
        ("payout.status.", list(PayoutStatus)),
        ("seller.return.state.", list(ReturnStatus)),
        ("admin.role.", list(UserRole)),
        ("admin.store.status.", list(SellerStatus)),
        ("milestone.", list(TrackingStatus)),
        ("cart.change.", list(Change)),
        ("payment_state.", list(PaymentState)),
        ("admin.coupon.standing.", list(get_args(CouponStanding))),
    ],
)
def test_every_key_made_from_an_enum_is_in_every_catalog(
    prefix: str, values: list[StrEnum | str]
) -> None:
    for lang in LANGUAGES:
        catalog = i18n.catalog(lang)
        assert [v for v in values if f"{prefix}{v}" not in catalog] == [], lang


def test_money_numbers_and_days_read_as_spanish_in_spanish() -> None:
    assert price(Decimal("1234.5"), "EUR", lang="es") == "1.234,50\xa0€"
    assert price(Decimal("1234.5"), "EUR", lang="en") == "€1,234.50"
    assert number(Decimal("4.5"), "es", digits=1) == "4,5"
    assert t("es", "cart.line", qty=2, name="Taza", total=Decimal("12.5")) == ("2 × Taza — 12,50")
    assert t("es", "order.head", order_id=12345) == "<b>Pedido n.º 12345</b>"
    when = datetime(2026, 9, 5, 14, 30, tzinfo=UTC)
    assert day(when.date(), "es") == "5 sept 2026"
    assert moment(when, "es") == "5 sept 2026, 14:30 UTC"


@pytest.mark.parametrize("month", range(1, 13))
def test_english_days_read_as_they_did_with_strftime(month: int) -> None:
    when = datetime(2026, month, 5, 9, 7, tzinfo=UTC)
    assert day(when.date(), "en") == f"{when:%d %b %Y}"
    assert day(when.date(), "en", skeleton="yMMMd") == when.strftime("%b %-d, %Y")
    assert moment(when, "en") == f"{when:%d %b %Y, %H:%M} UTC"
    assert day(date(2026, month, 5), "es", skeleton="yMMMd").startswith("5 ")


def test_errors_are_worded_in_the_readers_language() -> None:
    refused = OrderActNotAllowed(act="cancel", order_id=7, status="shipped")
    assert error_text("es", refused) == "El pedido n.º 7 ya no se puede cancelar: está en camino."
    assert error_text("en", refused) == "Order #7 can no longer be cancelled: it is on its way."
    short = CouponRejected(reason="below_minimum", code="A", short_by=Decimal("5"))
    assert error_text("es", short) == (
        f"Para usar el cupón A, te faltan {price(Decimal('5'), lang='es')} en el carrito."
    )


def test_language_names_are_each_in_itself() -> None:
    assert [i18n.language_name(code) for code in LANGUAGES] == ["English", "Español"]


@pytest.fixture
def catalogs(tmp_path: Path) -> Path:
    """A copy of the catalogs to change."""
    for lang in LANGUAGES:
        target = locales.path(lang, tmp_path)
        target.parent.mkdir(parents=True)
        shutil.copy(locales.path(lang), target)
    return tmp_path


def _reword_english(root: Path, key: str, text: str) -> None:
    english = locales.read("en", root)
    english[key].string = text
    locales.write(english, "en", root)


def test_a_translation_whose_english_changed_is_fuzzy_and_shown_in_english(
    catalogs: Path,
) -> None:
    _reword_english(catalogs, "cart.empty", "There is nothing in your cart.")
    assert list(problems(catalogs, code=None)) == [
        "es: cart.empty: the English changed since it was translated"
    ]
    assert update(catalogs) == ["es: cart.empty: the English changed, marked fuzzy"]
    assert locales.entries(locales.read("es", catalogs))["cart.empty"].fuzzy
    english = i18n.Catalog("en", root=catalogs)
    spanish = i18n.Catalog("es", english, root=catalogs)
    assert spanish.template("cart.empty", {}) == "There is nothing in your cart."
    assert spanish.template("cart.title", {}) == "<b>Tu carrito</b>"
    assert update(catalogs) == []  # nothing more to do: the file stays as it is


def test_a_new_english_key_reaches_every_catalog_to_translate(catalogs: Path) -> None:
    english = locales.read("en", catalogs)
    english.add(("cart.saved", "count"), ("Saved {count} item.", "Saved {count} items."))
    locales.write(english, "en", catalogs)
    assert update(catalogs) == ["es: cart.saved: added, to translate"]
    assert "es: cart.saved: not translated (the English is shown until then)" in set(
        problems(catalogs, code=None)
    )
    spanish = i18n.Catalog("es", i18n.Catalog("en", root=catalogs), root=catalogs)
    assert spanish.template("cart.saved", {"count": 2}) == "Saved {count} items."


def test_a_new_language_starts_from_english_with_its_own_plural_forms(catalogs: Path) -> None:
    made = new("ru", catalogs)
    assert made == locales.path("ru", catalogs)
    russian = locales.read("ru", catalogs)
    assert russian.num_plurals == 3
    found = locales.entries(russian)
    assert list(found) == list(ENGLISH)
    assert len(found["cart.clear.ask"].forms) == 3
    assert not any(entry.usable for entry in found.values())  # all to translate
    with pytest.raises(FileExistsError):
        new("ru", catalogs)


def test_spanish_help_offers_examples_the_bot_understands() -> None:
    """Free text and voice are understood in English only (the catalog's names are English):
    the Spanish help must not suggest Spanish phrases that would fall through (fresh-eyes
    walkthrough)."""
    for key in ("help", "search.prompt", "command.search"):
        text = t("es", key)
        assert "inglés" in text, key
        assert "sudadera" not in text, key


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_refused_step_names_what_it_was_refused_for(lang: str) -> None:
    """A stale store button used to be told "no longer possible for this order"."""
    store = error_text(lang, IllegalTransition(machine="seller", status="closed", event="suspend"))
    order = error_text(lang, IllegalTransition(machine="order", status="shipped", event="cancel"))
    assert store != order
    assert ("store" if lang == "en" else "tienda") in store
