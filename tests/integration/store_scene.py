"""Synthetic store scenes in the event schema, for the pipeline tests that need volume.

Each camera sees a handful of people walk across it (through the zones of write_zones,
over its door line or past the door's end), stop for a while (some longer than the loitering threshold), vanish behind
something for a moment (shorter and longer than the dwell gap), and come back under the
same track id after leaving; now and then a detection has no track id. Everything is
deterministic per camera name within its store (`c00` of any store sees the same people).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

WIDTH, HEIGHT = 1280, 720
BOX_W, BOX_H = 40, 120  # pixels


@dataclass(frozen=True)
class Person:
    """One track's walk: from x0 to x1 at height y, standing still for a while on the way."""

    track_id: int | None
    t0: float
    walk_s: float
    x0: float
    x1: float
    y: float
    stand_at: float  # seconds into the walk
    stand_s: float
    gaps: tuple[tuple[float, float], ...]  # absolute times it is unseen
    conf: float

    def at(self, t: float) -> tuple[float, float] | None:
        rel = t - self.t0
        if rel < 0 or rel >= self.walk_s + self.stand_s or any(a <= t < b for a, b in self.gaps):
            return None
        moving = rel if rel < self.stand_at else max(self.stand_at, rel - self.stand_s)
        x = self.x0 + (self.x1 - self.x0) * moving / self.walk_s
        return x, self.y + 0.01 * math.sin(t)


def people(camera_id: str, duration_s: float) -> list[Person]:
    rng = random.Random(camera_id)
    crowd: list[Person] = []
    for k in range(rng.randint(3, 6)):
        walk = rng.uniform(20, 50)
        t0 = rng.uniform(0, max(1.0, duration_s - walk - 40))
        x0, x1 = (0.05, 0.95) if rng.random() < 0.6 else (0.95, 0.05)
        stand_s = rng.choice([0.0, 5.0, 30.0])
        gap_start = t0 + rng.uniform(2, walk)
        gaps = ((gap_start, gap_start + rng.choice([0.0, 1.5, 8.0])),)
        crowd.append(Person(k + 1, t0, walk, x0, x1, rng.uniform(0.2, 0.8), rng.uniform(0, walk), stand_s, gaps,
                            round(rng.uniform(0.5, 0.95), 3)))
    first = crowd[0]  # leaves and comes back under the same id after more than track_gap_s
    back = first.t0 + first.walk_s + first.stand_s + 40
    if back + 15 < duration_s:
        crowd.append(Person(first.track_id, back, 15, first.x1, first.x0, first.y, 0, 0, (), first.conf))
    crowd.append(Person(None, rng.uniform(0, duration_s / 2), 10, 0.6, 0.65, 0.3, 0, 0, (), 0.4))  # untracked
    return crowd


def frame(store_id: str, camera_id: str, index: int, capture: datetime,
          positions: list[tuple[int | None, float, float, float]]) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "event_id": f"{camera_id}-{index:06d}",
        "source": {"store_id": store_id, "camera_id": camera_id, "stream_id": f"{camera_id}/scene"},
        "frame_index": index,
        "capture_ts": capture.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "image_size": {"width": WIDTH, "height": HEIGHT},
        "detections": [
            {"det_id": i, "class": "person", "conf": conf, "track_id": track,
             "bbox": {"x1": round(x * WIDTH - BOX_W / 2, 2), "y1": round(y * HEIGHT - BOX_H / 2, 2),
                      "x2": round(x * WIDTH + BOX_W / 2, 2), "y2": round(y * HEIGHT + BOX_H / 2, 2)}}
            for i, (track, x, y, conf) in enumerate(positions)
        ],
    }


@dataclass(frozen=True)
class Scene:
    """Frames of several cameras of one store from ``start``, ``fps`` per camera."""

    store_id: str
    cameras: tuple[str, ...]
    start: datetime
    duration_s: float
    fps: float

    @property
    def frames_per_camera(self) -> int:
        return int(self.duration_s * self.fps)

    def camera_frames(self, camera_id: str) -> list[dict[str, Any]]:
        # Seeded by the camera's name within its store, not by the store's run-unique
        # name: every run of a test sees the same people.
        crowd = people(camera_id.removeprefix(self.store_id), self.duration_s)
        frames = []
        for index in range(self.frames_per_camera):
            t = index / self.fps
            positions = [(p.track_id, *pos, p.conf) for p in crowd if (pos := p.at(t)) is not None]
            frames.append(frame(self.store_id, camera_id, index, self.start + timedelta(seconds=t), positions))
        return frames

    def events(self) -> list[dict[str, Any]]:
        """Every frame, in capture order across cameras (as live cameras send them)."""
        per_camera = [self.camera_frames(c) for c in self.cameras]
        return [frames[i] for i in range(self.frames_per_camera) for frames in per_camera]

    def flush(self, after_s: float = 600) -> list[dict[str, Any]]:
        """One empty frame per camera ``after_s`` past the end: every window, visit and
        alert of the scene closes behind it."""
        at = self.start + timedelta(seconds=self.duration_s + after_s)
        return [frame(self.store_id, c, 999_999, at, []) for c in self.cameras]


def lines(events: list[dict[str, Any]]) -> list[bytes]:
    return [json.dumps(e).encode() for e in events]


def write_zones(path: Path, cameras: list[str]) -> Path:
    """A zones file with the same layout for every camera: zones split across the image's
    height as well as its width (so a box's feet and its centre can be in different
    zones), a door segment shorter than the image (people walk past its end) and a till
    line whose 'in' is its right side. Every second camera anchors on the box centre."""
    layout = {
        "zones": {"entrance": [[0, 0], [0.3, 0], [0.3, 1], [0, 1]],
                  "aisle": [[0.3, 0], [0.7, 0], [0.7, 0.6], [0.3, 0.6]],
                  "checkout": [[0.7, 0], [1, 0], [1, 0.6], [0.7, 0.6]],
                  "queue": [[0.3, 0.6], [1, 0.6], [1, 1], [0.3, 1]]},
        "lines": {"door": [[0.35, 0.35], [0.35, 1]],
                  "till": {"points": [[0.8, 0], [0.8, 0.7]], "in": "right"}},
    }
    cameras_spec = {c: {**layout, **({"anchor": "center"} if i % 2 else {})} for i, c in enumerate(cameras)}
    path.write_text(yaml.safe_dump({"cameras": cameras_spec}))
    return path
