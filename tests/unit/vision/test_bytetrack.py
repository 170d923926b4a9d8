"""ByteTrack on hand-made boxes: ids hold through low scores and short gaps."""

from __future__ import annotations

import numpy as np

from vision.detect.detections import Detections
from vision.track.bytetrack import ByteTracker, assign, iou_matrix

FRAME = np.zeros((360, 640, 3), np.uint8)


def dets(*boxes: tuple[float, float, float, float, float]) -> Detections:
    arr = np.array(boxes, dtype=np.float32).reshape(-1, 5)
    return Detections(arr[:, :4], arr[:, 4], tuple("person" for _ in boxes))


class TestByteTracker:
    def test_two_walkers_keep_their_ids(self) -> None:
        tracker = ByteTracker()
        history = [tracker.update(FRAME, dets((10 + 5 * t, 50, 60 + 5 * t, 200, 0.8),
                                              (500 - 5 * t, 60, 550 - 5 * t, 210, 0.7))) for t in range(20)]
        assert history[0] == [1, 2]
        assert all(ids == [1, 2] for ids in history)

    def test_low_score_box_extends_a_track(self) -> None:
        tracker = ByteTracker()
        for t in range(3):
            tracker.update(FRAME, dets((100 + 4 * t, 50, 150 + 4 * t, 200, 0.8)))
        # Occluded: the detector is unsure, but the box is where the track predicts.
        assert tracker.update(FRAME, dets((112, 50, 162, 200, 0.2))) == [1]

    def test_low_score_box_does_not_start_a_track(self) -> None:
        tracker = ByteTracker()
        assert tracker.update(FRAME, dets((100, 50, 150, 200, 0.3))) == [None]
        assert tracker.active_tracks == 0

    def test_new_track_confirmed_on_second_match(self) -> None:
        tracker = ByteTracker()
        tracker.update(FRAME, dets((10, 10, 60, 160, 0.9)))
        assert tracker.update(FRAME, dets((10, 10, 60, 160, 0.9), (300, 10, 350, 160, 0.9))) == [1, None]
        assert tracker.update(FRAME, dets((10, 10, 60, 160, 0.9), (302, 10, 352, 160, 0.9))) == [1, 2]

    def test_lost_track_found_again_within_buffer(self) -> None:
        tracker = ByteTracker()
        for _ in range(3):
            tracker.update(FRAME, dets((100, 50, 150, 200, 0.8)))
        for _ in range(5):
            tracker.update(FRAME, Detections.empty())
        assert tracker.update(FRAME, dets((100, 50, 150, 200, 0.8))) == [1]


class TestMatching:
    def test_iou(self) -> None:
        a = np.array([[0, 0, 10, 10]], float)
        b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]], float)
        np.testing.assert_allclose(iou_matrix(a, b), [[1.0, 1 / 3, 0.0]])

    def test_assign_respects_threshold(self) -> None:
        pairs, rows, cols = assign(np.array([[0.1, 0.9], [0.95, 0.99]]), thresh=0.5)
        assert pairs == [(0, 0)] and rows == [1] and cols == [1]
