"""The cameras YAML file: valid files and each kind of invalid one."""

from __future__ import annotations

from pathlib import Path

import pytest

from vision.config import load_cameras
from vision.errors import CameraConfigError

GOOD = """\
store_id: store_001
tracker: bytetrack
detector: {imgsz: 416, classes: [person]}
cameras:
  - camera_id: cam_01
    src: rtsp://10.0.0.5/stream1
    fps: 5
  - camera_id: cam_02
    src: 0
    store_id: store_002
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cameras.yaml"
    path.write_text(text)
    return path


class TestLoadCameras:
    def test_valid(self, tmp_path: Path) -> None:
        cfg = load_cameras(write(tmp_path, GOOD))
        assert [c.camera_id for c in cfg.cameras] == ["cam_01", "cam_02"]
        assert cfg.cameras[1].src == "0" and cfg.cameras[1].store_id == "store_002"
        assert cfg.detector.imgsz == 416 and cfg.tracker == "bytetrack"

    @pytest.mark.parametrize("text, message", [
        pytest.param("cameras: [", "not valid YAML at line 1", id="yaml"),
        pytest.param("- a\n- b\n", "need a mapping with a 'cameras' list, got list", id="not-mapping"),
        pytest.param("store_id: s\ncameras: []\n", "cameras: List should have at least 1 item", id="empty"),
        pytest.param("store_id: s\ncameras:\n  - src: a.mp4\n", "cameras.0.camera_id: Field required", id="no-id"),
        pytest.param("store_id: s\ncameras:\n  - {camera_id: c, src: a.mp4, fps: -1}\n",
                     "cameras.0.fps: Input should be greater than 0", id="fps"),
        pytest.param("store_id: s\ncameras:\n  - {camera_id: c, src: a.mp4, colour: red}\n",
                     "cameras.0.colour: Extra inputs are not permitted", id="unknown-key"),
        pytest.param("store_id: s\ncameras:\n  - {camera_id: c, src: a}\n  - {camera_id: c, src: b}\n",
                     "camera_id 'c' appears twice", id="duplicate"),
        pytest.param("cameras:\n  - {camera_id: c, src: a}\n", "cameras c: no store_id", id="no-store"),
        pytest.param("store_id: s\ntracker: kalman\ncameras:\n  - {camera_id: c, src: a}\n",
                     "tracker: Input should be 'deepsort', 'bytetrack', 'sort'", id="tracker"),
    ])
    def test_invalid(self, tmp_path: Path, text: str, message: str) -> None:
        with pytest.raises(CameraConfigError, match=message):
            load_cameras(write(tmp_path, text))

    def test_missing(self, tmp_path: Path) -> None:
        with pytest.raises(CameraConfigError, match="no such cameras config file"):
            load_cameras(tmp_path / "nope.yaml")
