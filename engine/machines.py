"""The design's state machines, each bound to the row attribute it moves and the audit entity
it is recorded under: `ORDER_FLOW.move(uow, order, E.pay, by=user_id)`."""

from __future__ import annotations

from typing import Final

from engine.base import Machine
from engine.transitions import ORDER, ORDER_PAYMENT, PAYMENT, PAYOUT, RETURN, SELLER, SHIPMENT
from storage.vocabulary import (
    OrderPaymentStatus,
    OrderStatus,
    PaymentStatus,
    PayoutStatus,
    ReturnStatus,
    SellerStatus,
    ShipmentStatus,
)

ORDER_FLOW: Final = Machine[OrderStatus]("order", ORDER, "order_status", "order", "order_id")
ORDER_PAYMENT_FLOW: Final = Machine[OrderPaymentStatus](
    "order_payment", ORDER_PAYMENT, "payment_status", "order", "order_id"
)
PAYMENT_FLOW: Final = Machine[PaymentStatus]("payment", PAYMENT, "status", "payment", "payment_id")
SELLER_FLOW: Final = Machine[SellerStatus]("seller", SELLER, "status", "seller", "seller_id")
SHIPMENT_FLOW: Final = Machine[ShipmentStatus](
    "shipment", SHIPMENT, "status", "shipment", "shipment_id"
)
RETURN_FLOW: Final = Machine[ReturnStatus]("return", RETURN, "status", "return", "return_id")
PAYOUT_FLOW: Final = Machine[PayoutStatus]("payout", PAYOUT, "status", "payout", "payout_id")
