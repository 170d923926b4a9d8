"""What a valid event is: the one rule every layer applies before its own logic.

Bronze files every message this rule refuses in bronze_rejects with the reason it gives;
Silver, Gold and the live job read only the events it accepts, normalized, so that no
message one layer takes can stop another. The structure comes from
vision/schemas/event.schema.json (compiled by fastjsonschema, so the contract is written once);
what a JSON Schema cannot say is checked here: JSON without NaN or Infinity, UTF-8
(bytes and escapes: a lone surrogate would fail the job's string encoding),
the message size, a capture time that is a real date, repeated det_ids and box
geometry. How far the capture time may lie from the publish time is checked in SQL
(templates/events_topic.sql), where the watermark is made.

Tolerable deviations are normalized, not refused (docs/events.md):
- an integer or a number written as a numeric string ("det_id": "7") becomes the number,
  and an integer written with a zero fraction (7.0) the integer;
- a box partly outside the image is clipped to it;
- an event without schema_version is version 0, the earlier pipeline's frame JSON
  (../shared/REPLACED.md): it is upgraded to version 1 (upgrade_v0).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import fastjsonschema

from vision.schemas import JSON_SCHEMA as SCHEMA_FILE  # the producer ships the contract

# Longer digit strings stay strings (and are refused as such): no INT or BIGINT holds them,
# and Python refuses to convert ones over 4,300 digits.
INTEGER_TEXT = re.compile(r"^-?[0-9]{1,30}$")
NUMBER_TEXT = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


# The prefix of the event_id derived for a version-0 event: such ids never collide with
# a producer's own (rva's are bare hex).
V0_ID_PREFIX = "v0-"


@dataclass(frozen=True)
class Checked:
    """The outcome for one message: the normalized event, or why there is none."""

    event: dict[str, Any] | None
    problem: str | None


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text())


@cache
def _validator() -> Any:
    return fastjsonschema.compile(schema())


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _path(parts: list[str]) -> str:
    """['data', 'detections', '3', 'det_id'] -> 'detections[3].det_id'."""
    out = ""
    for part in parts[1:]:  # 'data' is fastjsonschema's name for the whole message
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


KINDS = {"integer": "an integer", "number": "a number", "string": "a string", "object": "an object",
         "array": "an array", "null": "null"}


def _reason(error: fastjsonschema.JsonSchemaValueException) -> str:
    """One line naming the field: 'detections[3].det_id: not an integer'."""
    where, value, rule = _path(list(error.path)), error.value, error.rule_definition
    if error.rule == "required":
        missing = next((f for f in rule if isinstance(value, dict) and f not in value), rule[0])
        return f"{where}.{missing}: missing" if where else f"{missing}: missing"
    if error.rule == "type":
        if not where:
            return "not a JSON object"
        kinds = rule if isinstance(rule, list) else [rule]
        return f"{where}: not {' or '.join(KINDS.get(k, k) for k in kinds)}"
    if error.rule == "const":
        return f"{where}: {value!r} is not supported (expected {rule!r})"
    if error.rule in ("minimum", "exclusiveMinimum"):
        return f"{where}: {value} is below {rule}"
    if error.rule in ("maximum", "exclusiveMaximum"):
        return f"{where}: {value} is above {rule}"
    if error.rule == "maxItems":
        return f"{where}: {len(value)} items, at most {rule}"
    if error.rule == "minLength":
        return f"{where}: empty"
    if error.rule == "maxLength":
        return f"{where}: longer than {rule} characters"
    if error.rule == "pattern":
        example = (error.definition or {}).get("examples", [rule])[0]
        return f"{where}: {value!r} is not in the form {example}"
    return f"{where or 'message'}: {error.message.removeprefix('data.')}"


def _numbers_from_text(event: Any) -> None:
    """Numeric strings in the integer and number fields become numbers, in place."""
    properties = schema()["properties"]

    def fix(holder: Any, key: str, spec: dict[str, Any]) -> None:
        kinds = spec.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        value = holder.get(key) if isinstance(holder, dict) else None
        if "integer" in kinds and isinstance(value, float) and value.is_integer():
            holder[key] = int(value)  # 7.0 is the integer 7 in JSON Schema; keep it one
            return
        if not isinstance(value, str):
            return
        if "integer" in kinds and INTEGER_TEXT.match(value):
            holder[key] = int(value)
        elif "number" in kinds and NUMBER_TEXT.match(value):
            holder[key] = float(value)

    if not isinstance(event, dict):
        return
    for key in ("schema_version", "frame_index"):
        fix(event, key, properties[key])
    for key, spec in properties["image_size"]["properties"].items():
        fix(event.get("image_size"), key, spec)
    item = properties["detections"]["items"]["properties"]
    for d in event.get("detections") if isinstance(event.get("detections"), list) else []:
        for key in ("det_id", "conf", "track_id"):
            fix(d, key, item[key])
        for key, spec in item["bbox"]["properties"].items():
            fix(d.get("bbox") if isinstance(d, dict) else None, key, spec)


def v0_event_id(event: dict[str, Any]) -> str:
    """The event_id of a version-0 event: a hash of its source, frame index and capture
    time, so the same frame sent again (a replay, a producer's retry) gets the same id
    and is de-duplicated like any other."""
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    key = [source.get("store_id"), source.get("camera_id"), source.get("stream_id"),
           event.get("frame_index"), event.get("capture_ts")]
    digest = hashlib.blake2b(json.dumps(key).encode(), digest_size=16).hexdigest()
    return V0_ID_PREFIX + digest


def _is_integer(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and INTEGER_TEXT.match(value) is not None)


def upgrade_v0(event: dict[str, Any]) -> None:
    """Version 0 (no schema_version, or 0) to version 1, in place.

    The earlier pipeline's frames have no event_id and name detections by strings
    ("d_1732276800_001"): the event gets v0_event_id unless it has an id of its own, and
    if any det_id is not an integer, every detection's det_id becomes its position in
    the frame (0, 1, ...), which is stable across resends. Bronze's payload keeps the
    message as it came.
    """
    event["schema_version"] = 1
    if "event_id" not in event:
        event["event_id"] = v0_event_id(event)
    detections = event.get("detections")
    if isinstance(detections, list) and all(isinstance(d, dict) for d in detections) \
            and not all(_is_integer(d.get("det_id")) for d in detections):
        for i, d in enumerate(detections):
            d["det_id"] = i


def _geometry_problem(event: dict[str, Any]) -> str | None:
    """Boxes inverted or wholly outside the image, and repeated det_ids; clips the rest."""
    width, height = event["image_size"]["width"], event["image_size"]["height"]
    seen: dict[int, int] = {}
    for i, d in enumerate(event["detections"]):
        if d["det_id"] in seen:
            return f"detections[{i}].det_id: {d['det_id']} repeats detections[{seen[d['det_id']]}]"
        seen[d["det_id"]] = i
        b = d["bbox"]
        if b["x1"] >= b["x2"] or b["y1"] >= b["y2"]:
            return f"detections[{i}].bbox: inverted or empty (x1 {b['x1']}, x2 {b['x2']}, y1 {b['y1']}, y2 {b['y2']})"
        if b["x2"] <= 0 or b["y2"] <= 0 or b["x1"] >= width or b["y1"] >= height:
            return f"detections[{i}].bbox: wholly outside the {width}x{height} image"
        b["x1"], b["y1"] = max(0.0, float(b["x1"])), max(0.0, float(b["y1"]))
        b["x2"], b["y2"] = min(float(width), float(b["x2"])), min(float(height), float(b["y2"]))
    return None


def _finite(value: float | int) -> bool:
    """Whether a number is one a DOUBLE holds: not NaN, not infinite, not an integer
    too large for a float (10**400 is valid JSON)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def check(payload: bytes | None, max_bytes: int) -> Checked:
    """The event in ``payload``, normalized, or the first problem found with it."""
    if payload is None:
        return Checked(None, "empty message")
    if len(payload) > max_bytes:
        return Checked(None, f"message of {len(payload):,} bytes, at most {max_bytes:,}")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as err:
        return Checked(None, f"not UTF-8 (byte {err.start})")
    try:
        event = json.loads(text, parse_constant=_no_constants)
    except ValueError as err:
        return Checked(None, f"not JSON: {err}")
    try:  # "\ud800" is valid JSON, but no string of it can be written back as UTF-8
        json.dumps(event, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return Checked(None, "not UTF-8: a string holds a lone surrogate (an escape like \\ud800)")
    if isinstance(event, dict) and event.get("schema_version", 0) == 0 and type(event.get("schema_version", 0)) is int:
        upgrade_v0(event)
    _numbers_from_text(event)
    try:
        _validator()(event)
    except fastjsonschema.JsonSchemaValueException as error:
        return Checked(None, _reason(error))
    for i, d in enumerate(event["detections"]):
        values = [("conf", d["conf"]), *((f"bbox.{k}", v) for k, v in d["bbox"].items())]
        for key, value in values:
            if not _finite(value):
                return Checked(None, f"detections[{i}].{key}: not a finite number")
    try:
        datetime.strptime(event["capture_ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return Checked(None, f"capture_ts: {event['capture_ts']!r} is not a real date")
    problem = _geometry_problem(event)
    return Checked(None, problem) if problem else Checked(event, None)
