"""The one rule for a valid event (udfs/events.py): what it refuses and why, what it
normalizes, and that it is vision/schemas/event.schema.json's rule."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
import yaml

from rva.config import REPO_ROOT
from tests.event_corpus import BAD, DECIDED_IN_SQL, Bad
from udfs.events import SCHEMA_FILE, Checked, check

SAMPLE = REPO_ROOT / "samples" / "events.ndjson"
LIMITS = yaml.safe_load((REPO_ROOT / "configs" / "pipeline.yaml").read_text())
MAX_BYTES = LIMITS["max_event_bytes"]


def valid_event() -> dict:
    return json.loads(SAMPLE.read_text().splitlines()[0])


class TestValid:
    def test_every_sample_event_is_valid(self) -> None:
        for line in SAMPLE.read_bytes().splitlines():
            assert check(line, MAX_BYTES).problem is None

    def test_the_producers_events_are_valid(self) -> None:
        from datetime import datetime, timezone

        from vision.events import BBox, FrameEvent, SourceRef, TrackedDetection

        det = TrackedDetection(0, "person", BBox(10.0, 20.0, 50.0, 120.0), 0.87, 3)
        for e in (FrameEvent(SourceRef("s", "c", "c/x"), 7, datetime.now(timezone.utc), 640, 360, (det,)),
                  FrameEvent(SourceRef("s", "c", "c/x"), 0, datetime.now(timezone.utc), 1, 1, ())):
            assert check(e.to_json(), MAX_BYTES).problem is None

    def test_extra_fields_are_kept_out_of_the_way(self) -> None:
        e = valid_event()
        e["model"] = {"name": "yolov8"}
        e["detections"][0]["keypoints"] = [1, 2]
        assert check(json.dumps(e).encode(), MAX_BYTES).problem is None


class TestRefused:
    @pytest.mark.parametrize("bad", [b for b in BAD if b.name not in DECIDED_IN_SQL], ids=lambda b: b.name)
    def test_reason_names_the_field(self, bad: Bad) -> None:
        checked = check(bad.make(valid_event()), MAX_BYTES)
        assert checked.event is None
        assert checked.problem is not None and checked.problem.startswith(bad.reason), checked.problem

    @pytest.mark.parametrize("bad", [b for b in BAD if b.name in DECIDED_IN_SQL], ids=lambda b: b.name)
    def test_capture_time_bounds_are_left_to_sql(self, bad: Bad) -> None:
        # templates/events_topic.sql compares them with the broker's receipt time
        assert check(bad.make(valid_event()), MAX_BYTES).problem is None

    def test_no_message_raises(self) -> None:
        for payload in (None, b"", b"{", b"\x00" * 10, b'{"detections": [{"bbox": null}]}', b"1e999999"):
            assert check(payload, MAX_BYTES).problem


class TestNormalized:
    def test_numbers_written_as_text_become_numbers(self) -> None:
        e = valid_event()
        e["frame_index"], e["detections"][0]["det_id"], e["detections"][0]["conf"] = "12", "3", "0.5"
        e["detections"][0]["track_id"], e["detections"][0]["bbox"]["x1"] = 4.0, "61.5"
        event = check(json.dumps(e).encode(), MAX_BYTES).event
        assert event is not None
        d = event["detections"][0]
        assert (event["frame_index"], d["det_id"], d["conf"], d["track_id"], d["bbox"]["x1"]) == (12, 3, 0.5, 4, 61.5)

    def test_a_box_partly_outside_is_clipped(self) -> None:
        e = valid_event()
        e["detections"][0]["bbox"] = {"x1": -30, "y1": 600, "x2": 40, "y2": 900}
        event = check(json.dumps(e).encode(), MAX_BYTES).event
        assert event is not None and event["detections"][0]["bbox"] == {"x1": 0.0, "y1": 600.0, "x2": 40.0,
                                                                          "y2": 720.0}


class TestSchemaIsTheContract:
    def test_schema_is_a_valid_json_schema(self) -> None:
        jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text()))

    @pytest.mark.parametrize("bad", BAD, ids=lambda b: b.name)
    def test_the_rule_refuses_what_the_schema_refuses(self, bad: Bad) -> None:
        """jsonschema (the reference implementation) and the rule agree on every message
        the schema can judge: a schema violation is always refused."""
        try:
            data = json.loads(bad.make(valid_event()))
        except ValueError:
            return  # not JSON: nothing for a schema to judge
        schema = json.loads(SCHEMA_FILE.read_text())
        if not jsonschema.Draft202012Validator(schema).is_valid(data):
            assert check(json.dumps(data).encode(), 1 << 30).problem

    def test_limits_of_the_sql_intervals(self) -> None:
        # templates/events_topic.sql writes them as DAY (3) and SECOND (3) intervals
        assert LIMITS["max_event_age_days"] < 1000 and LIMITS["max_clock_ahead_s"] < 1000


def test_corpus_is_complete() -> None:
    """Every kind of malformed message issue 9 lists is in the corpus."""
    kinds = {"det_id a string", "det_id missing", "det_id negative", "det_id too large for INT",
             "track_id a string", "track_id missing", "track_id negative", "box without a corner",
             "box with a text corner", "NaN", "Infinity", "inverted box", "box outside the image",
             "detection not an object", "detections not an array", "10,000 detections", "a 5 MB message",
             "invalid UTF-8", "capture time in 1970", "capture time a year ahead", "unknown schema_version",
             "JSON that is not an event"}
    assert kinds <= {b.name for b in BAD}


# The earlier pipeline's frame JSON, as ../shared/REPLACED.md documents it.
EARLIER_FRAME = {
    "source": {"store_id": "store_01", "camera_id": "cam_01", "stream_id": "stream_001"},
    "detections": [{"det_id": "d_1732276800_001", "class": "person",
                    "bbox": {"x1": 100, "y1": 200, "x2": 300, "y2": 400}, "conf": 0.92, "track_id": 5},
                   {"det_id": "d_1732276800_002", "class": "car",
                    "bbox": {"x1": 500, "y1": 200, "x2": 900, "y2": 500}, "conf": 0.8, "track_id": None}],
    "frame_index": 1234, "capture_ts": "2025-11-22T10:30:00.123Z",
    "image_size": {"width": 1280, "height": 720},
}


def checked(event: dict) -> Checked:
    return check(json.dumps(event).encode(), LIMITS["max_event_bytes"])


class TestVersionZero:
    def test_the_earlier_frame_is_an_event(self) -> None:
        result = checked(EARLIER_FRAME)
        assert result.problem is None
        assert result.event["schema_version"] == 1
        assert result.event["event_id"].startswith("v0-")
        assert [d["det_id"] for d in result.event["detections"]] == [0, 1]  # their positions

    def test_the_same_frame_sent_again_has_the_same_id(self) -> None:
        assert checked(EARLIER_FRAME).event["event_id"] == checked(copy.deepcopy(EARLIER_FRAME)).event["event_id"]

    @pytest.mark.parametrize(("key", "value"), [("frame_index", 1235), ("capture_ts", "2025-11-22T10:30:00.157Z"),
                                                ("source", {"store_id": "store_01", "camera_id": "cam_02"})])
    def test_another_frame_has_another_id(self, key: str, value: object) -> None:
        assert checked({**EARLIER_FRAME, key: value}).event["event_id"] != checked(EARLIER_FRAME).event["event_id"]

    def test_an_id_of_its_own_and_integer_det_ids_are_kept(self) -> None:
        frame = copy.deepcopy(EARLIER_FRAME)
        frame["event_id"] = "theirs-1"
        for i, d in enumerate(frame["detections"]):
            d["det_id"] = 10 + i
        result = checked(frame)
        assert (result.event["event_id"], [d["det_id"] for d in result.event["detections"]]) == ("theirs-1", [10, 11])

    def test_version_zero_stated_is_version_zero(self) -> None:
        assert checked({**EARLIER_FRAME, "schema_version": 0}).problem is None

    def test_a_bad_version_zero_frame_is_named(self) -> None:
        frame = copy.deepcopy(EARLIER_FRAME)
        del frame["detections"][0]["bbox"]["y2"]
        assert checked(frame).problem == "detections[0].bbox.y2: missing"
