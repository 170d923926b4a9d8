"""The reference snapshot: each camera's first processed frame, people blurred, beside the metadata."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.unit.vision.test_cli import run_vision
from vision.track.scenes import Scene


def sharpness(image: np.ndarray) -> float:
    import cv2

    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())


def test_first_frame_saved_beside_the_events_with_people_blurred(scene: Scene, scene_video: Path,
                                                                 tmp_path: Path) -> None:
    import cv2

    # Act
    events = run_vision(scene_video, tmp_path / "events.ndjson", tracker="bytetrack", max_frames=3)

    # Assert: the picture and its sidecar describe the first event's frame.
    picture = tmp_path / "snapshots" / "store_001" / "cam_01.jpg"
    meta = json.loads(picture.with_suffix(".json").read_text())
    first = events[0]
    assert {k: meta[k] for k in ("stream_id", "frame_index", "capture_ts")} == {
        "stream_id": first["source"]["stream_id"], "frame_index": 0, "capture_ts": first["capture_ts"]}
    assert (meta["width"], meta["height"]) == (640, 360) and meta["people_blurred"] == len(first["detections"]) > 0
    saved = cv2.imread(str(picture))
    original = cv2.VideoCapture(str(scene_video)).read()[1]
    assert saved.shape == original.shape
    outside = np.ones(saved.shape[:2], bool)
    for det in first["detections"]:
        b = det["bbox"]
        x1, y1, x2, y2 = int(b["x1"]), int(b["y1"]), int(b["x2"]), int(b["y2"])
        outside[max(0, y1 - 2):y2 + 2, max(0, x1 - 2):x2 + 2] = False
        # Inside a person's box the picture has lost most of its detail.
        assert sharpness(saved[y1:y2, x1:x2]) < 0.3 * sharpness(original[y1:y2, x1:x2]), det
    # Elsewhere it is the frame (up to JPEG's rounding).
    assert np.abs(saved.astype(int) - original.astype(int))[outside].mean() < 4


def test_no_snapshot_when_asked_or_when_nothing_is_written(scene_video: Path, tmp_path: Path) -> None:
    run_vision(scene_video, tmp_path / "a" / "events.ndjson", tracker="bytetrack", max_frames=2, snapshot=False)
    assert not (tmp_path / "a" / "snapshots").exists()
    from vision.cli import vision

    vision(src=str(scene_video), store_id="s", camera_id="c", dry_run=True, tracker="bytetrack", max_frames=1,
           progress=False, metrics_port=0)
    assert not list(tmp_path.rglob("*.jpg")) and not (Path.cwd() / "snapshots").exists()
