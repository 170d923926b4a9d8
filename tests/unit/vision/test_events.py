"""Event serialization: deterministic ids, Bronze's timestamp form, the shipped schemas."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest

from vision.errors import SinkError
from vision.events import (
    BBox,
    FrameEvent,
    SourceRef,
    TrackedDetection,
    format_capture_ts,
    make_event_id,
    parse_capture_ts,
)
from vision.publish.schema_registry import AVRO_SCHEMA, JSON_SCHEMA, schema_payload, topic_path


def event(frame: int = 7, track: int | None = 3) -> FrameEvent:
    det = TrackedDetection(0, "person", BBox(10.04, 20.0, 50.0, 120.0), 0.87654, track)
    return FrameEvent(SourceRef("store_001", "cam_01", "cam_01/aisle"), frame,
                      datetime(2026, 11, 2, 9, 0, 0, 200_000, tzinfo=timezone.utc), 640, 360, (det,))


class TestEventId:
    def test_same_stream_and_frame_same_id(self) -> None:
        assert event(7).event_id == event(7).event_id == make_event_id("store_001", "cam_01", "cam_01/aisle", 7)

    @pytest.mark.parametrize("other", [
        pytest.param(("store_002", "cam_01", "cam_01/aisle", 7), id="store"),
        pytest.param(("store_001", "cam_02", "cam_01/aisle", 7), id="camera"),
        pytest.param(("store_001", "cam_01", "cam_01/other", 7), id="stream"),
        pytest.param(("store_001", "cam_01", "cam_01/aisle", 8), id="frame"),
        pytest.param(("store_001", "cam_01a", "cam_01/aisle", 7), id="no-separator-collision"),
    ])
    def test_any_field_changes_id(self, other: tuple[str, str, str, int]) -> None:
        assert make_event_id(*other) != event(7).event_id

    def test_id_ignores_capture_time_and_detections(self) -> None:
        later = FrameEvent(event().source, 7, event().capture_ts + timedelta(hours=1), 640, 360, ())
        assert later.event_id == event().event_id


class TestCaptureTs:
    @pytest.mark.parametrize("when, text", [
        pytest.param(datetime(2026, 11, 2, 9, 0, 0, 200_000, tzinfo=timezone.utc), "2026-11-02T09:00:00.200Z",
                     id="utc"),
        pytest.param(datetime(2026, 11, 2, 10, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=1))),
                     "2026-11-02T09:00:00.999Z", id="offset-truncates"),
        pytest.param(datetime(2026, 11, 2, 9, 0, 0), "2026-11-02T09:00:00.000Z", id="naive-is-utc"),
    ])
    def test_format(self, when: datetime, text: str) -> None:
        import re

        assert format_capture_ts(when) == text
        assert re.match(json.loads(JSON_SCHEMA.read_text())["properties"]["capture_ts"]["pattern"], text)
        assert format_capture_ts(parse_capture_ts(text)) == text


class TestSchema:
    def test_event_validates_against_json_schema(self) -> None:
        schema = json.loads(JSON_SCHEMA.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        for e in (event(), event(track=None), FrameEvent(event().source, 0, event().capture_ts, 1, 1, ())):
            jsonschema.validate(json.loads(e.to_json()), schema)

    def test_wire_form(self) -> None:
        data = json.loads(event().to_json())
        assert data["capture_ts"] == "2026-11-02T09:00:00.200Z"
        assert data["detections"][0] == {"det_id": 0, "class": "person", "conf": 0.8765, "track_id": 3,
                                          "bbox": {"x1": 10.0, "y1": 20.0, "x2": 50.0, "y2": 120.0}}
        assert b"\n" not in event().to_json()

    def test_bad_timestamp_rejected_by_schema(self) -> None:
        data = json.loads(event().to_json())
        data["capture_ts"] = "2026-11-02 09:00:00"
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, json.loads(JSON_SCHEMA.read_text()))

    def test_avro_form_has_the_same_fields(self) -> None:
        avro = json.loads(AVRO_SCHEMA.read_text())
        schema = json.loads(JSON_SCHEMA.read_text())

        def avro_fields(record: dict) -> dict:
            out = {}
            for f in record["fields"]:
                t = f["type"]
                if isinstance(t, dict) and t["type"] == "record":
                    out[f["name"]] = avro_fields(t)
                elif isinstance(t, dict) and t["type"] == "array":
                    out[f["name"]] = [avro_fields(t["items"])]
                else:
                    out[f["name"]] = None
            return out

        def json_fields(node: dict) -> dict | None:
            if node.get("type") == "object":
                return {k: json_fields(v) for k, v in node["properties"].items()}
            if node.get("type") == "array":
                return [json_fields(node["items"])]  # type: ignore[return-value]
            return None

        assert avro_fields(avro) == json_fields(schema)

    def test_registration_payload(self) -> None:
        payload = schema_payload()
        assert payload["type"] == "JSON"
        assert json.loads(str(payload["schema"]))["name"] == "FrameEvent"
        assert topic_path("persistent://retail/metadata/events") == "retail/metadata/events"
        with pytest.raises(SinkError, match="need persistent://tenant/namespace/name"):
            topic_path("events")

    def test_schema_files_are_package_data(self) -> None:
        assert JSON_SCHEMA.is_file() and AVRO_SCHEMA.is_file()
        assert JSON_SCHEMA == Path(__file__).resolve().parents[3] / "vision" / "schemas" / "event.schema.json"
