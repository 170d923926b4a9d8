"""The producer on real RTSP streams: a server dies and comes back, another camera goes on.

Two RTSP servers (tests/integration/rtsp_camera.py: the npm RTSP server, fed by FFmpeg's
RTSP muxer) each carry one camera; one `rva vision` process reads both (a cameras.yaml).
Mid-run, camera A's server and publisher are killed, and started again 4 s later. The
producer must notice (read timeout), reconnect with backoff, and go on counting: A's
events number frames 0, 1, 2, ... without a gap or a repeat and with distinct event
ids, and camera B keeps producing events all through A's outage.

Needs no lakehouse engine, only Node.js and `rva stack fetch rtsp-server`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.integration.rtsp_camera import Publisher, RtspServer
from vision.track.scenes import render_scene

FPS = 3.0  # published frame rate: two cameras' detection keeps up with it on 2 cores
FRAMES = 45  # processed frames per camera (15 s of stream)
OUTAGE_S = 4.0
TIMEOUT_S = 300


def read_events(stdout, events: list[tuple[float, dict]]) -> None:  # noqa: ANN001
    """Collect (arrival time, event) from the producer's ``--dry-run`` output."""
    for line in stdout:
        events.append((time.monotonic(), json.loads(line)))


@pytest.fixture
def scene_video(tmp_path: Path) -> Path:
    return render_scene(n_frames=30).write_video(tmp_path / "aisle.mp4")


def test_stream_outage_reconnects_without_gap_and_spares_the_other_camera(tmp_path: Path,
                                                                           scene_video: Path) -> None:
    # Arrange: two servers, one camera each, one producer process for both.
    servers = {"cam_a": RtspServer(rtp_port_start=31000, log=tmp_path / "server_a.log"),
               "cam_b": RtspServer(rtp_port_start=31400, log=tmp_path / "server_b.log")}
    publishers = {cam: Publisher(server.publish_url(cam), scene_video, FPS, tmp_path / f"pub_{cam}.log")
                  for cam, server in servers.items()}
    config = tmp_path / "cameras.yaml"
    config.write_text("store_id: store_001\ntracker: bytetrack\ncameras:\n" + "".join(
        f"  - {{camera_id: {cam}, src: '{server.url(cam)}', max_frames: {FRAMES}}}\n"
        for cam, server in servers.items()))
    events: list[tuple[float, dict]] = []  # (arrival time, event)
    producer = None
    try:
        for cam in servers:
            servers[cam].start()
            publishers[cam].start()
        time.sleep(2.0)  # the publishers ANNOUNCE before the producer asks for the streams
        log = (tmp_path / "producer.log").open("w")
        producer = subprocess.Popen(
            [sys.executable, "-m", "vision", "--config", str(config), "--dry-run", "--metrics-port", "0",
             "--retries", "8"], stdout=subprocess.PIPE, stderr=log, text=True)
        reader = threading.Thread(target=read_events, args=(producer.stdout, events), daemon=True)
        reader.start()

        # Act: once A has sent a third of its frames, cut A for OUTAGE_S.
        deadline = time.monotonic() + TIMEOUT_S
        while sum(e["source"]["camera_id"] == "cam_a" for _, e in events) < FRAMES // 3:
            assert producer.poll() is None, (tmp_path / "producer.log").read_text()
            assert time.monotonic() < deadline, "camera A sent too few events before the outage"
            time.sleep(0.2)
        cut = time.monotonic()
        publishers["cam_a"].stop()
        servers["cam_a"].stop()
        time.sleep(OUTAGE_S)
        servers["cam_a"].start()
        publishers["cam_a"].start()
        restored = time.monotonic()
        producer.wait(timeout=TIMEOUT_S)
        reader.join(timeout=10)
    finally:
        if producer is not None and producer.poll() is None:
            producer.kill()
        for cam in servers:
            publishers[cam].stop()
            servers[cam].stop()

    # Assert: both cameras finished; A reconnected and numbered its frames without a break.
    stderr = (tmp_path / "producer.log").read_text()
    assert producer.returncode == 0, stderr
    by_camera = {cam: [e for _, e in events if e["source"]["camera_id"] == cam and not e.get("end_of_stream")]
                 for cam in servers}
    for cam, cam_events in by_camera.items():
        assert [e["frame_index"] for e in cam_events] == list(range(FRAMES)), cam
        assert len({e["event_id"] for e in cam_events}) == FRAMES, cam
        assert len({e["source"]["stream_id"] for e in cam_events}) == 1, cam
        # The stream's end is announced once, stamped no later than the wall clock: other
        # live cameras on its partition must not fall behind it.
        ends = [(t, e) for t, e in events if e["source"]["camera_id"] == cam and e.get("end_of_stream")]
        assert len(ends) == 1 and ends[0][1]["frame_index"] == FRAMES and ends[0][1]["detections"] == [], cam
        end_ts = datetime.fromisoformat(ends[0][1]["capture_ts"].replace("Z", "+00:00"))
        last_ts = datetime.fromisoformat(cam_events[-1]["capture_ts"].replace("Z", "+00:00"))
        assert last_ts <= end_ts <= datetime.now(timezone.utc), cam
    assert "cam_a" in stderr and "stream dropped" in stderr, stderr
    a_after = [t for t, e in events if e["source"]["camera_id"] == "cam_a" and t > restored]
    assert a_after, "camera A sent nothing after its server came back"
    # B went on while A was down: events from the cut until A's first frame after it.
    a_back = min(a_after)
    b_during = [t for t, e in events if e["source"]["camera_id"] == "cam_b" and cut < t < a_back]
    assert len(b_during) >= FPS * OUTAGE_S / 2, (len(b_during), a_back - cut)
