"""Real video -> vision producer -> Pulsar (with the event schema registered) -> Bronze -> Trino.

Registering a JSON schema on the topic must not break Bronze, which reads the topic as
raw bytes (``value.format = 'raw'``): every event the producer sent must be a
bronze_raw row, with no rejects.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx

from vision.detect.detections import DetectorConfig
from vision.detect.load import load_detector
from vision.pipeline import CameraRunner, CameraSpec
from vision.publish.pulsar_sink import PulsarSettings, PulsarSink
from vision.publish.sinks import FanoutSink, NdjsonSink
from vision.publish.spool import Spool
from vision.track.scenes import render_scene
from vision.track.trackers import make_tracker

from .conftest import Stack

RUN = uuid.uuid4().hex[:8]
FRAMES = 10


class TestVisionIntoBronze:
    def test_events_with_registered_schema_reach_bronze(self, stack: Stack, tmp_path: Path) -> None:
        # Arrange: Bronze for a namespace and topic of this run's own.
        namespace = f"it_vision_{RUN}"
        topic = f"persistent://retail/metadata/it-vision-{RUN}"
        job_id = stack.submit_layer("bronze", namespace, topic, f"vision-{RUN}")
        admin = f"http://127.0.0.1:{stack.cfg.ports.pulsar_admin}"
        try:
            # Act: the producer on a real video, sending through the spool.
            video = render_scene(n_frames=FRAMES).write_video(tmp_path / "aisle.mp4")
            sink = PulsarSink(PulsarSettings(stack.pulsar_url, topic, admin_url=admin),
                              Spool(tmp_path / "spool.sqlite3"))
            reference = NdjsonSink(tmp_path / "ref.ndjson")
            runner = CameraRunner(CameraSpec("store_it", "cam_vision", str(video)), load_detector(DetectorConfig()),
                                  make_tracker("bytetrack"), FanoutSink([reference, sink]))
            runner.run()
            sink.close(drain_timeout_s=60)
            reference.close()
            sent = [json.loads(line) for line in (tmp_path / "ref.ndjson").read_text().splitlines()]

            # Assert: the schema is on the topic, and Bronze read every event.
            assert sink.schema_registered and sink.spool.depth() == 0
            t, n, name = topic.split("://")[1].split("/")
            registered = httpx.get(f"{admin}/admin/v2/schemas/{t}/{n}/{name}/schema", timeout=10).json()
            assert registered["type"] == "JSON"
            rows = stack.poll(namespace, "SELECT event_id, camera_id, frame_index, payload FROM bronze_raw",
                        until=FRAMES)
            assert sorted(r[0] for r in rows) == sorted(e["event_id"] for e in sent)
            assert {r[1] for r in rows} == {"cam_vision"}
            by_id = {e["event_id"]: e for e in sent}
            assert all(json.loads(r[3]) == by_id[r[0]] for r in rows)
            rejects = stack.trino(namespace)
            rejects.execute("SELECT count(*) FROM bronze_rejects")
            assert [tuple(r) for r in rejects.fetchall()] == [(0,)]
        finally:
            stack.drop_namespace(namespace, [job_id], (topic,))
