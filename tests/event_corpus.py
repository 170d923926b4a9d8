"""Messages that are not valid events, one of each kind a real feed has produced or
could, with the reason the one rule gives (udfs/events.py, templates/events_*.sql).

Each builder takes a valid event (a dict) and returns the message bytes. Used by the
rule's unit tests and by the poison-message integration test, which sends every one
between valid events to the running pipeline.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

Event = dict[str, Any]


@dataclass(frozen=True)
class Bad:
    """One malformed message: how to make it, and the reason Bronze must give."""

    name: str
    make: Callable[[Event], bytes]
    reason: str  # a prefix of the reason; those decided in SQL start with "capture_ts:"


def _edit(change: Callable[[Event], None]) -> Callable[[Event], bytes]:
    def make(event: Event) -> bytes:
        e = copy.deepcopy(event)
        change(e)
        return json.dumps(e).encode()
    return make


def _detection(key: str, value: Any) -> Callable[[Event], None]:
    return lambda e: e["detections"][0].__setitem__(key, value)


def _corner(key: str, value: Any) -> Callable[[Event], None]:
    return lambda e: e["detections"][0]["bbox"].__setitem__(key, value)


def _shift_capture(e: Event, by: timedelta) -> None:
    when = datetime.fromisoformat(e["capture_ts"].replace("Z", "+00:00")) + by
    e["capture_ts"] = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _raw(transform: Callable[[bytes], bytes]) -> Callable[[Event], bytes]:
    return lambda event: transform(json.dumps(event).encode())


BAD: list[Bad] = [
    Bad("det_id a string", _edit(_detection("det_id", "cam-7-0")), "detections[0].det_id: not an integer"),
    Bad("det_id missing", _edit(lambda e: e["detections"][0].pop("det_id")), "detections[0].det_id: missing"),
    Bad("det_id negative", _edit(_detection("det_id", -1)), "detections[0].det_id: -1 is below 0"),
    Bad("det_id too large for INT", _edit(_detection("det_id", 2**31)), "detections[0].det_id: 2147483648 is above"),
    Bad("track_id a string", _edit(_detection("track_id", "t-5")), "detections[0].track_id: not an integer or null"),
    Bad("track_id missing", _edit(lambda e: e["detections"][0].pop("track_id")), "detections[0].track_id: missing"),
    Bad("track_id negative", _edit(_detection("track_id", -5)), "detections[0].track_id: -5 is below 1"),
    Bad("track_id too large for BIGINT", _edit(_detection("track_id", 2**64)), "detections[0].track_id: "),
    Bad("box without a corner", _edit(lambda e: e["detections"][0]["bbox"].pop("y2")),
        "detections[0].bbox.y2: missing"),
    Bad("box with a text corner", _edit(_corner("x1", "left")), "detections[0].bbox.x1: not a number"),
    Bad("box corner too large for a double", _edit(_corner("x2", 10**400)),
        "detections[0].bbox.x2: not a finite number"),
    Bad("det_id of 5,000 digits as text", _edit(_detection("det_id", "9" * 5000)),
        "detections[0].det_id: not an integer"),
    Bad("NaN", _raw(lambda b: b.replace(b'"conf": 0.', b'"conf": NaN, "x": 0.', 1)),
        "not JSON: NaN is not a JSON number"),
    Bad("Infinity", _raw(lambda b: b.replace(b'"x2": ', b'"x2": Infinity, "w": ', 1)),
        "not JSON: Infinity is not a JSON number"),
    Bad("inverted box", _edit(lambda e: e["detections"][0]["bbox"].update(x1=300.0, x2=100.0)),
        "detections[0].bbox: inverted or empty"),
    Bad("box outside the image", _edit(lambda e: e["detections"][0]["bbox"].update(x1=5000.0, x2=5100.0)),
        "detections[0].bbox: wholly outside"),
    Bad("detection not an object", _edit(lambda e: e["detections"].__setitem__(0, "person")),
        "detections[0]: not an object"),
    Bad("detections not an array", _edit(lambda e: e.__setitem__("detections", {"det_id": 0})),
        "detections: not an array"),
    Bad("10,000 detections", _edit(lambda e: e.__setitem__("detections", [
        {**e["detections"][0], "det_id": i} for i in range(10_000)])), "message of"),
    Bad("a 5 MB message", _edit(lambda e: e.__setitem__("padding", "x" * 5_000_000)), "message of"),
    Bad("a lone surrogate escape", _raw(lambda b: b.replace(b'"person"', b'"pers\\ud800on"', 1)),
        "not UTF-8: a string holds a lone surrogate"),
    Bad("invalid UTF-8", _raw(lambda b: b.replace(b'"person"', b'"pers\xff\xfeon"', 1)), "not UTF-8"),
    Bad("capture time in 1970", _edit(lambda e: e.__setitem__("capture_ts", "1970-01-01T00:00:00.000Z")),
        "capture_ts: 1970-01-01T00:00:00.000Z is more than"),
    Bad("capture time a year ahead", _edit(lambda e: _shift_capture(e, timedelta(days=365))), "capture_ts: "),
    Bad("unknown schema_version", _edit(lambda e: e.__setitem__("schema_version", 7)),
        "schema_version: 7 is not supported (expected 1)"),
    Bad("JSON that is not an event", lambda e: json.dumps({"hello": "world"}).encode(), "source: missing"),
    Bad("schema_version not a number", _edit(lambda e: e.__setitem__("schema_version", False)), "schema_version: "),
    Bad("a JSON array", lambda e: b"[1, 2, 3]", "not a JSON object"),
    Bad("not JSON", lambda e: b"not json", "not JSON: "),
    Bad("repeated det_id", _edit(lambda e: e["detections"].append(dict(e["detections"][0]))),
        "detections[1].det_id: 0 repeats detections[0]"),
    Bad("capture time not a real date", _edit(lambda e: e.__setitem__("capture_ts", "2026-02-30T09:00:00.000Z")),
        "capture_ts: '2026-02-30T09:00:00.000Z' is not a real date"),
]

# Reasons decided in SQL from the publish time (templates/events_checked.sql),
# not by udfs/events.py alone.
DECIDED_IN_SQL = {"capture time in 1970", "capture time a year ahead"}
