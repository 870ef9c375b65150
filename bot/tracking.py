"""Shipping providers' tracking updates, polled and pushed, turned into delivery milestones
through the engine (`Shipping.provider_update`, which ignores repeats).

The protocol a provider speaks (docs/notifications.md):
- Poll: `GET {api_endpoint}/tracking/{tracking_number}` answers
  `{"tracking_number": "...", "events": [{"status": "in_transit", "location": "...",
  "remarks": "..."}, ...]}`, oldest first.
- Push: `POST /shipping/{provider_id}/updates` on the bot's web server, header
  `X-Shipping-Secret: <SHIPPING_WEBHOOK_SECRET>`, the same JSON body (or one event given as
  `status`/`location`/`remarks` beside `tracking_number`).
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

from engine.errors import DomainError, NotFound
from engine.shop import Shop
from storage.vocabulary import TrackingStatus

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Shipping-Secret"  # noqa: S105 - a header name, not a secret
MAX_BODY = 64 * 1024


class BadReport(ValueError):
    """A provider's report that does not follow the protocol."""


@dataclass(frozen=True)
class Event:
    status: TrackingStatus
    location: str | None = None
    remarks: str | None = None


@dataclass(frozen=True)
class Report:
    tracking_number: str
    events: tuple[Event, ...]


def _text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadReport("location and remarks must be text")
    return value.strip()[:limit] or None


def parse_report(body: Any) -> Report:
    if not isinstance(body, dict):
        raise BadReport("the body must be a JSON object")
    number = body.get("tracking_number")
    if not isinstance(number, str) or not number.strip() or len(number) > 100:
        raise BadReport("tracking_number is missing")
    raw = body.get("events")
    if raw is None and "status" in body:
        raw = [body]
    if not isinstance(raw, list) or not raw or len(raw) > 50:
        raise BadReport("events must be a list of 1 to 50 events")
    events = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadReport("each event must be an object")
        try:
            status = TrackingStatus(str(item.get("status")))
        except ValueError:
            raise BadReport(f"unknown status {item.get('status')!r}") from None
        events.append(
            Event(status, _text(item.get("location"), 255), _text(item.get("remarks"), 500))
        )
    return Report(number.strip(), tuple(events))


async def apply_report(shop: Shop, provider_id: int, report: Report, source: str) -> int:
    """Each event through the engine, oldest first; returns how many were new milestones.
    A repeat is ignored; an event the parcel is already past is logged and skipped."""
    applied = 0
    for event in report.events:
        try:
            added = await shop.shipping.provider_update(
                provider_id,
                report.tracking_number,
                event.status,
                event.location,
                event.remarks,
                source=source,
            )
        except NotFound:
            raise
        except DomainError as exc:
            log.info("tracking %s: %s skipped (%s)", report.tracking_number, event.status, exc.code)
            continue
        applied += int(added)
    return applied


async def poll(shop: Shop, session: aiohttp.ClientSession) -> int:
    """Ask every provider with an API about every parcel on its way; returns how many new
    milestones were recorded. One provider failing does not stop the others."""
    applied = 0
    for parcel in await shop.housekeeping.open_trackings():
        url = f"{parcel.api_endpoint.rstrip('/')}/tracking/{quote(parcel.tracking_number)}"
        try:
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as response:
                if response.status == 404:
                    continue  # the provider does not know it yet
                response.raise_for_status()
                report = parse_report(await response.json(content_type=None))
            applied += await apply_report(shop, parcel.provider_id, report, "provider_poll")
        except (aiohttp.ClientError, TimeoutError, ValueError, NotFound) as exc:
            log.warning("tracking poll of %s failed: %s", url, exc)
    return applied


def routes(shop: Shop, secret: str) -> list[web.RouteDef]:
    """The push endpoint for providers, authenticated by the shared secret."""

    async def push(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
        try:
            provider_id = int(request.match_info["provider_id"])
        except ValueError:
            return web.json_response({"ok": False, "error": "unknown provider"}, status=404)
        body = await request.content.read(MAX_BODY + 1)  # this endpoint's own cap
        if (request.content_length or 0) > MAX_BODY or len(body) > MAX_BODY:
            return web.json_response({"ok": False, "error": "too large"}, status=413)
        try:
            report = parse_report(json.loads(body))
        except ValueError as exc:  # JSON that does not parse, or BadReport
            return web.json_response({"ok": False, "error": str(exc)[:200]}, status=400)
        try:
            applied = await apply_report(shop, provider_id, report, "provider_push")
        except NotFound:
            return web.json_response({"ok": False, "error": "unknown tracking number"}, status=404)
        return web.json_response({"ok": True, "applied": applied})

    return [web.post("/shipping/{provider_id}/updates", push)]
