"""Detection recall and track id stability on real pixels, for both backends and trackers.

The scene (vision/track/scenes.py) is three real people from ultralytics' bus.jpg walking over
the same photo's background; two of them cross, hiding each other for a few frames.

Thresholds, from measured runs on this scene (imgsz 640):
- recall (IoU >= 0.5, people at least 70% visible): ONNX 101/104, ultralytics 102/104.
  The misses are the third man, whose crop in bus.jpg is mostly legs. We require 0.90:
  a broken letterbox, box decode or NMS drops recall far below that (a 10-pixel shift of
  a 60x190 box already fails IoU 0.5), while one or two extra misses from a library
  upgrade do not fail the test.
- false positives: 1 per 40 frames measured; we allow 5.
- id switches: 0 for every person with both trackers, through the crossing. We allow
  at most 1 per person, for tracker-internal tie-breaks on the frame the two overlap.
"""

from __future__ import annotations

import pytest

from vision.track.evaluation import score
from vision.track.scenes import Scene
from vision.track.trackers import TrackerKind, make_tracker

BACKENDS = [pytest.param("onnx", id="onnx"), pytest.param("ultralytics", id="ultralytics")]
TRACKERS = [pytest.param("deepsort", id="deepsort"), pytest.param("bytetrack", id="bytetrack")]
MIN_RECALL = 0.90
MAX_FALSE_POSITIVES = 5
MAX_SWITCHES_PER_PERSON = 1


class TestDetectionRecall:
    @pytest.mark.parametrize("backend", BACKENDS)
    def test_recall_on_real_people(self, backend: str, scene: Scene, detect_scene) -> None:  # noqa: ANN001
        # Arrange / Act
        dets = detect_scene(backend)
        result = score(scene.truth, [d.xyxy for d in dets])

        # Assert
        assert result.visible >= 90  # the scene really asks for people in most frames
        assert result.recall >= MIN_RECALL, f"{backend}: recall {result.found}/{result.visible}"
        assert result.false_positives <= MAX_FALSE_POSITIVES
        assert all(label == "person" for d in dets for label in d.labels)

    def test_backends_agree(self, scene: Scene, detect_scene) -> None:  # noqa: ANN001
        onnx = score(scene.truth, [d.xyxy for d in detect_scene("onnx")])
        torch = score(scene.truth, [d.xyxy for d in detect_scene("ultralytics")])
        assert abs(onnx.found - torch.found) <= 3


class TestTrackIds:
    @pytest.mark.parametrize("backend", BACKENDS)
    @pytest.mark.parametrize("tracker", TRACKERS)
    def test_few_id_switches(self, backend: str, tracker: str, scene: Scene, detect_scene) -> None:  # noqa: ANN001
        # Arrange
        dets = detect_scene(backend)
        trk = make_tracker(tracker)

        # Act
        ids = [trk.update(frame, d) for frame, d in zip(scene.frames, dets)]
        result = score(scene.truth, [d.xyxy for d in dets], ids)

        # Assert: every person is tracked, with (nearly) one id each, and ids are distinct.
        assert set(result.id_switches) == {0, 1, 2}, result
        assert all(n <= MAX_SWITCHES_PER_PERSON for n in result.id_switches.values()), result
        main_ids = [max(set(v), key=v.count) for v in _histories(scene, dets, ids).values()]
        assert len(set(main_ids)) == 3

    @pytest.mark.parametrize("tracker", [k.value for k in TrackerKind])
    def test_empty_frames_keep_no_ids(self, tracker: str, scene: Scene) -> None:
        from vision.detect.detections import Detections

        trk = make_tracker(tracker)
        assert trk.update(scene.frames[0], Detections.empty()) == []
        assert trk.active_tracks == 0


@pytest.mark.parametrize("tracker", ["sort", "ocsort", "botsort", "rf-bytetrack"])
def test_library_trackers_give_ids_in_the_order_boxes_came(tracker: str, scene: Scene) -> None:
    # The trackers package returns boxes in its own order; ids must follow the boxes.
    import numpy as np

    from vision.detect.detections import Detections

    trk = make_tracker(tracker)
    left, right = [20.0, 100.0, 80.0, 300.0], [400.0, 100.0, 460.0, 300.0]
    ids = []
    for frame in range(6):
        dx = 4.0 * frame
        boxes = [[left[0] + dx, 100.0, left[2] + dx, 300.0], [right[0] - dx, 100.0, right[2] - dx, 300.0]]
        order = [0, 1] if frame % 2 == 0 else [1, 0]  # the same two people, listed both ways
        dets = Detections(np.array([boxes[i] for i in order], np.float32), np.array([0.8, 0.8], np.float32),
                          ("person", "person"))
        got = trk.update(scene.frames[0], dets, timestamp=frame / 5)
        ids.append({order[i]: got[i] for i in range(2)})
    confirmed = [by_person for by_person in ids if None not in by_person.values()]
    assert len(confirmed) >= 3
    assert all(by_person == confirmed[0] for by_person in confirmed)
    assert confirmed[0][0] != confirmed[0][1]


def _histories(scene: Scene, dets, ids) -> dict[int, list[int]]:  # noqa: ANN001
    """Per person, the ids given over frames (same matching as score())."""
    import numpy as np

    from vision.track.bytetrack import iou_matrix

    out: dict[int, list[int]] = {}
    for truth, d, frame_ids in zip(scene.truth, dets, ids):
        iou = iou_matrix(np.array([t.xyxy for t in truth]), d.xyxy)
        for g, t in enumerate(truth):
            if t.visible >= 0.7 and iou.shape[1] and iou[g].max() >= 0.5:
                tid = frame_ids[int(iou[g].argmax())]
                if tid is not None:
                    out.setdefault(t.person, []).append(tid)
    return out
