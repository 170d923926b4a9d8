"""Multi-object tracking behind one interface.

DeepSort (appearance + motion) and our ByteTrack live here; SORT, OC-SORT, BoT-SORT and
Roboflow's ByteTrack come from the ``trackers`` package (vision/motion_trackers.py).
docs/vision.md compares them on the scenes of vision/scenes.py.

A :class:`Tracker` belongs to one camera stream; ids it hands out are stable for that
stream. ``update`` returns, for each detection of the frame, the id of the confirmed
track it belongs to, or None while no track is confirmed for it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from vision.errors import CameraConfigError

if TYPE_CHECKING:  # kept out of the import so that the CLI starts fast
    import numpy as np

    from vision.detection import Detections


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


@dataclass(frozen=True)
class DeepSortConfig:
    """DeepSort settings (deep-sort-realtime's defaults, with a bounded gallery).

    Attributes:
        max_age: Frames a track survives without a match.
        n_init: Matches in a row before a track is confirmed and gets an id out.
        max_cosine_distance: Appearance gate.
        nn_budget: Features kept per track; unbounded galleries make each frame
            slower forever (27 -> 93 ms/frame over 250 frames without it).
    """

    max_age: int = 30
    n_init: int = 3
    max_cosine_distance: float = 0.2
    nn_budget: int = 100


class DeepSortTracker:
    """deep-sort-realtime's DeepSort, fed embeddings from :class:`MobileNetEmbedder`."""

    def __init__(self, cfg: DeepSortConfig = DeepSortConfig(), threads: int = 2) -> None:
        from deep_sort_realtime.deepsort_tracker import DeepSort

        from vision.embedder import MobileNetEmbedder

        self.embedder = MobileNetEmbedder(threads=threads)
        self._sort = DeepSort(max_age=cfg.max_age, n_init=cfg.n_init, max_cosine_distance=cfg.max_cosine_distance,
                              nn_budget=cfg.nn_budget, embedder=None)

    @property
    def active_tracks(self) -> int:
        return sum(1 for t in self._sort.tracker.tracks if t.is_confirmed() and t.time_since_update == 0)

    def update(self, image: np.ndarray, dets: Detections, timestamp: float | None = None) -> list[int | None]:
        ids: list[int | None] = [None] * len(dets)
        # DeepSort drops zero-area boxes itself but keeps zipping embeddings by position.
        valid = [i for i, (x1, y1, x2, y2) in enumerate(dets.xyxy) if x2 - x1 >= 1 and y2 - y1 >= 1]
        boxes = dets.xyxy[valid]
        embeds = self.embedder.embed(image, boxes)
        raw = [([float(x1), float(y1), float(x2 - x1), float(y2 - y1)], float(dets.conf[i]), dets.labels[i])
               for i, (x1, y1, x2, y2) in zip(valid, boxes)]
        tracks = self._sort.update_tracks(raw, embeds=list(embeds), others=valid)
        for track in tracks:
            det_index = track.get_det_supplementary()
            if track.is_confirmed() and track.time_since_update == 0 and det_index is not None:
                ids[int(det_index)] = int(track.track_id)
        return ids


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
        return DeepSortTracker(threads=threads)
    if kind is TrackerKind.BYTETRACK:
        from vision.bytetrack import ByteTracker

        return ByteTracker()
    from vision.motion_trackers import make_motion_tracker

    return make_motion_tracker(kind.value)
