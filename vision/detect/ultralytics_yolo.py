"""Ultralytics models (.pt) on PyTorch CPU, strictly offline."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from vision.detect.detections import Detections, DetectorConfig, finish
from vision.detect.models import ModelSpec
from vision.errors import DependencyError, ModelError


def offline_environment() -> None:
    """Stop ultralytics from downloading, auto-installing or writing to the home folder."""
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_AUTOINSTALL"] = "false"
    os.environ.setdefault("YOLO_CONFIG_DIR", str(Path(tempfile.gettempdir()) / "rva-ultralytics"))
    Path(os.environ["YOLO_CONFIG_DIR"]).mkdir(parents=True, exist_ok=True)


class UltralyticsDetector:
    """An ultralytics checkpoint run through ``YOLO.predict`` on the CPU.

    Args:
        spec: The resolved ``.pt`` file (always a path: a bare name would download).
        cfg: Thresholds, classes, input size and threads.

    Raises:
        DependencyError: ultralytics or torch is not installed.
        ModelError: The checkpoint does not load or is not a detection model.
    """

    def __init__(self, spec: ModelSpec, cfg: DetectorConfig) -> None:
        offline_environment()
        try:
            import torch
            from ultralytics import YOLO
        except ImportError as err:
            raise DependencyError("ultralytics backend: ultralytics and torch are not installed "
                                  "(pip install 'rva-vision[ultralytics]')") from err
        torch.set_num_threads(cfg.threads)  # ultralytics would pick cpu_count - 1
        self.spec = spec
        self.cfg = cfg
        try:
            self.model = YOLO(str(spec.path.resolve()), task="detect")
        except Exception as err:  # torch.load and ultralytics raise many kinds
            raise ModelError(f"{spec.path}: not a loadable ultralytics checkpoint "
                             f"({str(err).splitlines()[0][:160]})") from err
        if getattr(self.model, "task", "detect") != "detect":
            raise ModelError(f"{spec.path}: an ultralytics {self.model.task} model; need a detection model")
        names = self.model.names
        self.names = [spec.class_map.get(str(names[i]), str(names[i])) for i in sorted(names)]

    @property
    def class_names(self) -> tuple[str, ...]:
        """The event classes this model can emit (after the class map), in model order."""
        return tuple(dict.fromkeys(self.names))

    def detect(self, image: np.ndarray) -> Detections:
        """Detect objects in one BGR frame; boxes in the frame's pixels."""
        # NMS runs in finish(), per event label; ultralytics' own NMS is per model class
        # and would keep one person twice under the default model's two classes.
        results: Any = self.model.predict(image, imgsz=self.cfg.imgsz, conf=self.cfg.conf, iou=self.cfg.iou,
                                          agnostic_nms=len(set(self.names)) == 1, device="cpu", verbose=False)
        boxes = results[0].boxes
        xyxy = boxes.xyxy.cpu().numpy().astype(np.float32)
        conf = boxes.conf.cpu().numpy().astype(np.float32)
        labels = [self.names[int(c)] for c in boxes.cls.cpu().numpy()]
        height, width = image.shape[:2]
        return finish(xyxy, conf, labels, self.cfg, width, height)
