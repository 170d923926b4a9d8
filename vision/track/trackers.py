"""Multi-object tracking behind one interface.

DeepSort (appearance + motion, vision/track/deepsort.py), our ByteTrack
(vision/track/bytetrack.py), and SORT, OC-SORT, BoT-SORT and Roboflow's ByteTrack from the
``trackers`` package (vision/track/motion.py). docs/vision.md compares them on the scenes
of vision/track/scenes.py.

A :class:`Tracker` belongs to one camera stream; ids it hands out are stable for that
stream. ``update`` returns, for each detection of the frame, the id of the confirmed
track it belongs to, or None while no track is confirmed for it.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Protocol

from vision.errors import CameraConfigError

if TYPE_CHECKING:  # kept out of the import so that the CLI starts fast
    import numpy as np

    from vision.detect.detections import Detections


class TrackerKind(str, enum.Enum):
    """Which tracker to run."""

    DEEPSORT = "deepsort"
    BYTETRACK = "bytetrack"
    SORT = "sort"
    OCSORT = "ocsort"
    BOTSORT = "botsort"
    RF_BYTETRACK = "rf-bytetrack"


DEFAULT_TRACKER = TrackerKind.DEEPSORT  # chosen by the numbers in docs/vision.md


class Tracker(Protocol):
    """Assigns stable ids to the detections of successive frames of one stream."""

    def update(self, image: np.ndarray, dets: Detections, timestamp: float | None = None) -> list[int | None]:
        """Ids for ``dets`` of the next frame; ``timestamp`` (seconds) is its capture time."""
        ...

    @property
    def active_tracks(self) -> int: ...


def tracker_kind(name: TrackerKind | str) -> TrackerKind:
    """The tracker called ``name``.

    Raises:
        CameraConfigError: No tracker has that name.
    """
    try:
        return TrackerKind(name)
    except ValueError as err:
        names = ", ".join(k.value for k in TrackerKind)
        raise CameraConfigError(f"tracker: need one of {names}, got {name!r}") from err


def make_tracker(kind: TrackerKind | str, threads: int = 2) -> Tracker:
    """A fresh tracker of ``kind`` for one camera stream."""
    kind = tracker_kind(kind)
    if kind is TrackerKind.DEEPSORT:
        from vision.track.deepsort import DeepSortTracker

        return DeepSortTracker(threads=threads)
    if kind is TrackerKind.BYTETRACK:
        from vision.track.bytetrack import ByteTracker

        return ByteTracker()
    from vision.track.motion import make_motion_tracker

    return make_motion_tracker(kind.value)
