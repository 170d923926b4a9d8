"""YOLO-style ONNX models on ONNX Runtime (CPU): letterbox, one forward pass, decode, NMS."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from vision.detect.detections import Detections, DetectorConfig, finish
from vision.detect.letterbox import letterbox
from vision.detect.models import ModelSpec
from vision.errors import DependencyError, ModelError


def _class_names(meta: dict[str, str], count: int | None) -> list[str]:
    """Class names from ultralytics' export metadata (``names``), else the class numbers.

    ``count`` is the number of classes the output head has, when its shape says so.
    """
    try:
        names = ast.literal_eval(meta["names"])
        return [str(names[i]) for i in range(count if count is not None else len(names))]
    except (KeyError, ValueError, SyntaxError, TypeError):
        return [str(i) for i in range(count or 0)]


def _class_count(out_shape: list[object]) -> int | None:
    """Classes of a (1, 4+nc, N) YOLOv8 or (1, N, 5+nc) YOLOv5 head, if its shape is fixed."""
    rows, cols = out_shape[1], out_shape[2]
    if not (isinstance(rows, int) and isinstance(cols, int)):
        return None
    return rows - 4 if rows < cols else cols - 5


class OnnxDetector:
    """A YOLOv8-layout (1, 4+nc, N) or YOLOv5-layout (1, N, 5+nc) ONNX detector.

    Args:
        spec: The resolved model file.
        cfg: Thresholds, classes, input size and threads.

    Raises:
        DependencyError: onnxruntime is not installed.
        ModelError: The file does not load or its output is not a YOLO layout.
    """

    def __init__(self, spec: ModelSpec, cfg: DetectorConfig) -> None:
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise DependencyError("onnx backend: onnxruntime is not installed (pip install rva-vision)") from err
        self.spec = spec
        self.cfg = cfg
        options = ort.SessionOptions()
        options.intra_op_num_threads = cfg.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle ORT threads otherwise spin for a while after each run, taking the CPU from
        # the tracker's embedder that runs right after (measured: 150 -> 60 ms).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(str(spec.path), options, providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own exception types
            raise ModelError(f"{spec.path}: not a loadable ONNX model ({str(err).splitlines()[0][:160]})") from err
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        self.input_dtype = np.float16 if "float16" in inp.type else np.float32
        shape = inp.shape
        if len(shape) != 4:
            raise ModelError(f"{spec.path}: input shape {shape} is not NCHW; need a YOLO-style image model")
        fixed = [d for d in shape[2:] if isinstance(d, int)]
        if fixed and any(d != cfg.imgsz for d in fixed):
            raise ModelError(f"{spec.path}: ONNX input is fixed at {shape[2]}x{shape[3]}, cannot run at "
                             f"imgsz {cfg.imgsz}; export it with dynamic=True or use --imgsz {fixed[0]}")
        out_shape = self.session.get_outputs()[0].shape
        if len(out_shape) != 3:
            raise ModelError(f"{spec.path}: output shape {out_shape} is not a YOLO detection head")
        meta: dict[str, Any] = dict(self.session.get_modelmeta().custom_metadata_map)
        self._names = [spec.class_map.get(n, n) for n in _class_names(meta, _class_count(out_shape))]

    @property
    def class_names(self) -> tuple[str, ...]:
        """The event classes this model can emit (after the class map), in model order."""
        return tuple(dict.fromkeys(self._names))

    def _decode(self, out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw head output -> (cxcywh boxes, best score, best class) in input pixels."""
        pred = out[0]
        if pred.shape[0] < pred.shape[1]:  # YOLOv8: (4 + nc, N)
            pred = pred.T
            boxes, scores = pred[:, :4], pred[:, 4:]
        else:  # YOLOv5: (N, 5 + nc), objectness times class score
            boxes, scores = pred[:, :4], pred[:, 5:] * pred[:, 4:5]
        if scores.shape[1] == 0:
            raise ModelError(f"{self.spec.path}: output has no class scores; not a YOLO detection head")
        cls = scores.argmax(axis=1)
        return boxes, scores[np.arange(len(cls)), cls], cls

    def detect(self, image: np.ndarray) -> Detections:
        """Detect objects in one BGR frame; boxes in the frame's pixels."""
        padded, box = letterbox(image, self.cfg.imgsz)
        rgb = padded[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) * (1.0 / 255.0)
        blob = np.ascontiguousarray(rgb, dtype=self.input_dtype)
        out = self.session.run(None, {self.input_name: blob})[0].astype(np.float32)
        cxcywh, conf, cls = self._decode(out)
        keep = conf >= self.cfg.conf
        cxcywh, conf, cls = cxcywh[keep], conf[keep], cls[keep]
        if not len(conf):
            return Detections.empty()
        xyxy = np.column_stack([cxcywh[:, 0] - cxcywh[:, 2] / 2, cxcywh[:, 1] - cxcywh[:, 3] / 2,
                                cxcywh[:, 0] + cxcywh[:, 2] / 2, cxcywh[:, 1] + cxcywh[:, 3] / 2])
        labels = [self._names[int(c)] if int(c) < len(self._names) else str(int(c)) for c in cls]
        height, width = image.shape[:2]
        return finish(box.to_frame(xyxy), conf, labels, self.cfg, width, height)
