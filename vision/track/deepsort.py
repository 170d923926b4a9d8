"""DeepSort: deep-sort-realtime's tracker, with appearance from vision/track/embedder.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from vision.detect.detections import Detections


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

        from vision.track.embedder import MobileNetEmbedder

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
