"""The tracking metrics (TrackEval through vision.track.evaluation) against values worked out by hand.

Each case is small enough to count on paper: boxes sit exactly on the truth (IoU 1), so
every localization threshold of HOTA agrees and HOTA is sqrt(DetA x AssA).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vision.track.evaluation import tracking_score
from vision.track.scenes import TruthBox

A = (10.0, 10.0, 60.0, 160.0)
B = (300.0, 20.0, 350.0, 170.0)
FRAMES = 10


def truth(hidden_b: set[int] = frozenset()) -> list[list[TruthBox]]:  # type: ignore[assignment]
    return [[TruthBox(0, A, 1.0), TruthBox(1, B, 0.2 if f in hidden_b else 1.0)] for f in range(FRAMES)]


def boxes() -> list[np.ndarray]:
    return [np.array([A, B]) for _ in range(FRAMES)]


def test_perfect_tracking_scores_one() -> None:
    result = tracking_score(truth(), boxes(), [[1, 2]] * FRAMES)
    assert (result.hota, result.idf1, result.mota, result.id_switches) == (pytest.approx(1.0), 1.0, 1.0, 0)
    assert (result.people, result.track_ids) == (2, 2)


def test_swapped_ids_halfway() -> None:
    # Frames 0-4: A=1, B=2; frames 5-9: A=2, B=1. Both people switch once (IDSW 2);
    # MOTA = 1 - 2/20. The best one-to-one id map keeps 10 of 20 boxes: IDF1 = 10/20.
    # Each (person, id) pair shares 5 frames of the person's 10 and the id's 10:
    # AssA = 5 / (5 + 5 + 5) = 1/3, DetA = 1, HOTA = sqrt(1/3).
    ids = [[1, 2]] * 5 + [[2, 1]] * 5
    result = tracking_score(truth(), boxes(), ids)
    assert result.id_switches == 2
    assert result.mota == pytest.approx(0.9)
    assert result.idf1 == pytest.approx(0.5)
    assert result.hota == pytest.approx(math.sqrt(1 / 3))


def test_missed_boxes_and_boxes_without_id() -> None:
    # A is missed in frames 3 and 4 (once no box, once a box the tracker gave no id):
    # 2 misses of 20 true boxes, no switch (A keeps id 1 after the gap).
    dets = boxes()
    dets[3] = np.array([B])
    ids: list[list[int | None]] = [[1, 2] for _ in range(FRAMES)]
    ids[3] = [2]
    ids[4] = [None, 2]
    result = tracking_score(truth(), dets, ids)
    assert result.mota == pytest.approx(0.9)
    assert result.id_switches == 0


def test_a_switch_while_hidden_still_counts() -> None:
    # B is hidden (visible 0.2) in frames 4-5 and comes back with a new id.
    ids = [[1, 2]] * 4 + [[1, None]] * 2 + [[1, 3]] * 4
    result = tracking_score(truth(hidden_b={4, 5}), boxes(), ids)
    assert result.id_switches == 1
    assert result.mota == pytest.approx(1 - 1 / 18)  # 18 boxes asked for, 1 switch


def test_a_box_on_a_hidden_person_is_neither_asked_for_nor_a_false_positive() -> None:
    # B is hidden in frames 4-5; the tracker keeps its box there (with its id) or drops it.
    kept = tracking_score(truth(hidden_b={4, 5}), boxes(), [[1, 2]] * FRAMES)
    dropped = tracking_score(truth(hidden_b={4, 5}), [np.array([A, B]) if f not in (4, 5) else np.array([A])
                                                     for f in range(FRAMES)],
                             [[1, 2] if f not in (4, 5) else [1] for f in range(FRAMES)])
    assert kept.mota == dropped.mota == 1.0
    assert kept.idf1 == dropped.idf1 == 1.0


def test_a_box_on_an_ignored_region_is_not_a_false_positive() -> None:
    # B is a MOTChallenge distractor (ignore=True) in every frame: only A is asked for.
    gt = [[TruthBox(0, A, 1.0), TruthBox(1, B, 1.0, ignore=True)] for _ in range(FRAMES)]
    result = tracking_score(gt, boxes(), [[1, 2]] * FRAMES)
    assert (result.mota, result.idf1, result.people, result.track_ids) == (1.0, 1.0, 1, 1)
