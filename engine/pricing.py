"""Money rules: exact to the cent, one rounding rule (half up), never negative."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from storage.vocabulary import CENT, money

ZERO = Decimal("0.00")


def selling_price(price: Decimal, discount_price: Decimal | None) -> Decimal:
    """What a product sells for: its discount price when it has one, else its price."""
    return price if discount_price is None else discount_price


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, rounded half up to the cent."""
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` over `weights` in proportion, exactly (largest remainder method).

    The parts add up to `total` to the cent, none is negative, and none exceeds its weight
    when `total` does not exceed the sum of the weights: so a discount spread over order lines
    never makes a line negative, and refunds and payouts computed per line stay exact.
    """
    total = money(total, bounded=False)
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("allocate() takes non-negative amounts")
    whole = sum(weights, ZERO)
    if not weights:
        if total:
            raise ValueError("nothing to allocate over")
        return []
    if whole == 0:
        if total:
            raise ValueError("cannot allocate over zero weights")
        return [ZERO for _ in weights]
    exact = [total * w / whole for w in weights]
    floors = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int((total - sum(floors, ZERO)) / CENT)
    by_remainder = sorted(range(len(weights)), key=lambda i: (floors[i] - exact[i], i))
    for i in by_remainder[:left]:
        floors[i] += CENT
    return floors


def line_discounts(
    discount: Decimal, line_totals: Sequence[Decimal], on_lines: bool
) -> list[Decimal]:
    """The order discount's share per line (a free-shipping discount touches no line)."""
    if not on_lines or discount == 0:
        return [ZERO for _ in line_totals]
    return allocate(discount, line_totals)


def refundable_units(
    paid: Decimal, quantity: int, already_units: int, already_amount: Decimal, units: int
) -> Decimal:
    """What returning `units` more of a line gives back: the line's paid amount shared per unit
    exactly; the last unit gets whatever remains, so all units together give back `paid`."""
    remaining = paid - already_amount
    if already_units + units >= quantity:
        return remaining
    shares = allocate(paid, [Decimal(1)] * quantity)
    return min(sum(shares[already_units : already_units + units], ZERO), remaining)


@dataclass(frozen=True)
class CheckoutAmounts:
    """What a checkout comes to: the lines' subtotal, the shipping (one parcel per seller,
    each at the provider's price), the coupon's discount and the total. The checkout quote
    and the order it places are priced by this one rule."""

    subtotal: Decimal
    shipping: Decimal
    discount: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.shipping

    def less(self, discount: Decimal) -> CheckoutAmounts:
        return replace(self, discount=discount)


def checkout_amounts(
    line_totals: Sequence[Decimal], per_parcel: Decimal, parcels: int
) -> CheckoutAmounts:
    """The amounts before any coupon: `parcels` is the number of sellers the lines come from."""
    return CheckoutAmounts(sum(line_totals, ZERO), per_parcel * parcels)
