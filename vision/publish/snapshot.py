"""A reference picture of each camera's view, for dashboards to draw heatmaps and zones over.

The first processed frame of a stream, with every detected box blurred, is saved as
``<folder>/<store_id>/<camera_id>.jpg`` beside ``<camera_id>.json`` (stream, frame
index, capture time, size: zones and heatmaps are in those pixels). A later run of the
camera replaces both. Snapshots stay where the metadata is written; they are never
sent on the bus, which carries metadata only.

Only boxes the detector found are blurred: a person it missed in that frame is not.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import numpy as np

from vision.events import SourceRef, format_capture_ts
from vision.publish.annotate import blur_boxes


def snapshot_path(folder: Path, ref: SourceRef) -> Path:
    """Where ``ref``'s camera's snapshot goes (ids made safe as file names)."""
    def safe(name: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "_"

    return folder / safe(ref.store_id) / f"{safe(ref.camera_id)}.jpg"


def save_snapshot(folder: Path, ref: SourceRef, frame_index: int, capture_ts: datetime, image: np.ndarray,
                  boxes: np.ndarray) -> Path:
    """Write the blurred frame and its sidecar; returns the picture's path.

    Raises:
        OSError: The folder cannot be written, or the frame cannot be encoded.
    """
    import cv2

    path = snapshot_path(folder, ref)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, encoded = cv2.imencode(".jpg", blur_boxes(image, boxes.tolist()), [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise OSError(f"{path}: cannot encode the frame as JPEG")
    height, width = image.shape[:2]
    meta = {"store_id": ref.store_id, "camera_id": ref.camera_id, "stream_id": ref.stream_id,
            "frame_index": frame_index, "capture_ts": format_capture_ts(capture_ts),
            "width": width, "height": height, "people_blurred": len(boxes)}
    # Write both beside, then rename: a dashboard never reads half a picture.
    for target, data in ((path, encoded.tobytes()), (path.with_suffix(".json"), json.dumps(meta).encode())):
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    return path
