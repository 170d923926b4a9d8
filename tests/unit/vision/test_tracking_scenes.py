"""Trackers on the scenes a store camera sees (vision/track/scenes.py), scored with TrackEval.

The scenes are real photographs of people moved along known paths, so the truth is
exact: ``crossing`` (two people cross, the nearer hides the other completely; a third
is overtaken and hidden), ``reentry`` (a person leaves the frame and comes back 4 s
later), ``standing`` (a person at a shelf for a minute, six others walking past in
front and behind) and ``crowd`` (nine people, up to eight in view, crossing at five
depths). Detection runs once per scene (ONNX, imgsz 640) and every tracker reuses it.

Thresholds come from measured runs (docs/vision.md has the table); each is set where a
real regression fails it:
- recall (IoU >= 0.5, people >= 70 % visible) >= 0.95 on every scene but the crowd,
  measured 0.971-1.0; in the crowd the model returns one box for two overlapping people
  now and then (measured 0.939), so >= 0.90 there.
- DeepSort (the default) and our ByteTrack keep every person's id through ``crossing``:
  0 id switches and one id per person, as measured.
- DeepSort's appearance model also re-identifies the person who comes back in
  ``reentry`` (measured 0 switches, 2 ids for 2 people); motion-only trackers cannot.
- ``standing`` and ``crowd`` switches (measured 4-12) come mostly from boxes the
  detector draws around two overlapping people, which either track may take; there the
  tests hold IDF1 and the number of ids near what was measured (too many ids count one
  person twice, too few merge two people), so that a worse tracker fails.
"""

from __future__ import annotations

import pytest

from vision.track.evaluation import run_tracker, score
from vision.track.trackers import DEFAULT_TRACKER, TrackerKind

MIN_RECALL = {"crossing": 0.95, "reentry": 0.95, "standing": 0.95, "crowd": 0.90}


class TestScenesAreHard:
    """The scenes really contain the cases they are named for."""

    def test_crossing_hides_someone_completely(self, named_scene_detections) -> None:  # noqa: ANN001
        scene, _ = named_scene_detections("crossing")
        assert min(box.visible for frame in scene.truth for box in frame) < 0.05

    def test_reentry_leaves_the_frame_for_seconds(self, named_scene_detections) -> None:  # noqa: ANN001
        scene, _ = named_scene_detections("reentry")
        present = [any(box.person == 0 for box in frame) for frame in scene.truth]
        gone = [i for i, here in enumerate(present) if not here]
        assert present[0] and present[-1] and len(gone) >= 3 * scene.fps

    def test_standing_person_stays_a_minute_and_is_hidden(self, named_scene_detections) -> None:  # noqa: ANN001
        scene, _ = named_scene_detections("standing")
        standing = [next(b for b in frame if b.person == 0) for frame in scene.truth]
        assert len(standing) / scene.fps >= 60 and len({b.xyxy for b in standing}) == 1
        assert min(b.visible for b in standing) < 0.2

    def test_crowd_has_eight_in_view(self, named_scene_detections) -> None:  # noqa: ANN001
        scene, _ = named_scene_detections("crowd")
        assert max(sum(b.visible >= 0.5 for b in frame) for frame in scene.truth) >= 8


@pytest.mark.parametrize("name", list(MIN_RECALL))
def test_detection_recall(name: str, named_scene_detections) -> None:  # noqa: ANN001
    scene, dets = named_scene_detections(name)
    result = score(scene.truth, [d.xyxy for d in dets])
    assert result.recall >= MIN_RECALL[name], f"{name}: recall {result.found}/{result.visible}"


@pytest.mark.parametrize("tracker", sorted({DEFAULT_TRACKER.value, "deepsort", "bytetrack"}))
def test_ids_hold_through_a_crossing(tracker: str, named_scene_detections) -> None:  # noqa: ANN001
    scene, dets = named_scene_detections("crossing")
    result = run_tracker("crossing", scene, dets, tracker).tracking
    assert result.id_switches == 0, result
    assert result.track_ids == result.people == 3, result


def test_deepsort_knows_a_person_who_comes_back(named_scene_detections) -> None:  # noqa: ANN001
    scene, dets = named_scene_detections("reentry")
    result = run_tracker("reentry", scene, dets, "deepsort").tracking
    assert result.id_switches == 0 and result.track_ids == result.people == 2, result


@pytest.mark.parametrize(("tracker", "name", "min_idf1", "ids"), [
    ("deepsort", "reentry", 0.95, (2, 2)),  # measured IDF1 0.982, 2 ids for 2 people
    ("deepsort", "standing", 0.85, (5, 8)),  # 0.901, 6 ids for 7 (two look-alikes merged)
    ("deepsort", "crowd", 0.78, (7, 10)),  # 0.823, 8 for 9
    ("bytetrack", "reentry", 0.78, (2, 3)),  # 0.817, 3 for 2 (a new id on return)
    ("bytetrack", "standing", 0.88, (7, 12)),  # 0.930, 11 for 7
    ("bytetrack", "crowd", 0.80, (9, 11)),  # 0.840, 9 for 9
])
def test_trackers_on_the_hard_scenes(tracker: str, name: str, min_idf1: float, ids: tuple[int, int],
                                     named_scene_detections) -> None:  # noqa: ANN001
    scene, dets = named_scene_detections(name)
    result = run_tracker(name, scene, dets, tracker).tracking
    assert result.idf1 >= min_idf1, result
    assert ids[0] <= result.track_ids <= ids[1], result


@pytest.mark.parametrize("tracker", [k.value for k in TrackerKind if k.value != "deepsort"])
def test_every_motion_tracker_runs_and_scores(tracker: str, named_scene_detections) -> None:  # noqa: ANN001
    # The comparison in docs/vision.md is only fair if each tracker really tracks here.
    scene, dets = named_scene_detections("crossing")
    result = run_tracker("crossing", scene, dets, tracker).tracking
    assert result.mota > 0.7 and result.hota > 0.6, result
