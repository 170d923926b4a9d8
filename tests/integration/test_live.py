"""The live path (sql/live.sql) on the real stack against a plain-Python reference.

Frames with known people go to an events topic of this run's own, among them a
duplicate, a frame sent after a newer one of its camera, malformed messages, invalid
events (among them one with a box-less detection, refused whole), non-person detections,
and a camera without zones. The live job,
rendered onto a live topic of this run's own, must publish exactly the reference's
messages for each camera, in order: one per frame at least as new as every earlier
frame of its camera, with the people in view and per zone (empty zones as 0).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

import pulsar
import pytest
import yaml

from rva import flink
from rva.config import REPO_ROOT
from rva.publish import publish
from rva.sql.render import PIPELINE
from rva.stack.provision import ensure_topic
from tests import zone_reference
from udfs.events import check
from udfs.zones import load_zones

from .conftest import Stack

RUN = uuid.uuid4().hex[:8]
EVENTS_TOPIC = f"persistent://retail/metadata/it-live-events-{RUN}"
LIVE_TOPIC = f"persistent://retail/metadata/it-live-occupancy-{RUN}"
WAIT_S = 300  # generous upper bound for a job start on a loaded 2-core machine
WIDTH, HEIGHT = 800, 600
MAX_EVENT_BYTES = yaml.safe_load(PIPELINE.read_text())["max_event_bytes"]
ZONES = load_zones(REPO_ROOT / "configs" / "zones.yaml")  # what the cluster's UDFs read
T0 = datetime.now(timezone.utc).replace(microsecond=0)

# Where each person stands in each frame (normalized centres), per camera.
PEOPLE_AT = {
    "cam_01": [[], [(0.1, 0.5)], [(0.1, 0.5), (0.5, 0.15)], [(0.2, 0.5), (0.5, 0.15), (0.9, 0.9)],
               [(0.5, 0.2), (0.9, 0.9)], [(0.9, 0.9)], []],
    "cam_02": [[(0.25, 0.5)], [(0.25, 0.5), (0.75, 0.5)], [(0.75, 0.5)]],
    "cam_99": [[(0.5, 0.5)], [(0.5, 0.5), (0.6, 0.6)]],  # no zones configured
}


def iso(t: float) -> str:
    return (T0 + timedelta(seconds=t)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def frame(camera: str, index: int, people: list[tuple[float, float]], extra: list[dict[str, Any]] = ()) -> dict[str, Any]:
    boxes = [{"det_id": i, "class": "person", "conf": 0.9, "track_id": i + 1,
              "bbox": {"x1": x * WIDTH - 15, "y1": y * HEIGHT - 40, "x2": x * WIDTH + 15, "y2": y * HEIGHT + 40}}
             for i, (x, y) in enumerate(people)]
    return {
        "schema_version": 1,
        "event_id": f"{RUN}-{camera}-{index}",
        "source": {"store_id": "store_it", "camera_id": camera, "stream_id": f"{camera}/it"},
        "frame_index": index,
        "capture_ts": iso(index * 0.5),
        "image_size": {"width": WIDTH, "height": HEIGHT},
        "detections": boxes + list(extra),
    }


def messages() -> list[bytes]:
    """The frames as sent, with the traps the module docstring names."""
    events = {cam: [frame(cam, i, people) for i, people in enumerate(frames)] for cam, frames in PEOPLE_AT.items()}
    cam_01 = events["cam_01"]
    cam_01[3]["detections"].append({"det_id": 7, "class": "cart", "conf": 0.8, "track_id": None,
                                    "bbox": {"x1": 10, "y1": 10, "x2": 50, "y2": 50}})
    cam_01[4]["detections"].append({"det_id": 8, "class": "person", "conf": 0.4, "track_id": None, "bbox": None})
    cam_01[2], cam_01[3] = cam_01[3], cam_01[2]  # frame 2 arrives after frame 3: too old by then
    sent = [json.dumps(e).encode() for e in cam_01[:5]]
    sent.insert(2, sent[1])  # a duplicate of frame 1, right after it
    sent += [b"not json", b'{"event_id": 1', json.dumps({**frame("cam_01", 50, []), "image_size": {"width": 0, "height": 0}}).encode()]
    sent += [json.dumps(e).encode() for e in cam_01[5:]]
    sent += [json.dumps(e).encode() for e in events["cam_02"] + events["cam_99"]]
    return sent


def reference(sent: list[bytes]) -> dict[str, list[tuple]]:
    """Per camera, the messages the live topic must carry, in order."""
    newest: dict[str, str] = {}
    expected: dict[str, list[tuple]] = defaultdict(list)
    for raw in sent:
        event = check(raw, MAX_EVENT_BYTES).event  # the one rule (unit-tested on its own)
        if event is None:
            continue
        cam = event["source"]["camera_id"]
        if event["capture_ts"] < newest.get(cam, ""):  # ISO strings of one format sort as times
            continue
        newest[cam] = event["capture_ts"]
        camera = ZONES.get(cam)
        counts = {zone.zone_id: 0 for zone in camera.zones} if camera else {}
        people = 0
        for d in event["detections"]:
            if d["class"] != "person":
                continue
            b = d["bbox"]
            people += 1
            zone_id = zone_reference.zone_of(camera, (b["x1"] / WIDTH, b["y1"] / HEIGHT, b["x2"] / WIDTH, b["y2"] / HEIGHT))
            if zone_id is not None:
                counts[zone_id] += 1
        expected[cam].append((event["source"]["store_id"], event["frame_index"], event["capture_ts"], people,
                              tuple(counts.items())))
    return dict(expected)


def as_tuple(message: dict[str, Any]) -> tuple:
    capture = datetime.fromisoformat(message["capture_ts"].replace("Z", "+00:00"))
    return (message["store_id"], message["frame_index"],
            capture.isoformat(timespec="milliseconds").replace("+00:00", "Z"), message["people"],
            tuple((z["zone_id"], z["people"]) for z in message["zones"]))


@pytest.fixture(scope="module")
def live_messages(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    """What the live job published for this run's frames, per camera, in order."""
    ensure_topic(stack.cfg, EVENTS_TOPIC)
    ensure_topic(stack.cfg, LIVE_TOPIC, retention_minutes=60)
    client = pulsar.Client(stack.pulsar_url, logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Warn))
    consumer = client.subscribe(LIVE_TOPIC, f"it-{RUN}", initial_position=pulsar.InitialPosition.Earliest)
    job_id = None
    try:
        # submit_layer returns once the job reads the topic: it starts at the newest message
        job_id = stack.submit_layer("live", "unused", EVENTS_TOPIC, RUN, live_topic=LIVE_TOPIC)
        sent = messages()
        assert publish(stack.pulsar_url, EVENTS_TOPIC, sent) == len(sent)
        want = sum(len(v) for v in reference(sent).values())
        received: dict[str, list[dict[str, Any]]] = defaultdict(list)
        deadline = time.monotonic() + WAIT_S
        count = 0
        while count < want and time.monotonic() < deadline:
            try:
                msg = consumer.receive(timeout_millis=1000)
            except pulsar.Timeout:
                continue
            consumer.acknowledge(msg)
            body = json.loads(msg.data())
            body["key"] = base64.b64decode(msg.partition_key()).decode()  # the sink writes key bytes
            received[body["camera_id"]].append(body)
            count += 1
        try:  # anything beyond the reference would be a defect too
            extra = consumer.receive(timeout_millis=3000)
            body = json.loads(extra.data())
            received[body["camera_id"]].append(body)
        except pulsar.Timeout:
            pass
        # the malformed and invalid messages did not stop the job
        assert flink.running_job(stack.cfg, f"rva-live-it-{RUN}") is not None
        return dict(received)
    finally:
        if job_id is not None:
            flink.cancel(stack.cfg, job_id)
        client.close()
        stack.delete_topics(EVENTS_TOPIC, LIVE_TOPIC)


def test_occupancy_matches_reference(live_messages: dict[str, list[dict[str, Any]]]) -> None:
    got = {cam: [as_tuple(m) for m in msgs] for cam, msgs in live_messages.items()}
    assert got == reference(messages())


def test_messages_are_keyed_by_camera(live_messages: dict[str, list[dict[str, Any]]]) -> None:
    assert {m["key"] for msgs in live_messages.values() for m in msgs} == set(PEOPLE_AT)
    assert all(m["key"] == cam for cam, msgs in live_messages.items() for m in msgs)
