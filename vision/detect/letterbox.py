"""Letterbox resizing as YOLO expects it, and mapping boxes back to the frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PAD_VALUE = 114  # ultralytics' grey


@dataclass(frozen=True)
class Letterbox:
    """How a frame was scaled and padded into a square network input.

    Attributes:
        scale: Frame pixels * scale = input pixels.
        pad_x: Left padding in input pixels.
        pad_y: Top padding in input pixels.
    """

    scale: float
    pad_x: float
    pad_y: float

    def to_frame(self, xyxy: np.ndarray) -> np.ndarray:
        """Boxes in network-input pixels -> boxes in frame pixels."""
        out = xyxy.astype(np.float32, copy=True)
        out[:, [0, 2]] -= self.pad_x
        out[:, [1, 3]] -= self.pad_y
        return out / self.scale


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, Letterbox]:
    """Scale ``image`` to fit a ``size`` x ``size`` square, keeping its aspect, pad with grey.

    Args:
        image: BGR uint8 (H, W, 3).
        size: Side of the square network input.

    Returns:
        The padded image and the transform to map boxes back.
    """
    import cv2

    height, width = image.shape[:2]
    scale = min(size / height, size / width)
    new_w, new_h = round(width * scale), round(height * scale)
    resized = image if (new_w, new_h) == (width, height) else cv2.resize(
        image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    pad_x, pad_y = (size - new_w) / 2, (size - new_h) / 2
    top, left = round(pad_y - 0.1), round(pad_x - 0.1)
    out = np.full((size, size, 3), PAD_VALUE, dtype=np.uint8)
    out[top:top + new_h, left:left + new_w] = resized
    return out, Letterbox(scale=scale, pad_x=float(left), pad_y=float(top))
