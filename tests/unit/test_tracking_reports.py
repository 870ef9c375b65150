"""A shipping provider's tracking JSON (docs/notifications.md), polled or pushed, as the shop
reads it: what it keeps from a good body, and which bodies it refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.adapters.tracking import BadReport, parse_report
from storage.vocabulary import TrackingStatus


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_a_list_of_events_is_read_oldest_first_with_its_text_trimmed() -> None:
    report = parse_report(
        _body(
            {
                "tracking_number": "  SP1042X ",
                "carrier": "ignored",
                "events": [
                    {"status": "in_transit", "location": " Lyon hub ", "remarks": "   "},
                    {"status": "delivered", "remarks": "x" * 600},
                ],
            }
        )
    )
    assert report.tracking_number == "SP1042X"
    first, last = report.events
    assert (first.status, first.location, first.remarks) == (
        TrackingStatus.in_transit,
        "Lyon hub",
        None,
    )
    assert (last.status, last.location, last.remarks) == (TrackingStatus.delivered, None, "x" * 500)


def test_one_event_may_be_given_flat_beside_the_tracking_number() -> None:
    report = parse_report(
        _body({"tracking_number": "SP1", "status": "out_for_delivery", "location": "Dhaka"})
    )
    [event] = report.events
    assert (event.status, event.location) == (TrackingStatus.out_for_delivery, "Dhaka")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"{not json", "JSON"),
        (_body(["SP1"]), "object"),
        (_body({"events": [{"status": "shipped"}]}), "tracking_number"),
        (_body({"tracking_number": "   ", "status": "shipped"}), "tracking_number"),
        (_body({"tracking_number": 1042, "status": "shipped"}), "tracking_number"),
        (_body({"tracking_number": "X" * 101, "status": "shipped"}), "tracking_number"),
        (_body({"tracking_number": "SP1"}), "events"),
        (_body({"tracking_number": "SP1", "events": []}), "events"),
        (_body({"tracking_number": "SP1", "events": {"status": "shipped"}}), "events"),
        (_body({"tracking_number": "SP1", "events": [{"status": "shipped"}] * 51}), "events"),
        (_body({"tracking_number": "SP1", "events": ["shipped"]}), "events.0"),
        (_body({"tracking_number": "SP1", "status": "teleported"}), "status"),
        (_body({"tracking_number": "SP1", "status": "shipped", "location": 5}), "location"),
    ],
)
def test_a_body_off_the_protocol_is_refused_saying_where(body: bytes, where: str) -> None:
    with pytest.raises(BadReport) as refused:
        parse_report(body)
    assert where in str(refused.value)
    assert len(str(refused.value)) <= 200
