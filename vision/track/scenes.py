"""Short test videos made of real photographs of people, with ground-truth boxes.

No data set ships in a package, but real photos of people do: ultralytics'
``assets/bus.jpg`` (three men walking past a bus in Madrid). A scene pastes crops of
those people (and mirrored, recoloured copies of them, for crowds) onto a background
made of the same photo's bus and pavement, and moves them along paths: walking,
crossing in front of each other, standing at a shelf, leaving and coming back. A
detector sees real pixels and the truth is known exactly: each person's box is where
their crop was pasted, and how much of it nearer people hide.

:data:`SCENES` names the scenes that ``rva vision eval`` scores trackers on; tests, the
benchmark and demos use them too. Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import util
from pathlib import Path

import numpy as np

from vision.errors import CameraConfigError, DependencyError

# Person crops in bus.jpg (810x1080): x1, y1, x2, y2, cut tight enough to hold one man.
BUS_PEOPLE = ((45, 398, 222, 905), (228, 405, 350, 862), (670, 380, 810, 875))
BUS_SKY = (0, 0, 810, 375)  # building and bus, nobody in it
BUS_FLOOR = (0, 905, 810, 1080)  # pavement below everyone's feet
SIZE = (640, 360)  # width, height of every scene


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


def people_crops(photo: np.ndarray) -> list[np.ndarray]:
    """Nine people: bus.jpg's three men, mirrored, and with their colours swapped.

    Index ``i`` is person ``i`` of a scene. 3-5 mirror 0-2 and 6-8 are 0-2 with the blue
    and red channels exchanged (other clothes, same build): look-alikes, as in a crowd.
    """
    crops = [photo[y1:y2, x1:x2] for x1, y1, x2, y2 in BUS_PEOPLE]
    mirrored = [np.ascontiguousarray(c[:, ::-1]) for c in crops]
    recoloured = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
    return crops + mirrored + recoloured


@dataclass(frozen=True)
class Walk:
    """One person's way through a scene.

    Attributes:
        person: Which crop (see :func:`people_crops`); also the ground-truth id.
        path: Waypoints ``(seconds, feet x, feet y)``, in time order. The person moves
            in a straight line between them, is still where two have the same place,
            and is not in the scene before the first or after the last.
        height: Pixels from head to feet.
        layer: Paste order: a higher layer is nearer the camera and hides lower ones.
    """

    person: int
    path: tuple[tuple[float, float, float], ...]
    height: float
    layer: int

    def feet_at(self, t: float) -> tuple[float, float, bool] | None:
        """Feet position at ``t`` seconds and whether the person is moving, or None if absent."""
        first, last = self.path[0], self.path[-1]
        if t < first[0] or t > last[0]:
            return None
        for (t0, x0, y0), (t1, x1, y1) in zip(self.path, self.path[1:]):
            if t0 <= t <= t1:
                k = (t - t0) / (t1 - t0) if t1 > t0 else 0.0
                return x0 + (x1 - x0) * k, y0 + (y1 - y0) * k, (x0, y0) != (x1, y1)
        return first[1], first[2], False


@dataclass(frozen=True)
class TruthBox:
    """Where a person is in one frame and how much of them can be seen."""

    person: int
    xyxy: tuple[float, float, float, float]
    visible: float  # fraction of the box not hidden by nearer people or the frame edge
    ignore: bool = False  # a region neither asked for nor penalised (MOTChallenge distractors)


@dataclass(frozen=True)
class Scene:
    """Frames and their ground truth."""

    frames: Sequence[np.ndarray]
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


def default_walks(duration: float) -> tuple[Walk, ...]:
    """The three men of bus.jpg crossing the frame in ``duration`` seconds (two cross)."""
    return (
        Walk(2, ((0.0, 470.0, 318.0), (duration, 540.0, 330.0)), height=190.0, layer=0),  # slow, far
        Walk(0, ((0.0, 40.0, 352.0), (duration, 600.0, 352.0)), height=235.0, layer=1),  # left to right
        Walk(1, ((0.0, 610.0, 345.0), (duration, 60.0, 345.0)), height=225.0, layer=2),  # right to left
    )


def render_scene(n_frames: int = 40, size: tuple[int, int] = SIZE, fps: float = 10.0,
                 walks: tuple[Walk, ...] | None = None) -> Scene:
    """Render the people of ``walks`` over the bus background.

    Args:
        n_frames: Number of frames.
        size: (width, height) of each frame.
        fps: Frames per second; frame ``i`` shows time ``i / fps``.
        walks: Who walks where (default: :func:`default_walks` over the whole scene).

    Returns:
        The frames (BGR) and, per frame, each person's true box and visible fraction.
    """
    import cv2

    walks = walks if walks is not None else default_walks((n_frames - 1) / fps)
    photo = bus_photo()
    width, height = size
    horizon = int(height * 2 / 3)
    x1, y1, x2, y2 = BUS_SKY
    sky = cv2.resize(photo[y1:y2, x1:x2], (width, horizon), interpolation=cv2.INTER_AREA)
    x1, y1, x2, y2 = BUS_FLOOR
    floor = cv2.resize(photo[y1:y2, x1:x2], (width, height - horizon), interpolation=cv2.INTER_AREA)
    background = np.vstack([sky, floor])
    crops = people_crops(photo)
    sprites = {w.person: _sprite(crops[w.person], w.height) for w in walks}

    frames: list[np.ndarray] = []
    truth: list[list[TruthBox]] = []
    for index in range(n_frames):
        t = index / fps
        frame = background.copy()
        owner = np.full((height, width), -1, dtype=np.int16)  # which person each pixel shows
        boxes: dict[int, tuple[int, int, int, int]] = {}
        for walk in sorted(walks, key=lambda w: w.layer):
            place = walk.feet_at(t)
            if place is None:
                continue
            feet_x, feet_y, moving = place
            feet_y += 2.0 * np.sin(index * 1.3) if moving else 0.0  # gait bob
            sprite = sprites[walk.person]
            left, top = round(feet_x - sprite.shape[1] / 2), round(feet_y - sprite.shape[0])
            right, bottom = left + sprite.shape[1], top + sprite.shape[0]
            cl, ct, cr, cb = max(0, left), max(0, top), min(width, right), min(height, bottom)
            if cr <= cl or cb <= ct:
                continue  # wholly outside the frame
            frame[ct:cb, cl:cr] = sprite[ct - top:cb - top, cl - left:cr - left]
            owner[ct:cb, cl:cr] = walk.person
            boxes[walk.person] = (left, top, right, bottom)
        people = []
        for person, (left, top, right, bottom) in sorted(boxes.items()):
            cl, ct, cr, cb = max(0, left), max(0, top), min(width, right), min(height, bottom)
            shown = int((owner[ct:cb, cl:cr] == person).sum())
            area = (right - left) * (bottom - top)
            people.append(TruthBox(person, (float(cl), float(ct), float(cr), float(cb)), shown / area))
        frames.append(frame)
        truth.append(people)
    return Scene(frames, truth, fps)


def _sprite(crop: np.ndarray, height: float) -> np.ndarray:
    import cv2

    scale = height / crop.shape[0]
    return cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), round(height)), interpolation=cv2.INTER_AREA)


# Named scenes: the cases a store camera sees that break trackers. Speeds are a walking
# pace of about 1 m/s in a 640x360 view of a few metres of aisle (60-120 px/s); people
# farther away are smaller and pasted behind nearer ones.

def crossing_scene(fps: float = 5.0) -> Scene:
    """Three people, 12 s: two cross at different depths, the nearer hiding the other
    completely; a third is overtaken and hidden by the first for over a second."""
    walks = (
        Walk(1, ((0.0, 660.0, 300.0), (12.0, -20.0, 300.0)), height=170.0, layer=0),  # far, right to left
        Walk(2, ((0.0, 120.0, 325.0), (12.0, 400.0, 325.0)), height=200.0, layer=1),  # slow, mid
        Walk(0, ((0.0, -40.0, 352.0), (12.0, 680.0, 352.0)), height=235.0, layer=2),  # near, left to right
    )
    return render_scene(n_frames=round(12 * fps), fps=fps, walks=walks)


def reentry_scene(fps: float = 5.0) -> Scene:
    """Two people, 14 s: one walks out of the right edge and comes back 4 s later; the
    other browses in place on the left."""
    walks = (
        Walk(0, ((0.0, 200.0, 350.0), (4.5, 690.0, 350.0), (8.5, 690.0, 345.0), (14.0, 160.0, 345.0)),
             height=235.0, layer=1),
        Walk(1, ((0.0, 90.0, 315.0), (5.0, 110.0, 315.0), (9.0, 90.0, 318.0), (14.0, 100.0, 318.0)),
             height=185.0, layer=0),
    )
    return render_scene(n_frames=round(14 * fps), fps=fps, walks=walks)


def standing_scene(fps: float = 5.0) -> Scene:
    """One person stands at a shelf for a minute while six others walk past, three in
    front of them (hiding them for a second or two each) and three behind. The six are
    two men and their mirrored and recoloured copies (none looks like the one standing):
    look-alikes a few seconds apart, as staff in one uniform are."""
    walks = [Walk(0, ((0.0, 330.0, 330.0), (60.0, 330.0, 330.0)), height=210.0, layer=1)]
    for person, start in ((1, 4.0), (2, 22.0), (7, 40.0)):  # in front, left to right
        walks.append(Walk(person, ((start, -40.0, 355.0), (start + 8.0, 680.0, 355.0)), height=235.0, layer=2))
    for person, start in ((8, 12.0), (4, 31.0), (5, 50.0)):  # behind, right to left
        walks.append(Walk(person, ((start, 680.0, 295.0), (start + 9.0, -40.0, 295.0)), height=165.0, layer=0))
    return render_scene(n_frames=round(60 * fps), fps=fps, walks=tuple(walks))


def crowd_scene(fps: float = 5.0) -> Scene:
    """Nine people, 16 s, entering a second apart from both sides at five depths: up to
    nine in view at once, many crossings, look-alikes (mirrored and recoloured copies)."""
    lanes = ((285.0, 155.0), (302.0, 175.0), (319.0, 195.0), (336.0, 215.0), (353.0, 235.0))  # feet y, height
    walks = []
    for person in range(9):
        y, height = lanes[person % 5]
        start, speed = float(person), 75.0 + 10.0 * (person % 3)
        x0, x1 = (-40.0, 680.0) if person % 2 == 0 else (680.0, -40.0)
        walks.append(Walk(person, ((start, x0, y), (start + 720.0 / speed, x1, y)), height=height,
                          layer=10 * (person % 5) + person))
    return render_scene(n_frames=round(16 * fps), fps=fps, walks=tuple(walks))


SCENES: dict[str, Callable[[], Scene]] = {
    "crossing": crossing_scene,
    "reentry": reentry_scene,
    "standing": standing_scene,
    "crowd": crowd_scene,
}
CROSSING_SCENES = ("crossing", "standing", "crowd")  # where a person is hidden by another, not gone


def named_scene(name: str) -> Scene:
    """The scene called ``name`` (see :data:`SCENES`).

    Raises:
        CameraConfigError: No scene has that name.
    """
    if name not in SCENES:
        raise CameraConfigError(f"--scene: need one of {', '.join(SCENES)} or a MOTChallenge sequence folder, "
                                f"got {name!r}")
    return SCENES[name]()
