"""Scoring detections and tracks against a scene's ground truth.

:func:`score` counts detection recall and false positives; :func:`tracking_score` gives
the field's tracking metrics (HOTA, IDF1, MOTA, id switches) through TrackEval, the
reference implementation of HOTA; :func:`run_tracker` runs one tracker over a scene.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vision.detect.detections import Detections
from vision.errors import DependencyError
from vision.track.bytetrack import iou_matrix
from vision.track.scenes import Scene, TruthBox


@dataclass(frozen=True)
class Score:
    """How well a run found and followed the people of a scene.

    Attributes:
        visible: Ground-truth boxes counted (visible enough to be fair to ask for).
        found: Of those, how many had a detection with IoU >= the threshold.
        false_positives: Detections matching no ground-truth box (any visibility).
        id_switches: Per person, how often the track id on them changed (counted over
            frames where they are visible enough).
        ids: Per person, the distinct track ids they were given.
    """

    visible: int
    found: int
    false_positives: int
    id_switches: dict[int, int]
    ids: dict[int, list[int]]

    @property
    def recall(self) -> float:
        return self.found / self.visible if self.visible else 1.0


def score(truth: Sequence[Sequence[TruthBox]], boxes: Sequence[np.ndarray],
          track_ids: Sequence[Sequence[int | None]] | None = None,
          iou_thresh: float = 0.5, min_visible: float = 0.7) -> Score:
    """Match each frame's detections to its truth (greedy by IoU) and count.

    Args:
        truth: Per frame, the true boxes.
        boxes: Per frame, detected (N, 4) xyxy boxes.
        track_ids: Per frame, the track id of each detection (None for no id).
        iou_thresh: IoU needed for a detection to count as finding a person.
        min_visible: Truth boxes less visible than this (occluded, leaving the frame)
            are not counted as misses, but may still be matched.

    Returns:
        Recall counts, false positives and id switches.
    """
    visible = found = false_pos = 0
    history: dict[int, list[int]] = {}
    for f, (gt, det) in enumerate(zip(truth, boxes)):
        gt_xyxy = np.array([g.xyxy for g in gt], dtype=np.float64).reshape(-1, 4)
        iou = iou_matrix(gt_xyxy, np.asarray(det, dtype=np.float64).reshape(-1, 4))
        matched_det: set[int] = set()
        pairs = sorted(((iou[g, d], g, d) for g in range(iou.shape[0]) for d in range(iou.shape[1])), reverse=True)
        owner: dict[int, int] = {}
        for value, g, d in pairs:
            if value < iou_thresh or g in owner or d in matched_det:
                continue
            owner[g] = d
            matched_det.add(d)
        for g, truth_box in enumerate(gt):
            if truth_box.ignore:
                continue
            if truth_box.visible >= min_visible:
                visible += 1
                found += g in owner
            # A mostly hidden person's box also covers whoever hides them: no id is theirs.
            if g in owner and track_ids is not None and truth_box.visible >= min_visible:
                tid = track_ids[f][owner[g]]
                if tid is not None:
                    history.setdefault(truth_box.person, []).append(tid)
        false_pos += iou.shape[1] - len(matched_det)
    switches = {p: sum(1 for a, b in zip(ids, ids[1:]) if a != b) for p, ids in history.items()}
    distinct = {p: sorted(set(ids)) for p, ids in history.items()}
    return Score(visible, found, false_pos, switches, distinct)


@dataclass(frozen=True)
class TrackingScore:
    """The field's tracking metrics for one run over one scene (TrackEval's definitions).

    Attributes:
        hota: Higher Order Tracking Accuracy, averaged over IoU thresholds 0.05-0.95.
        idf1: Identity F1: share of boxes given the id that the person mostly has.
        mota: CLEAR MOTA: 1 - (misses + false positives + id switches) / true boxes.
        id_switches: CLEAR IDSW: times a person's id changed from the one before.
        people: Distinct people in the scene's truth.
        track_ids: Distinct ids the tracker gave out.
    """

    hota: float
    idf1: float
    mota: float
    id_switches: int
    people: int
    track_ids: int


def tracking_score(truth: Sequence[Sequence[TruthBox]], boxes: Sequence[np.ndarray],
                   track_ids: Sequence[Sequence[int | None]], min_visible: float = 0.5) -> TrackingScore:
    """HOTA, IDF1, MOTA and id switches of a run, computed by TrackEval.

    The tracker's output is each frame's boxes that have an id. People less than
    ``min_visible`` in view, and boxes marked ``ignore``, are treated as MOTChallenge
    treats its ignored boxes: not asked for, and a box found on them (matched at IoU >=
    0.5) is dropped rather than counted as a false positive. MOTChallenge itself asks
    for every pedestrian, however hidden: ``min_visible=0``. An id switch is counted
    even when it happens while the person is hidden.

    Raises:
        DependencyError: trackeval is not installed.
    """
    try:
        from trackeval.metrics import CLEAR, HOTA, Identity
    except ImportError as err:
        raise DependencyError("tracking metrics: trackeval is not installed (pip install 'rva-vision[eval]')") from err
    from scipy.optimize import linear_sum_assignment

    gt_index: dict[int, int] = {}
    track_index: dict[int, int] = {}
    data: dict[str, list[np.ndarray]] = {"gt_ids": [], "tracker_ids": [], "similarity_scores": []}
    for gt, det, ids in zip(truth, boxes, track_ids):
        with_id = [i for i, tid in enumerate(ids) if tid is not None]
        det_xyxy = np.asarray(det, dtype=np.float64).reshape(-1, 4)[with_id]
        iou = iou_matrix(np.array([g.xyxy for g in gt], dtype=np.float64).reshape(-1, 4), det_xyxy)
        hidden = {g for g, box in enumerate(gt) if box.ignore or box.visible < min_visible}
        dropped: set[int] = set()
        if hidden and iou.size:
            rows, cols = linear_sum_assignment(-iou)
            dropped = {int(c) for r, c in zip(rows, cols) if r in hidden and iou[r, c] >= 0.5}
        keep_gt = [g for g in range(len(gt)) if g not in hidden]
        keep_det = [d for d in range(len(with_id)) if d not in dropped]
        data["gt_ids"].append(np.array([gt_index.setdefault(gt[g].person, len(gt_index)) for g in keep_gt], int))
        data["tracker_ids"].append(np.array(
            [track_index.setdefault(ids[with_id[d]], len(track_index)) for d in keep_det], int))  # type: ignore[arg-type]
        data["similarity_scores"].append(iou[np.ix_(keep_gt, keep_det)])
    sequence = {**data, "num_timesteps": len(data["gt_ids"]), "num_gt_ids": len(gt_index),
                "num_tracker_ids": len(track_index),
                "num_gt_dets": sum(len(g) for g in data["gt_ids"]),
                "num_tracker_dets": sum(len(t) for t in data["tracker_ids"])}
    quiet = {"PRINT_CONFIG": False}
    hota = HOTA(quiet).eval_sequence(sequence)
    clear = CLEAR(quiet).eval_sequence(sequence)
    identity = Identity(quiet).eval_sequence(sequence)
    return TrackingScore(hota=float(np.mean(hota["HOTA"])), idf1=float(identity["IDF1"]), mota=float(clear["MOTA"]),
                         id_switches=int(clear["IDSW"]), people=len(gt_index), track_ids=len(track_index))


@dataclass(frozen=True)
class TrackerRun:
    """One tracker over one scene's detections: its ids, scores and cost."""

    scene: str
    tracker: str
    detection: Score
    tracking: TrackingScore
    ms_per_frame: float


def run_tracker(scene_name: str, scene: Scene, dets: Sequence[Detections], kind: str,
                min_visible: float = 0.5) -> TrackerRun:
    """Track ``dets`` (one per frame of ``scene``) with a fresh ``kind`` tracker and score it.

    Frames are stamped ``index / fps`` seconds, as a file's frames are; ``min_visible``
    is :func:`tracking_score`'s.
    """
    from vision.track.trackers import make_tracker

    tracker = make_tracker(kind)
    started = time.perf_counter()
    ids = [tracker.update(frame, d, timestamp=index / scene.fps)
           for index, (frame, d) in enumerate(zip(scene.frames, dets))]
    ms = 1000 * (time.perf_counter() - started) / max(1, len(dets))
    boxes = [d.xyxy for d in dets]
    return TrackerRun(scene_name, kind, score(scene.truth, boxes),
                      tracking_score(scene.truth, boxes, ids, min_visible=min_visible), ms)
