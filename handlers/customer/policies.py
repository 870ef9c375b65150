"""Answers to questions about the shop's own rules ("how much is shipping?", "what is your
returns policy?", "do you take PayPal?", "any promo codes?"), read from the engine's
`Policies`: the same return window, payment methods and shipping prices the checkout and the
returns apply, and how discount codes reach customers (the shop lists none: a coupon has no
mark saying it may be shown to everyone, so none is)."""

from __future__ import annotations

from engine.policies import PoliciesView
from engine.shipping import ProviderView
from handlers.i18n import price, t


def _provider(lang: str, p: ProviderView) -> str:
    cost = price(p.cost, lang=lang) if p.cost else t(lang, "help.shipping.free")
    if p.is_pickup:
        line = t(lang, "help.shipping.pickup", name=p.name, cost=cost, place=p.pickup_address)
    else:
        line = t(lang, "help.shipping.option", name=p.name, cost=cost)
    if p.estimated_days:
        line += t(lang, "help.shipping.days", days=p.estimated_days)
    return line


def policy_answer(lang: str, topic: str, view: PoliciesView) -> str:
    """The answer to a help question about `topic` (nlu.topics: coupons, shipping, payment,
    returns)."""
    if topic == "coupons":
        return t(lang, "help.coupons")
    if topic == "shipping":
        if not view.providers:
            return t(lang, "help.shipping.none")
        lines = [t(lang, "help.shipping.title")]
        lines += [_provider(lang, p) for p in view.providers]
        lines.append(t(lang, "help.shipping.note"))
        return "\n".join(lines)
    if topic == "payment":
        methods = ", ".join(t(lang, f"checkout.pay.{m.value}") for m in view.payment_methods)
        return t(lang, "help.payment", methods=methods)
    return t(lang, "help.returns", days=view.return_days)
