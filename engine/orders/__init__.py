"""Orders: checkout, payments, cancellation, refunds and expiry.

`Orders` (service.py) holds every operation on orders: who may call it, and its transaction
(a refund is settled with the provider after it commits). The steps the operations are made
of live in modules named for what they do, and engine/shipping.py and engine/aftersales.py
take the same steps:

    checkout.py   pricing a cart (quote, shipping options) and placing it as an order
    payments.py   payment attempts, the payment sheet in flight, recording a payment
    refunds.py    unwinding a cancelled order, deciding refunds and settling them
    expiry.py     cancelling orders left unpaid past their deadline
    views.py      what the operations return (OrderView, QuoteView, ...) and `order_view`
    fetch.py      loading and locking an order, its lines, shipments and sellers
    amounts.py    what lines and shipping give back

Payments that an order cannot take, and the comparison of the providers' charges with ours,
live in engine/reconcile.py. This package exports what other modules use.
"""

from engine.orders.checkout import priced
from engine.orders.fetch import lock_order
from engine.orders.payments import bank_reference
from engine.orders.refunds import follow_return, open_refunds, settle_refund
from engine.orders.service import Orders
from engine.orders.views import (
    LineView,
    OrderView,
    PaymentTaken,
    QuoteLine,
    QuoteView,
    RefundView,
    ShipmentView,
    ShippingOption,
    order_view,
)

__all__ = [
    "LineView",
    "OrderView",
    "Orders",
    "PaymentTaken",
    "QuoteLine",
    "QuoteView",
    "RefundView",
    "ShipmentView",
    "ShippingOption",
    "bank_reference",
    "follow_return",
    "lock_order",
    "open_refunds",
    "order_view",
    "priced",
    "settle_refund",
]
