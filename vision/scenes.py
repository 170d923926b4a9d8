"""Short test videos made of real photographs of people, with ground-truth boxes.

No data set ships in a package, but real photos of people do: ultralytics'
``assets/bus.jpg`` (three men walking past a bus in Madrid). A scene pastes crops of
those three people onto a background made of the same photo's bus and pavement, and
moves them across the frame (two of them cross), so a detector sees real pixels and
the truth is known exactly: each person's box is where its crop was pasted.
Tests, the benchmark and demos use it; nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import util
from pathlib import Path

import numpy as np

from vision.errors import DependencyError

# Person crops in bus.jpg (810x1080): x1, y1, x2, y2, cut tight enough to hold one man.
BUS_PEOPLE = ((45, 398, 222, 905), (228, 405, 350, 862), (670, 380, 810, 875))
BUS_SKY = (0, 0, 810, 375)  # building and bus, nobody in it
BUS_FLOOR = (0, 905, 810, 1080)  # pavement below everyone's feet


def bus_photo() -> np.ndarray:
    """ultralytics' bus.jpg as BGR pixels.

    Raises:
        DependencyError: ultralytics (which ships the photo) is not installed.
    """
    import cv2

    spec = util.find_spec("ultralytics")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("test scenes: ultralytics (which ships assets/bus.jpg) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "bus.jpg"
    image = cv2.imread(str(path))
    if image is None:
        raise DependencyError(f"test scenes: {path} is missing or unreadable")
    return image


@dataclass(frozen=True)
class Walk:
    """One person's straight walk: feet position at the first and last frame, and scale."""

    person: int
    start: tuple[float, float]
    end: tuple[float, float]
    height: float  # pixels, head to feet
    layer: int  # paste order: higher is nearer the camera


@dataclass(frozen=True)
class TruthBox:
    """Where a person is in one frame and how much of them can be seen."""

    person: int
    xyxy: tuple[float, float, float, float]
    visible: float  # fraction of the box not hidden by nearer people or the frame edge


@dataclass(frozen=True)
class Scene:
    """Frames and their ground truth."""

    frames: list[np.ndarray]
    truth: list[list[TruthBox]]
    fps: float

    def write_video(self, path: Path) -> Path:
        """Encode the frames as an MP4 (mp4v) that OpenCV reads back."""
        import cv2

        height, width = self.frames[0].shape[:2]
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), self.fps, (width, height))
        for frame in self.frames:
            writer.write(frame)
        writer.release()
        return path


DEFAULT_WALKS = (
    Walk(person=2, start=(470.0, 318.0), end=(540.0, 330.0), height=190.0, layer=0),  # slow, far
    Walk(person=0, start=(40.0, 352.0), end=(600.0, 352.0), height=235.0, layer=1),  # left to right
    Walk(person=1, start=(610.0, 345.0), end=(60.0, 345.0), height=225.0, layer=2),  # right to left
)


def render_scene(n_frames: int = 40, size: tuple[int, int] = (640, 360), fps: float = 10.0,
                 walks: tuple[Walk, ...] = DEFAULT_WALKS) -> Scene:
    """Render the people of ``walks`` over the bus background.

    Args:
        n_frames: Number of frames.
        size: (width, height) of each frame.
        fps: Frame rate written into videos.
        walks: Who walks where.

    Returns:
        The frames (BGR) and, per frame, each person's true box and visible fraction.
    """
    import cv2

    photo = bus_photo()
    width, height = size
    horizon = int(height * 2 / 3)
    x1, y1, x2, y2 = BUS_SKY
    sky = cv2.resize(photo[y1:y2, x1:x2], (width, horizon), interpolation=cv2.INTER_AREA)
    x1, y1, x2, y2 = BUS_FLOOR
    floor = cv2.resize(photo[y1:y2, x1:x2], (width, height - horizon), interpolation=cv2.INTER_AREA)
    background = np.vstack([sky, floor])
    crops = [photo[b[1]:b[3], b[0]:b[2]] for b in BUS_PEOPLE]

    frames: list[np.ndarray] = []
    truth: list[list[TruthBox]] = []
    for index in range(n_frames):
        t = index / max(1, n_frames - 1)
        frame = background.copy()
        owner = np.full((height, width), -1, dtype=np.int16)  # which person each pixel shows
        boxes: dict[int, tuple[int, int, int, int]] = {}
        for walk in sorted(walks, key=lambda w: w.layer):
            crop = crops[walk.person]
            scale = walk.height / crop.shape[0]
            sprite = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), round(walk.height)),
                                interpolation=cv2.INTER_AREA)
            feet_x = walk.start[0] + (walk.end[0] - walk.start[0]) * t
            feet_y = walk.start[1] + (walk.end[1] - walk.start[1]) * t + 2.0 * np.sin(index * 1.3)  # gait bob
            left, top = round(feet_x - sprite.shape[1] / 2), round(feet_y - sprite.shape[0])
            right, bottom = left + sprite.shape[1], top + sprite.shape[0]
            cl, ct, cr, cb = max(0, left), max(0, top), min(width, right), min(height, bottom)
            if cr > cl and cb > ct:
                frame[ct:cb, cl:cr] = sprite[ct - top:cb - top, cl - left:cr - left]
                owner[ct:cb, cl:cr] = walk.person
            boxes[walk.person] = (left, top, right, bottom)
        people = []
        for person, (left, top, right, bottom) in sorted(boxes.items()):
            cl, ct, cr, cb = max(0, left), max(0, top), min(width, right), min(height, bottom)
            shown = int((owner[ct:cb, cl:cr] == person).sum()) if cr > cl and cb > ct else 0
            area = (right - left) * (bottom - top)
            people.append(TruthBox(person, (float(cl), float(ct), float(cr), float(cb)), shown / area))
        frames.append(frame)
        truth.append(people)
    return Scene(frames, truth, fps)
