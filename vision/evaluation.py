"""Scoring detections and tracks against a scene's ground truth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vision.bytetrack import iou_matrix
from vision.scenes import TruthBox


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
