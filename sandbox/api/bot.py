"""The bot's own settings and how it receives updates: getMe, getUpdates, webhooks, commands."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from sandbox.api import handles
from sandbox.errors import ApiError, bad_request
from sandbox.state import State
from sandbox.validation import Call

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAX_POLL_TIMEOUT = 50  # Telegram caps long polls at 50 s


@handles("getMe")
async def get_me(state: State, call: Call) -> Any:
    return {
        **state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@handles("getUpdates")
async def get_updates(state: State, call: Call) -> Any:
    p = call.params
    if state.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first",
        )
    if "allowed_updates" in p and isinstance(p["allowed_updates"], list):
        state.allowed_updates = [str(x) for x in p["allowed_updates"]]
    state.acknowledge(int(p.get("offset") or 0))
    limit = max(1, min(100, int(p.get("limit") or 100)))
    timeout = max(0, min(MAX_POLL_TIMEOUT, int(p.get("timeout") or 0)))
    # A newer getUpdates call ends an older one that is still waiting, as on Telegram.
    state.poll_generation += 1
    generation = state.poll_generation
    await state.notify()
    await state.wait_for(
        lambda: (
            bool(state.updates)
            or generation != state.poll_generation
            or state.webhook is not None
            or state.closing
        ),
        timeout,
    )
    if generation != state.poll_generation:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running",
            violation=False,
        )
    return [u for u in state.updates if _allowed(state, u)][:limit]


def _allowed(state: State, update: dict[str, Any]) -> bool:
    kind = next(k for k in update if k != "update_id")
    return state.wants(kind)


WEBHOOK_PORTS = (443, 80, 88, 8443)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_webhook_url(url: str) -> None:
    """Telegram's rule: HTTPS on port 443, 80, 88 or 8443. A loopback host is the sandbox's
    own machine (the bot under test), where plain HTTP on any port is allowed."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise bad_request("bad webhook: Wrong port number specified in the URL") from None
    host = parts.hostname or ""
    if not host:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    if _loopback(host) and parts.scheme in ("http", "https"):
        return
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (port or 443) not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


@handles("setWebhook")
async def set_webhook(state: State, call: Call) -> Any:
    p = call.params
    url = str(p.get("url") or "")
    if not url:
        return await delete_webhook(state, call)
    _check_webhook_url(url)
    secret = p.get("secret_token")
    if secret is not None and not _SECRET.fullmatch(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    max_connections = int(p.get("max_connections") or 40)
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    if p.get("drop_pending_updates"):
        state.updates.clear()
    if isinstance(p.get("allowed_updates"), list):
        state.allowed_updates = [str(x) for x in p["allowed_updates"]]
    state.webhook = {
        "url": url,
        "secret_token": secret,
        "max_connections": max_connections,
    }
    state.webhook_error = None
    await state.notify()
    return True


@handles("deleteWebhook")
async def delete_webhook(state: State, call: Call) -> Any:
    if call.params.get("drop_pending_updates"):
        state.updates.clear()
    state.webhook = None
    await state.notify()
    return True


@handles("getWebhookInfo")
async def get_webhook_info(state: State, call: Call) -> Any:
    info: dict[str, Any] = {
        "url": state.webhook["url"] if state.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if state.webhook:
        info["max_connections"] = state.webhook["max_connections"]
        if state.allowed_updates:
            info["allowed_updates"] = state.allowed_updates
    if state.webhook_error:
        info["last_error_date"], info["last_error_message"] = state.webhook_error
    return info


def _scope_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.get('language_code') or ''}"


@handles("setMyCommands")
async def set_my_commands(state: State, call: Call) -> Any:
    commands = call.params.get("commands") or []
    for command in commands:
        name = str(command.get("command", ""))
        if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    if len(commands) > 100:
        raise bad_request("too many commands")
    state.commands[_scope_key(call.params)] = list(commands)
    state.revise()
    return True


@handles("getMyCommands")
async def get_my_commands(state: State, call: Call) -> Any:
    return state.commands.get(_scope_key(call.params), [])


@handles("deleteMyCommands")
async def delete_my_commands(state: State, call: Call) -> Any:
    state.commands.pop(_scope_key(call.params), None)
    state.revise()
    return True


@handles("setChatMenuButton")
async def set_chat_menu_button(state: State, call: Call) -> Any:
    button = call.params.get("menu_button") or {"type": "default"}
    chat_id = call.params.get("chat_id")
    if isinstance(chat_id, int):
        state.chat_menu_buttons[chat_id] = button
    else:
        state.menu_button = button
    state.revise()
    return True


@handles("getChatMenuButton")
async def get_chat_menu_button(state: State, call: Call) -> Any:
    chat_id = call.params.get("chat_id")
    if isinstance(chat_id, int) and chat_id in state.chat_menu_buttons:
        return state.chat_menu_buttons[chat_id]
    return state.menu_button


@handles("close", "logOut")
async def close(state: State, call: Call) -> Any:
    return True
