"""Shared fixtures for the vision unit tests: one real-pixel scene, detected once per backend.

Detection is the slow part (~0.1-0.3 s a frame on 2 cores), so each backend's
detections of the scene are computed once per session and reused by every tracker test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vision.detect.detections import Detections, DetectorConfig
from vision.detect.load import load_detector
from vision.track.scenes import Scene, render_scene

SCENE_FRAMES = 40  # 4 s at 10 FPS: each person crosses most of a 640x360 frame


@pytest.fixture(scope="session", autouse=True)
def _vision_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep ultralytics settings out of the home folder; reuse the export cache if set."""
    os.environ.setdefault("YOLO_CONFIG_DIR", str(tmp_path_factory.mktemp("ultralytics")))


@pytest.fixture(scope="session")
def scene() -> Scene:
    return render_scene(n_frames=SCENE_FRAMES)


@pytest.fixture(scope="session")
def scene_video(scene: Scene, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scene.write_video(tmp_path_factory.mktemp("scene") / "aisle.mp4")


_detections: dict[str, list[Detections]] = {}


@pytest.fixture(scope="session")
def detect_scene(scene: Scene):  # noqa: ANN201 (a factory)
    """``detect_scene(backend)``: that backend's detections of every scene frame (cached)."""

    def run(backend: str) -> list[Detections]:
        if backend not in _detections:
            detector = load_detector(DetectorConfig(backend=backend))
            _detections[backend] = [detector.detect(frame) for frame in scene.frames]
        return _detections[backend]

    return run


_scene_detections: dict[str, tuple[Scene, list[Detections]]] = {}


@pytest.fixture(scope="session")
def named_scene_detections():  # noqa: ANN201 (a factory)
    """``named_scene_detections(name)``: a scene of vision.track.scenes.SCENES and the default
    detector's (ONNX, 640) detections of its frames, computed once per session."""
    from vision.track.scenes import named_scene

    detector = None

    def run(name: str) -> tuple[Scene, list[Detections]]:
        nonlocal detector
        if name not in _scene_detections:
            detector = detector or load_detector(DetectorConfig(backend="onnx"))
            scene = named_scene(name)
            _scene_detections[name] = (scene, [detector.detect(frame) for frame in scene.frames])
        return _scene_detections[name]

    return run
