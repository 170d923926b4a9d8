"""Any class: names come from the model file, ``--classes`` keeps some, an unknown one is an error.

The shipped model knows only people, so these tests build small real ONNX files whose
head emits fixed boxes of known classes (a Constant node in the YOLOv8 (1, 4+nc, N) or
YOLOv5 (1, N, 5+nc) layout), with the class names in ultralytics' export metadata.
ONNX Runtime runs them as it runs any detector.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision.detect.detections import DetectorConfig
from vision.detect.load import load_detector
from vision.errors import CameraConfigError, ModelError

NAMES = "{0: 'person', 1: 'car', 2: 'bicycle'}"
# Three boxes in 640x640 input pixels (cx, cy, w, h) and the class each scores 0.9 for.
BOXES = [((100.0, 200.0, 40.0, 120.0), 0), ((400.0, 300.0, 160.0, 80.0), 1), ((550.0, 500.0, 60.0, 50.0), 2)]
ANCHORS = 100  # candidate boxes of the head; the rest score 0 (a real 640 head has 8400)


def yolo_onnx(path: Path, layout: str = "v8", names: str | None = NAMES, head: np.ndarray | None = None) -> Path:
    """An ONNX 'detector' whose output is always ``BOXES`` (or ``head``)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if head is None:
        nc = 3
        if layout == "v8":
            head = np.zeros((1, 4 + nc, ANCHORS), np.float32)
            for i, (box, cls) in enumerate(BOXES):
                head[0, :4, i], head[0, 4 + cls, i] = box, 0.9
        else:
            head = np.zeros((1, ANCHORS, 5 + nc), np.float32)
            for i, (box, cls) in enumerate(BOXES):
                head[0, i, :4], head[0, i, 4], head[0, i, 5 + cls] = box, 1.0, 0.9
    const = helper.make_node("Constant", [], ["head"], value=numpy_helper.from_array(head, "head_value"))
    # The image must feed the graph: add 0 x its mean so the output depends on it.
    mean = helper.make_node("ReduceMean", ["images"], ["m"], keepdims=0)
    zero = helper.make_node("Mul", ["m", "z"], ["mz"])
    out = helper.make_node("Add", ["head", "mz"], ["output0"])
    graph = helper.make_graph(
        [const, mean, zero, out], "fake_head",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 640, 640])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(head.shape))],
        initializer=[numpy_helper.from_array(np.zeros((), np.float32), "z")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    if names is not None:
        helper.set_model_props(model, {"names": names})
    onnx.save(model, str(path))
    return path


IMAGE = np.zeros((640, 640, 3), np.uint8)


@pytest.mark.parametrize("layout", ["v8", "v5"])
def test_class_names_come_from_the_model(layout: str, tmp_path: Path) -> None:
    detector = load_detector(DetectorConfig(model=str(yolo_onnx(tmp_path / "m.onnx", layout))))
    assert detector.class_names == ("person", "car", "bicycle")
    dets = detector.detect(IMAGE)
    assert sorted(dets.labels) == ["bicycle", "car", "person"]
    car = dets.xyxy[dets.labels.index("car")]
    np.testing.assert_allclose(car, [320.0, 260.0, 480.0, 340.0], atol=0.5)


def test_classes_keep_only_those(tmp_path: Path) -> None:
    model = str(yolo_onnx(tmp_path / "m.onnx"))
    dets = load_detector(DetectorConfig(model=model, classes=("car", "bicycle"))).detect(IMAGE)
    assert sorted(dets.labels) == ["bicycle", "car"]


def test_a_class_the_model_lacks_is_an_error(tmp_path: Path) -> None:
    model = str(yolo_onnx(tmp_path / "m.onnx"))
    with pytest.raises(CameraConfigError, match=r"--classes: bus: not a class of m.onnx \(it has person, car, bicycle\)"):
        load_detector(DetectorConfig(model=model, classes=("car", "bus")))


def test_the_shipped_model_has_only_people() -> None:
    assert load_detector(DetectorConfig()).class_names == ("person",)
    with pytest.raises(CameraConfigError, match="car: not a class of best_fp16.onnx"):
        load_detector(DetectorConfig(classes=("car",)))


def test_without_names_classes_are_numbers(tmp_path: Path) -> None:
    detector = load_detector(DetectorConfig(model=str(yolo_onnx(tmp_path / "m.onnx", names=None))))
    assert detector.class_names == ("0", "1", "2")


def test_a_classifier_is_not_a_detector(tmp_path: Path) -> None:
    classifier = yolo_onnx(tmp_path / "cls.onnx", head=np.zeros((1, 1000), np.float32))
    with pytest.raises(ModelError, match=r"cls.onnx: output shape \[1, 1000\] is not a YOLO detection head"):
        load_detector(DetectorConfig(model=str(classifier)))
