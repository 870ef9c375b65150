"""Invoices and checkout: sendInvoice, createInvoiceLink, answerPreCheckoutQuery.

The emulator keeps each invoice's full parameters (payload, prices) beside the message, so a
simulated user can pay it later and the pre_checkout_query and successful_payment carry what
Telegram would put in them.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.api import chat_for, handles
from sandbox.api.messages import answer_query, send_bot_message
from sandbox.errors import bad_request
from sandbox.state import State
from sandbox.validation import Call


def _check_provider(p: dict[str, Any]) -> None:
    if p.get("currency") != "XTR" and not p.get("provider_token"):
        raise bad_request("PAYMENT_PROVIDER_INVALID: provider_token is required for currency")


def invoice_of(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": p["title"],
        "description": p["description"],
        "start_parameter": p.get("start_parameter") or "",
        "currency": p["currency"],
        "total_amount": sum(int(price["amount"]) for price in p["prices"]),
    }


@handles("sendInvoice")
async def send_invoice(state: State, call: Call) -> Any:
    p = call.params
    _check_provider(p)
    chat = chat_for(state, p["chat_id"])
    message = await send_bot_message(state, chat, p, invoice=invoice_of(p))
    state.invoices[(chat.id, message["message_id"])] = dict(p)
    state.touch()  # kept with the message (the history on disk saves on a touch)
    return message


@handles("createInvoiceLink")
async def create_invoice_link(state: State, call: Call) -> Any:
    _check_provider(call.params)
    slug = secrets.token_urlsafe(12)
    state.invoice_links[slug] = dict(call.params)
    state.touch()
    return f"https://t.me/${slug}"


@handles("answerPreCheckoutQuery")
async def answer_pre_checkout_query(state: State, call: Call) -> Any:
    p = call.params
    if not p.get("ok") and not p.get("error_message"):
        raise bad_request("ERROR_MESSAGE_EMPTY: error_message is required when ok is False")
    await answer_query(state, "pre_checkout_query", str(p["pre_checkout_query_id"]), dict(p))
    return True
