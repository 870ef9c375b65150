"""A local PayPal: the slice of PayPal's REST API the shop uses (OAuth client credentials,
Orders v2 create / get / capture, capture refunds), plus the page where the payer approves.

PayPal's real sandbox is on the internet; this stands at the same protocol boundary for tests
and for the browser sandbox, the way localstripe stands in for Stripe. It keeps the rules that
matter to the shop: only an approved order can be captured, a capture happens once, refunds
never exceed what was captured, and `PayPal-Request-Id` makes a repeated create return the same
order.
"""

from __future__ import annotations

import base64
import itertools
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

from aiohttp import web


@dataclass
class _Order:
    id: str
    intent: str
    purchase_units: list[dict[str, Any]]
    status: str = "PAYER_ACTION_REQUIRED"
    capture: dict[str, Any] | None = None
    refunded: Decimal = Decimal("0.00")


@dataclass
class PayPalServer:
    client_id: str = "sandbox-client"
    client_secret: str = "sandbox-secret"  # noqa: S105 - a local fake's credentials
    base_url: str = ""
    orders: dict[str, _Order] = field(default_factory=dict)
    by_request: dict[str, str] = field(default_factory=dict)
    captures: dict[str, str] = field(default_factory=dict)  # capture id -> order id
    tokens: set[str] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- what a payer does ------------------------------------------------------------------
    def approve(self, order_id: str) -> None:
        order = self.orders[order_id]
        if order.status in ("PAYER_ACTION_REQUIRED", "CREATED"):
            order.status = "APPROVED"

    def approve_url(self, order_id: str) -> str:
        return f"{self.base_url}/checkoutnow?token={order_id}"

    # --- the API ----------------------------------------------------------------------------
    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}{secrets.token_hex(6).upper()}"

    @staticmethod
    def _error(status: int, name: str, issue: str) -> web.Response:
        body = {"name": name, "message": issue, "details": [{"issue": issue}]}
        return web.json_response(body, status=status)

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header[7:] in self.tokens

    def _view(self, order: _Order) -> dict[str, Any]:
        units = [dict(u) for u in order.purchase_units]
        if order.capture is not None:
            units[0] = {**units[0], "payments": {"captures": [order.capture]}}
        return {
            "id": order.id,
            "intent": order.intent,
            "status": order.status,
            "purchase_units": units,
            "links": [
                {"rel": "self", "href": f"{self.base_url}/v2/checkout/orders/{order.id}"},
                {"rel": "payer-action", "href": self.approve_url(order.id)},
            ],
        }

    async def token(self, request: web.Request) -> web.Response:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"error": "invalid_client"}, status=401)
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": 32400}
        return web.json_response(body)

    async def create(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")
        key = request.headers.get("PayPal-Request-Id")
        if key and key in self.by_request:
            return web.json_response(self._view(self.orders[self.by_request[key]]))
        body = await request.json()
        units = body.get("purchase_units") or []
        try:
            amount = Decimal(str(units[0]["amount"]["value"]))
        except (LookupError, TypeError, ArithmeticError):
            return self._error(400, "INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER")
        if amount <= 0 or body.get("intent") != "CAPTURE":
            return self._error(422, "UNPROCESSABLE_ENTITY", "INVALID_PARAMETER_VALUE")
        order = _Order(self._id("PP"), "CAPTURE", units)
        self.orders[order.id] = order
        if key:
            self.by_request[key] = order.id
        return web.json_response(self._view(order), status=201)

    def _order(self, request: web.Request) -> _Order | None:
        return self.orders.get(request.match_info["id"])

    async def get(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")
        order = self._order(request)
        if order is None:
            return self._error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
        return web.json_response(self._view(order))

    async def capture(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")
        order = self._order(request)
        if order is None:
            return self._error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
        if order.status == "COMPLETED":
            return self._error(422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED")
        if order.status != "APPROVED":
            return self._error(422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED")
        capture_id = self._id("CAP")
        order.capture = {
            "id": capture_id,
            "status": "COMPLETED",
            "amount": dict(order.purchase_units[0]["amount"]),
        }
        order.status = "COMPLETED"
        self.captures[capture_id] = order.id
        return web.json_response(self._view(order), status=201)

    async def refund(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(401, "AUTHENTICATION_FAILURE", "INVALID_TOKEN")
        order_id = self.captures.get(request.match_info["id"])
        if order_id is None:
            return self._error(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")
        order = self.orders[order_id]
        assert order.capture is not None
        captured = Decimal(str(order.capture["amount"]["value"]))
        body = await request.json() if request.can_read_body else {}
        value = (body.get("amount") or {}).get("value")
        amount = captured - order.refunded if value is None else Decimal(str(value))
        if amount <= 0 or order.refunded + amount > captured:
            return self._error(422, "UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED")
        order.refunded += amount
        currency = order.capture["amount"]["currency_code"]
        return web.json_response(
            {
                "id": self._id("RF"),
                "status": "COMPLETED",
                "amount": {"currency_code": currency, "value": f"{amount:.2f}"},
            },
            status=201,
        )

    async def checkout_page(self, request: web.Request) -> web.Response:
        """What the payer sees: the order and an Approve button (a form post)."""
        order = self.orders.get(request.query.get("token", ""))
        if order is None:
            return web.Response(text="Unknown PayPal order", status=404)
        if request.method == "POST":
            self.approve(order.id)
        amount = order.purchase_units[0]["amount"]
        done = order.status != "PAYER_ACTION_REQUIRED"
        action = (
            "<p>✅ Approved. Go back to the chat and tap <b>I have paid</b>.</p>"
            if done
            else '<form method="post"><button type="submit">Approve payment</button></form>'
        )
        what = escape(str(order.purchase_units[0].get("description", "")))
        html = (
            "<!doctype html><meta charset=utf-8><title>PayPal (local sandbox)</title>"
            f"<h1>PayPal (local sandbox)</h1><p>{what}: "
            f"{escape(str(amount['value']))} {escape(str(amount['currency_code']))}</p>{action}"
        )
        return web.Response(text=html, content_type="text/html")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/oauth2/token", self.token)
        app.router.add_post("/v2/checkout/orders", self.create)
        app.router.add_get("/v2/checkout/orders/{id}", self.get)
        app.router.add_post("/v2/checkout/orders/{id}/capture", self.capture)
        app.router.add_post("/v2/payments/captures/{id}/refund", self.refund)
        app.router.add_route("*", "/checkoutnow", self.checkout_page)
        return app

    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> web.AppRunner:
        runner = web.AppRunner(self.app())
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self.base_url = f"http://{host}:{runner.addresses[0][1]}"
        return runner
