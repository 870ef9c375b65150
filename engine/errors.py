"""Domain errors: a code and data, never prose (the chat layer words them per language).

DomainError
├── NotFound              the object does not exist, or is not the actor's to see
│   └── NotYourOrder      an order id the customer named is none of theirs (`order_id`)
├── Forbidden             the actor may not do this (wrong role, not the owner)
│   └── Banned            the actor is banned; `reason` says why
├── InvalidInput          a value breaks a rule (`field`, `rule`)
├── IllegalTransition     a state machine has no such step (`machine`, `status`, `event`)
├── InsufficientStock     `items`: [{product_id, requested, available}]
├── ProductUnavailable    inactive product, or its seller is not active
├── CartEmpty
├── CartChanged           `changes`: what differs since the customer saw the cart
├── Outdated              a change asked on a screen that no longer shows the data
│                         (`entity`, `id`): an old button; nothing was changed
├── CouponRejected        `reason`: unknown, disabled, expired, not_started,
│                         below_minimum (`short_by`), used_up, already_used
├── PaymentMismatch       the same provider reference with another amount
├── PaymentInFlight       another payment sheet for the order is open (`order_id`, `until`)
├── RefundTooLarge        more than was paid (`refundable`)
├── ReturnNotAllowed      `reason`: not_delivered, window_closed, too_many
├── ReviewNotAllowed      the actor has not received the product
├── OrderActNotAllowed    the order cannot take that request any more (`order_id`, `act`:
│                         cancel, track, return, review; `status`)
└── ProviderFailed        the payment provider refused (`provider`, `detail`)
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code: str = "domain_error"

    def __init__(self, **params: Any) -> None:
        super().__init__(self.code, params)
        self.params = params


class NotFound(DomainError):
    code = "not_found"


class NotYourOrder(NotFound):
    """Said by number: the customer typed an order id that is not theirs (or no order's)."""

    code = "not_your_order"


class Forbidden(DomainError):
    code = "forbidden"


class Banned(Forbidden):
    code = "banned"


class InvalidInput(DomainError):
    code = "invalid_input"


class IllegalTransition(DomainError):
    code = "illegal_transition"


class InsufficientStock(DomainError):
    code = "insufficient_stock"


class ProductUnavailable(DomainError):
    code = "product_unavailable"


class CartEmpty(DomainError):
    code = "cart_empty"


class CartChanged(DomainError):
    code = "cart_changed"


class Outdated(DomainError):
    """The screen the change was asked on showed something else than there is now (a review
    with other stars, a cart line with another quantity): nothing is changed."""

    code = "outdated"


class CouponRejected(DomainError):
    code = "coupon_rejected"


class PaymentMismatch(DomainError):
    code = "payment_mismatch"


class PaymentInFlight(DomainError):
    """Another payment sheet for the order was let through moments ago (`until`)."""

    code = "payment_in_flight"


class RefundTooLarge(DomainError):
    code = "refund_too_large"


class ReturnNotAllowed(DomainError):
    code = "return_not_allowed"


class ReviewNotAllowed(DomainError):
    code = "review_not_allowed"


class OrderActNotAllowed(DomainError):
    code = "order_act_not_allowed"


class ProviderFailed(DomainError):
    code = "provider_failed"
