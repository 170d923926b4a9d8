"""Model resolution and loading: the shipped default, and every bad model file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision.detect.detections import DetectorConfig
from vision.detect.letterbox import letterbox
from vision.detect.load import load_detector
from vision.detect.models import Backend, default_model_file, resolve_model
from vision.errors import CameraConfigError, ModelError


class TestResolveModel:
    def test_default_is_shipped_person_model(self) -> None:
        spec = resolve_model(None)
        assert spec.backend is Backend.ONNX and spec.path.name == "best_fp16.onnx"
        assert spec.class_map == {"Normal": "person", "Fall": "person"}
        assert resolve_model(None, "ultralytics").path.name == "best.pt"

    def test_default_found_without_importing_the_package(self) -> None:
        import subprocess
        import sys

        code = ("import sys; from vision.detect.models import default_model_file, Backend; default_model_file(Backend.ONNX); "
                "assert 'fall_detection' not in sys.modules and 'torch' not in sys.modules")
        subprocess.run([sys.executable, "-c", code], check=True)

    def test_explicit_default_file_keeps_class_map(self) -> None:
        spec = resolve_model(str(default_model_file(Backend.ULTRALYTICS)))
        assert spec.backend is Backend.ULTRALYTICS and spec.class_map["Fall"] == "person"

    @pytest.mark.parametrize("name, content, message", [
        pytest.param("weights.tflite", b"x", "unsupported model file '.tflite'", id="suffix"),
        pytest.param("weights", b"x", r"unsupported model file '\(no suffix\)'", id="no-suffix"),
    ])
    def test_unsupported(self, tmp_path: Path, name: str, content: bytes, message: str) -> None:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ModelError, match=message):
            resolve_model(str(path))

    def test_missing(self, tmp_path: Path) -> None:
        with pytest.raises(ModelError, match="no such model file"):
            resolve_model(str(tmp_path / "m.onnx"))

    def test_backend_mismatch(self) -> None:
        with pytest.raises(ModelError, match="cannot run on the ultralytics backend"):
            resolve_model(str(default_model_file(Backend.ONNX)), "ultralytics")


class TestLoadBadModels:
    @pytest.mark.parametrize("name, message", [
        pytest.param("broken.onnx", "not a loadable ONNX model", id="onnx"),
        pytest.param("broken.pt", "not a loadable ultralytics checkpoint", id="pt"),
    ])
    def test_corrupt_file(self, tmp_path: Path, name: str, message: str) -> None:
        path = tmp_path / name
        path.write_bytes(b"\x00garbage" * 64)
        with pytest.raises(ModelError, match=message):
            load_detector(DetectorConfig(model=str(path)))

    def test_fixed_size_onnx_at_other_size(self) -> None:
        with pytest.raises(ModelError, match="fixed at 640x640, cannot run at imgsz 416"):
            load_detector(DetectorConfig(model=str(default_model_file(Backend.ONNX)), imgsz=416))

    @pytest.mark.parametrize("kwargs, message", [
        pytest.param({"imgsz": 500}, "imgsz: need a multiple of 32", id="imgsz"),
        pytest.param({"conf": 1.5}, "conf: need 0..1", id="conf"),
        pytest.param({"backend": "tensorrt"}, "backend: need onnx or ultralytics", id="backend"),
    ])
    def test_invalid_options(self, kwargs: dict, message: str) -> None:
        with pytest.raises(CameraConfigError, match=message):
            DetectorConfig(**kwargs)


class TestLetterbox:
    @pytest.mark.parametrize("shape", [pytest.param((360, 640), id="wide"), pytest.param((1080, 810), id="tall")])
    def test_boxes_map_back(self, shape: tuple[int, int]) -> None:
        image = np.zeros((*shape, 3), np.uint8)
        padded, box = letterbox(image, 640)
        assert padded.shape == (640, 640, 3)
        frame_box = np.array([[10.0, 20.0, 110.0, 220.0]])
        in_input = frame_box * box.scale + [box.pad_x, box.pad_y, box.pad_x, box.pad_y]
        np.testing.assert_allclose(box.to_frame(in_input), frame_box, atol=1e-3)
