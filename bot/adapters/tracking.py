"""Shipping providers' tracking updates, polled and pushed, turned into delivery milestones
through the engine (`Shipping.provider_update`, which ignores repeats).

The protocol a provider speaks (docs/notifications.md):
- Poll: `GET {api_endpoint}/tracking/{tracking_number}` answers
  `{"tracking_number": "...", "events": [{"status": "in_transit", "location": "...",
  "remarks": "..."}, ...]}`, oldest first.
- Push: `POST /shipping/{provider_id}/updates` on the bot's web server, header
  `X-Shipping-Secret: <SHIPPING_WEBHOOK_SECRET>`, the same JSON body (or one event given as
  `status`/`location`/`remarks` beside `tracking_number`).

A body is read into `Report` (pydantic): a polled one that does not follow the protocol is
logged and skipped, a pushed one is answered 400 with where it went wrong.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

import aiohttp
from aiohttp import web
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from bot.adapters._json import why
from engine.errors import DomainError, NotFound
from engine.shop import Shop
from storage.vocabulary import TrackingStatus

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Shipping-Secret"  # noqa: S105 - a header name, not a secret
MAX_BODY = 64 * 1024


class BadReport(ValueError):
    """A provider's report that does not follow the protocol."""


def _clipped(limit: int) -> Callable[[str | None], str | None]:
    """Free text as stored: stripped, at most `limit` characters, blank as absent."""
    return lambda text: None if text is None else text.strip()[:limit] or None


class Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: TrackingStatus
    location: Annotated[str | None, AfterValidator(_clipped(255))] = None
    remarks: Annotated[str | None, AfterValidator(_clipped(500))] = None


class Report(BaseModel):
    model_config = ConfigDict(frozen=True)

    tracking_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    events: Annotated[list[Event], Field(min_length=1, max_length=50)]

    @model_validator(mode="before")
    @classmethod
    def _one_event(cls, body: Any) -> Any:
        """One event may stand beside the tracking number instead of a list of them."""
        if isinstance(body, dict) and body.get("events") is None and "status" in body:
            return {**body, "events": [body]}
        return body


def parse_report(body: bytes | str) -> Report:
    """A provider's JSON body as a `Report`; `BadReport` says where it breaks the protocol."""
    try:
        return Report.model_validate_json(body)
    except ValidationError as exc:
        raise BadReport(why(exc)) from None


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
                report = parse_report(await response.read())
            applied += await apply_report(shop, parcel.provider_id, report, "provider_poll")
        except (aiohttp.ClientError, TimeoutError, ValueError, NotFound) as exc:  # BadReport too
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
            report = parse_report(body)
        except BadReport as exc:  # not JSON, or not the protocol's
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        try:
            applied = await apply_report(shop, provider_id, report, "provider_push")
        except NotFound:
            return web.json_response({"ok": False, "error": "unknown tracking number"}, status=404)
        return web.json_response({"ok": True, "applied": applied})

    return [web.post("/shipping/{provider_id}/updates", push)]
