"""A finished stream is complete in Gold with no traffic after it.

Two cameras of a store send 2.5 minutes of people walking, standing and crossing the
door, then stop, as a finished recording does; nothing else is ever published. Event
time only moves with frames, so without more traffic Gold would hold the last minute
window, the last tracks' summaries and visits open for good. The producer's
end-of-stream frame (vision.events.end_of_stream, as `rva vision` sends it) moves each
camera's event time past everything its stream left open: every Gold table then equals
the reference with every window, visit and track closed.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import yaml

from rva.cli import end_of_stream_s
from rva.config import REPO_ROOT
from rva.publish import publish
from rva.sql.render import PIPELINE
from rva.stack.provision import ensure_topic
from udfs.zones import load_zones
from vision.events import FrameEvent, SourceRef, end_of_stream

from .conftest import Stack
from .gold_reference import GoldReference, ms
from .lakehouse_tables import Tables, differences, expected_gold
from .store_scene import Scene, lines

RUN = uuid.uuid4().hex[:8]
NAMESPACE = f"it_eos_{RUN}"
TOPIC = f"persistent://retail/metadata/it-eos-{RUN}"
# Loitering after 15 s instead of the production 120 s, so the scene raises alerts.
OVERRIDES = {"loitering_s": 15}
TUNABLES = {**yaml.safe_load(PIPELINE.read_text()), **OVERRIDES}
ZONES = load_zones(REPO_ROOT / "configs" / "zones.yaml")  # what the cluster's UDFs read
WAIT_S = 600  # upper bound on a loaded 2-core machine: idle_timeout_s, then checkpoints
# Two days ago 09:00 UTC, inside max_event_age_days.
START = (datetime.now(timezone.utc) - timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)


def end_frame(last: dict) -> bytes:
    """The producer's end-of-stream frame after ``last`` (a frame as published)."""
    source = last["source"]
    frame = FrameEvent(SourceRef(source["store_id"], source["camera_id"], source["stream_id"]), last["frame_index"],
                       datetime.fromisoformat(last["capture_ts"].replace("Z", "+00:00")),
                       last["image_size"]["width"], last["image_size"]["height"])
    return end_of_stream(frame, end_of_stream_s()).to_json()


def test_a_finished_stream_is_complete_in_gold(stack: Stack) -> None:
    # cam_01 and cam_02: the cameras configs/zones.yaml has zones and lines for
    scene = Scene(f"eos-{RUN}", ("cam_01", "cam_02"), START, duration_s=150, fps=2)
    events = scene.events()
    ends = [end_frame([e for e in events if e["source"]["camera_id"] == cam][-1]) for cam in scene.cameras]
    sent = lines(events) + ends
    complete = GoldReference(sent, ZONES, TUNABLES)  # every window, visit and track closed
    # The scene's own check: without the end frames, Gold could close only what the
    # frames' own watermark (newest frame less out_of_orderness_s) has passed.
    frames_only = GoldReference(lines(events), ZONES, TUNABLES, closed_through_ms=max(
        ms(e["capture_ts"]) for e in events) - TUNABLES["out_of_orderness_s"] * 1000)
    assert all(complete.tables().values()), "the scene has rows in every Gold table"
    open_without = [t for t, rows in frames_only.tables().items() if len(rows) < len(complete.tables()[t])]
    assert {"gold_people_per_minute", "gold_track_summary"} <= set(open_without)
    assert all(json.loads(e)["end_of_stream"] for e in ends)

    ensure_topic(stack.cfg, TOPIC)  # two partitions, like the events topic
    job_ids: list[str] = []
    try:
        job_ids.append(stack.submit_layer("gold", NAMESPACE, TOPIC, RUN, **OVERRIDES))
        assert publish(stack.pulsar_url, TOPIC, sent) == len(sent)

        tables, want = Tables(stack, NAMESPACE), expected_gold(complete)
        deadline = time.monotonic() + WAIT_S
        diff = differences(tables.gold_of(scene.store_id), want)
        while diff and time.monotonic() < deadline:
            time.sleep(5)
            diff = differences(tables.gold_of(scene.store_id), want)
        assert not diff, f"Gold after {WAIT_S}s with no traffic after the streams' end: " + " | ".join(diff)
    finally:
        stack.drop_namespace(NAMESPACE, job_ids, (TOPIC,))
