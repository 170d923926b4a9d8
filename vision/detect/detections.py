"""One small interface for person detectors, whatever runs them.

A :class:`Detector` takes a BGR frame and returns :class:`Detections` in that frame's
pixels, already thresholded, class-filtered and NMS'd. The factory that builds one from a
:class:`DetectorConfig` is :func:`vision.detect.load.load_detector`, apart from this
interface so the backends can import it without a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from vision.detect.models import Backend, ModelSpec
from vision.errors import CameraConfigError

DEFAULT_ONNX_IMGSZ = 640  # the shipped best_fp16.onnx has a fixed 640x640 input


@dataclass(frozen=True)
class Detections:
    """Boxes found in one frame.

    Attributes:
        xyxy: (N, 4) float32 boxes in frame pixels.
        conf: (N,) float32 confidences in [0, 1].
        labels: N event class names (after the model's class map).
    """

    xyxy: np.ndarray
    conf: np.ndarray
    labels: tuple[str, ...]

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros((0,), np.float32), ())

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class DetectorConfig:
    """What to detect and how.

    Attributes:
        model: A model file, or None for the default person detector.
        backend: ``onnx`` or ``ultralytics``; None picks by file suffix.
        conf: Minimum confidence to keep a box.
        iou: NMS IoU threshold.
        imgsz: Network input size (square, multiple of 32).
        classes: Event class names to keep (after the class map); empty keeps all.
        threads: CPU threads for inference.
    """

    model: str | None = None
    backend: str | None = None
    conf: float = 0.25
    iou: float = 0.45
    imgsz: int = 640
    classes: tuple[str, ...] = field(default_factory=tuple)
    threads: int = 2

    def __post_init__(self) -> None:
        if not 0.0 <= self.conf <= 1.0:
            raise CameraConfigError(f"conf: need 0..1, got {self.conf}")
        if not 0.0 < self.iou <= 1.0:
            raise CameraConfigError(f"iou: need 0..1, got {self.iou}")
        if self.imgsz < 32 or self.imgsz % 32:
            raise CameraConfigError(f"imgsz: need a multiple of 32 >= 32, got {self.imgsz}")
        if self.threads < 1:
            raise CameraConfigError(f"threads: need >= 1, got {self.threads}")
        if self.backend is not None and self.backend not in {b.value for b in Backend}:
            raise CameraConfigError(f"backend: need onnx or ultralytics, got {self.backend!r}")


class Detector(Protocol):
    """Finds objects in a BGR frame."""

    spec: ModelSpec

    @property
    def class_names(self) -> tuple[str, ...]:
        """Event class names the model can emit, read from the model file."""
        ...

    def detect(self, image: np.ndarray) -> Detections: ...


def nms_per_label(xyxy: np.ndarray, conf: np.ndarray, labels: list[str], iou: float) -> np.ndarray:
    """Indexes kept by non-maximum suppression, run separately for each event label.

    Suppressing per event label (not per model class) means that one person scored as
    both ``Normal`` and ``Fall`` by the default model yields one box, not two.
    """
    import cv2

    keep: list[int] = []
    for label in sorted(set(labels)):
        idx = np.array([i for i, name in enumerate(labels) if name == label])
        boxes = xyxy[idx]
        xywh = np.column_stack([boxes[:, 0], boxes[:, 1], boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]])
        picked = cv2.dnn.NMSBoxes(xywh.tolist(), conf[idx].tolist(), 0.0, iou)
        keep.extend(int(idx[i]) for i in np.asarray(picked).reshape(-1))
    return np.array(sorted(keep, key=lambda i: -float(conf[i])), dtype=np.int64)


def finish(xyxy: np.ndarray, conf: np.ndarray, names: list[str], cfg: DetectorConfig,
           width: int, height: int) -> Detections:
    """Clip to the frame, filter by class and confidence, and run NMS."""
    keep = conf >= cfg.conf
    if cfg.classes:
        keep &= np.array([n in cfg.classes for n in names], dtype=bool)
    xyxy, conf = xyxy[keep], conf[keep]
    names = [n for n, k in zip(names, keep) if k]
    if not len(names):
        return Detections.empty()
    xyxy = xyxy.copy()
    xyxy[:, [0, 2]] = xyxy[:, [0, 2]].clip(0, width)
    xyxy[:, [1, 3]] = xyxy[:, [1, 3]].clip(0, height)
    order = nms_per_label(xyxy, conf, names, cfg.iou)
    return Detections(xyxy[order].astype(np.float32), conf[order].astype(np.float32),
                      tuple(names[i] for i in order))
