"""An annotated copy of the video: boxes, track ids, and optionally blurred people."""

from __future__ import annotations

import colorsys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from vision.errors import SinkError
from vision.events import TrackedDetection


def _colour(track_id: int | None) -> tuple[int, int, int]:
    if track_id is None:
        return (160, 160, 160)
    hue = (track_id * 0.618034) % 1.0  # golden-ratio steps: consecutive ids differ well
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.85, 1.0)
    return (int(blue * 255), int(green * 255), int(red * 255))


def blur_boxes(image: np.ndarray, boxes: Iterable[tuple[float, float, float, float]]) -> np.ndarray:
    """A copy of ``image`` with the inside of every xyxy box blurred (people's privacy)."""
    import cv2

    out = image.copy()
    height, width = out.shape[:2]
    for box in boxes:
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        x1, y1, x2, y2 = max(0, x1), max(0, y1), min(width, x2), min(height, y2)
        if x2 > x1 and y2 > y1:
            k = max(3, ((x2 - x1) // 6) | 1)
            out[y1:y2, x1:x2] = cv2.GaussianBlur(out[y1:y2, x1:x2], (k, k), 0)
    return out


def draw(image: np.ndarray, detections: list[TrackedDetection], blur: bool = False) -> np.ndarray:
    """A copy of ``image`` with each detection boxed and labelled ``#id class conf``.

    Args:
        image: BGR frame.
        detections: What to draw.
        blur: Blur the inside of every box (people's privacy) before drawing.
    """
    import cv2

    out = blur_boxes(image, (d.bbox.as_tuple() for d in detections)) if blur else image.copy()
    height, width = out.shape[:2]
    for det in detections:
        x1, y1, x2, y2 = (int(round(v)) for v in det.bbox.as_tuple())
        x1, y1, x2, y2 = max(0, x1), max(0, y1), min(width, x2), min(height, y2)
        if x2 <= x1 or y2 <= y1:
            continue
        colour = _colour(det.track_id)
        cv2.rectangle(out, (x1, y1), (x2, y2), colour, 2)
        text = f"{'#' + str(det.track_id) if det.track_id is not None else '-'} {det.label} {det.conf:.2f}"
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
        top = max(0, y1 - th - 6)
        cv2.rectangle(out, (x1, top), (x1 + tw + 4, top + th + 6), colour, -1)
        cv2.putText(out, text, (x1 + 2, top + th + 2), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return out


class VideoAnnotator:
    """Writes annotated frames to an MP4 file (mp4v), sized by the first frame.

    Args:
        path: Output video.
        fps: Frame rate to write.
        blur: Blur people.
    """

    def __init__(self, path: Path, fps: float, blur: bool = False) -> None:
        self.path = path
        self.fps = fps
        self.blur = blur
        self._writer: Any = None

    def write(self, image: np.ndarray, detections: list[TrackedDetection]) -> None:
        import cv2

        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            height, width = image.shape[:2]
            self._writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter.fourcc(*"mp4v"), self.fps, (width, height))
            if not self._writer.isOpened():
                raise SinkError(f"{self.path}: cannot write an MP4 video here")
        self._writer.write(draw(image, detections, self.blur))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
