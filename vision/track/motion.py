"""SORT, OC-SORT, BoT-SORT and ByteTrack from Roboflow's ``trackers`` package.

These are the field's motion trackers in one maintained library (Apache-2.0). This
module adapts them to :class:`vision.track.trackers.Tracker`: boxes in, one id (or None) per
box out, in the order the boxes came. BoT-SORT runs without camera-motion
compensation: store cameras are fixed, and its optical flow would cost more than the
rest of the tracker.

Their thresholds are set for the shipped person model, which scores clearly visible
people 0.5-0.75 (the library's defaults assume a detector that scores them 0.7-0.9), and
a lost track waits ``lost_track_s`` seconds of capture time before it is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.detect.detections import Detections


@dataclass(frozen=True)
class MotionTrackerConfig:
    """Settings shared by the motion trackers.

    Attributes:
        high_conf: Detections at or above start the first association (ByteTrack,
            OC-SORT, BoT-SORT); lower ones only extend tracks.
        activation_conf: Minimum score for an unmatched detection to start a track.
        lost_track_s: Seconds a lost track is kept to be found again.
        frame_rate: Nominal frames per second (only scales the Kalman filter's steps
            when no timestamps are given).
    """

    high_conf: float = 0.4
    activation_conf: float = 0.45
    lost_track_s: float = 2.0
    frame_rate: float = 5.0


def make_motion_tracker(kind: str, cfg: MotionTrackerConfig = MotionTrackerConfig()) -> MotionTracker:
    """``kind`` is sort, ocsort, botsort or rf-bytetrack."""
    import trackers

    lost = max(1, round(cfg.lost_track_s * 30))  # the library counts in frames at 30 FPS
    if kind == "sort":
        inner = trackers.SORTTracker(lost_track_buffer=lost, frame_rate=cfg.frame_rate,
                                     track_activation_threshold=cfg.activation_conf)
    elif kind == "ocsort":
        inner = trackers.OCSORTTracker(lost_track_buffer=lost, frame_rate=cfg.frame_rate,
                                       high_conf_det_threshold=cfg.high_conf)
    elif kind == "botsort":
        inner = trackers.BoTSORTTracker(lost_track_buffer=lost, frame_rate=cfg.frame_rate, enable_cmc=False,
                                        track_activation_threshold=cfg.activation_conf,
                                        high_conf_det_threshold=cfg.high_conf)
    elif kind == "rf-bytetrack":
        inner = trackers.ByteTrackTracker(lost_track_buffer=lost, frame_rate=cfg.frame_rate,
                                          track_activation_threshold=cfg.activation_conf,
                                          high_conf_det_threshold=cfg.high_conf)
    else:
        raise ValueError(f"not a motion tracker: {kind!r}")
    return MotionTracker(inner)


class MotionTracker:
    """One ``trackers`` tracker for one camera stream."""

    def __init__(self, inner: object) -> None:
        self._inner = inner
        self._active = 0

    @property
    def active_tracks(self) -> int:
        return self._active

    def update(self, image: np.ndarray, dets: Detections, timestamp: float | None = None) -> list[int | None]:
        import supervision as sv

        n = len(dets)
        ids: list[int | None] = [None] * n
        boxes = sv.Detections(xyxy=np.asarray(dets.xyxy, np.float32).reshape(-1, 4),
                              confidence=np.asarray(dets.conf, np.float32), class_id=np.zeros(n, int),
                              data={"det_index": np.arange(n)})
        out = self._inner.update(boxes, timestamp=timestamp)  # type: ignore[attr-defined]
        # The library returns boxes in its own order (and drops the index of an empty frame).
        for index, track_id in zip(out.data.get("det_index", ()), out.tracker_id if n else ()):
            if track_id >= 0:
                ids[int(index)] = int(track_id)
        self._active = sum(i is not None for i in ids)
        return ids
