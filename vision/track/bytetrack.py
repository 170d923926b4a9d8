"""ByteTrack: motion-only tracking that also associates low-confidence boxes.

A small implementation of Zhang et al., "ByteTrack: Multi-Object Tracking by
Associating Every Detection Box" (ECCV 2022), on DeepSort's constant-velocity Kalman
filter (from deep-sort-realtime). It needs no appearance model, so it costs well under
a millisecond per frame. Ids are handed out when a track is confirmed (its second
match, or the first frame), so ids of tracks that never confirm are not wasted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from vision.detect.detections import Detections


class TrackState(enum.Enum):
    TRACKED = 1
    LOST = 2
    REMOVED = 3


@dataclass(frozen=True)
class ByteTrackConfig:
    """ByteTrack thresholds.

    The paper's high threshold is 0.6 for its detector; the default person model here
    scores clearly visible people 0.5-0.75, so the high band starts at 0.4.

    Attributes:
        high_thresh: Detections at or above start the first association.
        low_thresh: Detections between this and high_thresh only extend tracks.
        new_track_thresh: Minimum score for an unmatched detection to start a track.
        match_thresh: Max IoU cost (1 - IoU x score) for the first association.
        low_match_thresh: Max IoU cost for the low-score association.
        unconfirmed_match_thresh: Max IoU cost to confirm a one-frame track.
        track_buffer: Frames a lost track waits to be re-found before removal.
    """

    high_thresh: float = 0.4
    low_thresh: float = 0.1
    new_track_thresh: float = 0.45
    match_thresh: float = 0.8
    low_match_thresh: float = 0.5
    unconfirmed_match_thresh: float = 0.7
    track_buffer: int = 30


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of (N, 4) and (M, 4) xyxy boxes."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def assign(cost: np.ndarray, thresh: float) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Minimum-cost matching keeping pairs with cost <= thresh.

    Returns:
        Matched (row, col) pairs, unmatched rows, unmatched columns.
    """
    from scipy.optimize import linear_sum_assignment

    if cost.size == 0:
        return [], list(range(cost.shape[0])), list(range(cost.shape[1]))
    rows, cols = linear_sum_assignment(np.where(cost > thresh, thresh + 1e4, cost))
    pairs = [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] <= thresh]
    used_r, used_c = {r for r, _ in pairs}, {c for _, c in pairs}
    return (pairs, [r for r in range(cost.shape[0]) if r not in used_r],
            [c for c in range(cost.shape[1]) if c not in used_c])


def _xyah(box: np.ndarray) -> np.ndarray:
    w, h = box[2] - box[0], box[3] - box[1]
    return np.array([box[0] + w / 2, box[1] + h / 2, w / max(h, 1e-6), h], dtype=np.float64)


@dataclass(eq=False)
class _Track:
    mean: np.ndarray
    cov: np.ndarray
    score: float
    last_frame: int
    state: TrackState = TrackState.TRACKED
    track_id: int | None = None  # set on confirmation
    matched_det: int | None = None  # detection index matched in the current frame
    hits: int = 1

    def xyxy(self) -> np.ndarray:
        cx, cy, a, h = self.mean[:4]
        w = a * h
        return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])


@dataclass
class ByteTracker:
    """ByteTrack for one camera stream."""

    cfg: ByteTrackConfig = field(default_factory=ByteTrackConfig)
    frame: int = 0
    _tracks: list[_Track] = field(default_factory=list)
    _next_id: int = 1

    def __post_init__(self) -> None:
        from deep_sort_realtime.deep_sort.kalman_filter import KalmanFilter

        self._kf = KalmanFilter()

    @property
    def active_tracks(self) -> int:
        return sum(1 for t in self._tracks if t.track_id is not None and t.matched_det is not None)

    def _match(self, tracks: list[_Track], boxes: np.ndarray, scores: np.ndarray, det_idx: list[int],
               thresh: float, fuse: bool) -> tuple[list[_Track], list[int]]:
        """Match ``tracks`` to detections ``det_idx``; returns unmatched tracks and detections."""
        sub = boxes[det_idx]
        cost = 1.0 - iou_matrix(np.array([t.xyxy() for t in tracks]).reshape(-1, 4), sub)
        if fuse and cost.size:
            cost = 1.0 - (1.0 - cost) * scores[det_idx][None, :]
        pairs, free_t, free_d = assign(cost, thresh)
        for ti, di in pairs:
            track, d = tracks[ti], det_idx[di]
            track.mean, track.cov = self._kf.update(track.mean, track.cov, _xyah(boxes[d]))
            track.score, track.last_frame, track.matched_det = float(scores[d]), self.frame, d
            track.state = TrackState.TRACKED
            track.hits += 1
            if track.track_id is None:
                track.track_id, self._next_id = self._next_id, self._next_id + 1
        return [tracks[i] for i in free_t], [det_idx[i] for i in free_d]

    def update(self, image: np.ndarray, dets: Detections, timestamp: float | None = None) -> list[int | None]:
        """Associate this frame's detections; returns a track id (or None) per detection."""
        self.frame += 1
        boxes, scores = dets.xyxy.astype(np.float64), dets.conf.astype(np.float64)
        high = [i for i, s in enumerate(scores) if s >= self.cfg.high_thresh]
        low = [i for i, s in enumerate(scores) if self.cfg.low_thresh <= s < self.cfg.high_thresh]
        for track in self._tracks:
            track.matched_det = None
        confirmed = [t for t in self._tracks if t.track_id is not None]
        unconfirmed = [t for t in self._tracks if t.track_id is None]
        for track in confirmed:
            if track.state is not TrackState.TRACKED:
                track.mean[7] = 0.0  # a lost track's height velocity is not trusted
            track.mean, track.cov = self._kf.predict(track.mean, track.cov)

        # 1. Confirmed and lost tracks vs high-score boxes, IoU fused with score.
        left, high_left = self._match(confirmed, boxes, scores, high, self.cfg.match_thresh, fuse=True)
        # 2. Still-tracked ones vs low-score boxes: occluded people keep their id.
        tracked_left = [t for t in left if t.state is TrackState.TRACKED]
        still_left, _ = self._match(tracked_left, boxes, scores, low, self.cfg.low_match_thresh, fuse=False)
        for track in still_left:
            track.state = TrackState.LOST
        # 3. One-frame tracks vs remaining high boxes: a second match confirms them.
        dead, high_left = self._match(unconfirmed, boxes, scores, high_left,
                                      self.cfg.unconfirmed_match_thresh, fuse=True)
        for track in dead:
            track.state = TrackState.REMOVED
        # 4. New tracks; on the first frame they are confirmed at once.
        for d in high_left:
            if scores[d] < self.cfg.new_track_thresh:
                continue
            mean, cov = self._kf.initiate(_xyah(boxes[d]))
            track = _Track(mean, cov, float(scores[d]), self.frame, matched_det=d)
            if self.frame == 1:
                track.track_id, self._next_id = self._next_id, self._next_id + 1
            self._tracks.append(track)
        for track in self._tracks:
            if track.state is TrackState.LOST and self.frame - track.last_frame > self.cfg.track_buffer:
                track.state = TrackState.REMOVED
        self._tracks = [t for t in self._tracks if t.state is not TrackState.REMOVED]

        ids: list[int | None] = [None] * len(dets)
        for track in self._tracks:
            if track.matched_det is not None and track.track_id is not None:
                ids[track.matched_det] = track.track_id
        return ids
