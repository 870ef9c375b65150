"""PayPal answers that do not have the shape PayPal documents are refusals the engine knows
(`ProviderFailed`, saying where the answer broke), never a crash in the middle of a payment or
a refund recorded under a made-up reference. PayPal is the local PayPal-compatible server
(sandbox/paypal.py), whose answers these tests garble on their way out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from aiohttp import web

from bot.adapters.paypal import PayPal
from engine.base import RefundRequest
from engine.errors import ProviderFailed
from sandbox.paypal import PayPalServer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class GarblingPayPal(PayPalServer):
    """The local PayPal, except that the answer to a call named in `garble` ("create",
    "get", "capture", "refund") is replaced by the given text once the call has been handled."""

    garble: dict[str, str] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = super().app()

        @web.middleware
        async def garbled(request: web.Request, handler: Handler) -> web.StreamResponse:
            response = await handler(request)
            parts = request.path.strip("/").split("/")
            call = parts[-1] if parts[-1] in ("capture", "refund") else None
            if parts[:3] == ["v2", "checkout", "orders"] and call is None:
                call = "create" if request.method == "POST" else "get"
            if call in self.garble:
                text = self.garble[call]
                return web.Response(
                    text=text, status=response.status, content_type="application/json"
                )
            return response

        app.middlewares.append(garbled)
        return app


@pytest.fixture
async def paypal() -> AsyncIterator[tuple[PayPal, GarblingPayPal]]:
    server = GarblingPayPal()
    runner = await server.serve()
    try:
        yield PayPal(server.client_id, server.client_secret, api_base=server.base_url), server
    finally:
        await runner.cleanup()


async def _approved(paypal: PayPal, server: GarblingPayPal, order_id: int) -> str:
    checkout = await paypal.create(order_id, Decimal("20.00"), "USD", request_id=f"t-{order_id}")
    server.approve(checkout.paypal_order_id)
    return checkout.paypal_order_id


async def test_an_order_answer_that_is_not_json_is_a_provider_failure(
    paypal: tuple[PayPal, GarblingPayPal],
) -> None:
    client, server = paypal
    server.garble["create"] = "<html>Service Unavailable</html>"
    with pytest.raises(ProviderFailed) as failed:
        await client.create(7, Decimal("20.00"), "USD", request_id="t-7")
    assert failed.value.params["provider"] == "paypal"
    assert "Invalid JSON" in failed.value.params["detail"]


async def test_an_order_whose_purchase_units_are_not_a_list_is_refused_before_capture(
    paypal: tuple[PayPal, GarblingPayPal],
) -> None:
    client, server = paypal
    paypal_order_id = await _approved(client, server, 8)
    server.garble["get"] = json.dumps(
        {"id": paypal_order_id, "status": "APPROVED", "purchase_units": "8"}
    )
    with pytest.raises(ProviderFailed) as failed:
        await client.capture(paypal_order_id, 8)
    assert "purchase_units" in failed.value.params["detail"]
    assert server.orders[paypal_order_id].capture is None  # no money moved


async def test_a_capture_without_its_amount_is_a_provider_failure_not_a_crash(
    paypal: tuple[PayPal, GarblingPayPal],
) -> None:
    client, server = paypal
    paypal_order_id = await _approved(client, server, 9)
    unit = {"custom_id": "9", "payments": {"captures": [{"id": "CAP1", "status": "COMPLETED"}]}}
    server.garble["capture"] = json.dumps(
        {"id": paypal_order_id, "status": "COMPLETED", "purchase_units": [unit]}
    )
    with pytest.raises(ProviderFailed) as failed:
        await client.capture(paypal_order_id, 9)
    assert "amount" in failed.value.params["detail"]


async def test_a_refund_answer_without_an_id_is_not_recorded_as_a_refund(
    paypal: tuple[PayPal, GarblingPayPal],
) -> None:
    client, server = paypal
    capture = await client.capture(await _approved(client, server, 10), 10)
    server.garble["refund"] = '{"status": "COMPLETED"}'
    request = RefundRequest(1, capture.capture_id, Decimal("5.00"), "USD")
    with pytest.raises(ProviderFailed) as failed:
        await client.refund_once(request)
    assert "id" in failed.value.params["detail"]
