"""Write samples/events.ndjson: a small synthetic store scene in the event schema.

Two cameras, 90 s at 5 frames/s: people walk across the frame on straight paths in
the first 30 s, then the cameras keep sending empty frames, as real ones do, so that
event time moves on and the first minute's Gold windows close.
It stands in for vision-producer output until a real video sample is bundled; the
numbers are made up, the schema is the real one. Run: python samples/make_events.py
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

START = datetime(2026, 11, 2, 9, 0, 0, tzinfo=timezone.utc)
FPS = 5
SECONDS = 90
WIDTH, HEIGHT = 1280, 720
# (camera, track id, enter second, leave second, start x, end x, y)
PATHS = [
    ("cam_01", 1, 0, 20, 100, 1100, 300),
    ("cam_01", 2, 5, 28, 1150, 200, 380),
    ("cam_01", 3, 12, 30, 600, 640, 250),
    ("cam_02", 1, 2, 25, 200, 1000, 420),
    ("cam_02", 2, 15, 30, 900, 300, 300),
]


def event_id(camera_id: str, frame_index: int) -> str:
    return hashlib.sha1(f"sample/{camera_id}/{frame_index}".encode()).hexdigest()[:32]


def frame(camera_id: str, frame_index: int) -> dict[str, object]:
    t = frame_index / FPS
    detections = []
    for cam, track, enter, leave, x0, x1, y in PATHS:
        if cam != camera_id or not enter <= t < leave:
            continue
        x = x0 + (x1 - x0) * (t - enter) / (leave - enter)
        detections.append({
            "det_id": len(detections),
            "class": "person",
            "bbox": {"x1": round(x - 40, 1), "y1": float(y - 120),
                     "x2": round(x + 40, 1), "y2": float(y + 120)},
            "conf": 0.9,
            "track_id": track,
        })
    capture = START + timedelta(seconds=t)
    return {
        "schema_version": 1,
        "event_id": event_id(camera_id, frame_index),
        "source": {"store_id": "store_001", "camera_id": camera_id, "stream_id": f"{camera_id}/sample"},
        "frame_index": frame_index,
        "capture_ts": capture.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "image_size": {"width": WIDTH, "height": HEIGHT},
        "detections": detections,
    }


def main() -> None:
    lines = [
        json.dumps(frame(camera, i), separators=(",", ":"))
        for i in range(FPS * SECONDS)
        for camera in ("cam_01", "cam_02")
    ]
    Path(__file__).with_name("events.ndjson").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
