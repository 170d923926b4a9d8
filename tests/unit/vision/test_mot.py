"""MOTChallenge sequence folders: read as a camera and as ground truth for `rva vision eval`.

A sequence is written from the ``crossing`` scene (lossless PNG frames, gt.txt from its
exact truth), so reading it back must give the same truth, and scoring a tracker on the
folder must give exactly the scores of the same tracker on the scene in memory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vision.detect.detections import DetectorConfig
from vision.detect.load import load_detector
from vision.errors import SourceError
from vision.sources.mot import read_mot_sequence
from vision.sources.video import open_source
from vision.track.evaluation import run_tracker
from vision.track.scenes import Scene


def write_sequence(scene: Scene, folder: Path, extra_rows: tuple[str, ...] = ()) -> Path:
    """``scene`` in MOTChallenge layout: seqinfo.ini, img1/NNNNNN.png, gt/gt.txt."""
    import cv2

    (folder / "img1").mkdir(parents=True)
    (folder / "gt").mkdir()
    (folder / "seqinfo.ini").write_text(
        f"[Sequence]\nname={folder.name}\nimDir=img1\nframeRate={scene.fps:g}\nseqLength={len(scene.frames)}\n")
    for index, frame in enumerate(scene.frames, start=1):
        cv2.imwrite(str(folder / "img1" / f"{index:06d}.png"), frame)
    rows = [f"{index},{box.person + 1},{box.xyxy[0]},{box.xyxy[1]},{box.xyxy[2] - box.xyxy[0]},"
            f"{box.xyxy[3] - box.xyxy[1]},1,1,{box.visible}"
            for index, boxes in enumerate(scene.truth, start=1) for box in boxes]
    (folder / "gt" / "gt.txt").write_text("\n".join([*rows, *extra_rows]) + "\n")
    return folder


@pytest.fixture(scope="module")
def crossing(named_scene_detections):  # noqa: ANN001, ANN201
    return named_scene_detections("crossing")


def test_truth_reads_back(crossing, tmp_path: Path) -> None:  # noqa: ANN001
    scene, _ = crossing
    # A distractor (class 8) is an ignored region; a car (class 3) and a mark-0 row are left out.
    folder = write_sequence(scene, tmp_path / "SEQ-01", extra_rows=(
        "5,90,10,10,30,80,1,8,1.0", "5,91,300,200,120,60,1,3,1.0", "6,92,10,10,30,80,0,1,1.0"))
    read = read_mot_sequence(folder)
    assert read.fps == scene.fps and len(read.frames) == len(scene.frames)
    assert (read.frames[7] == scene.frames[7]).all()
    for got, want in zip(read.truth, scene.truth):
        people = [b for b in got if not b.ignore]
        assert [(b.person - 1, b.xyxy, b.visible) for b in people] == [
            (b.person, pytest.approx(b.xyxy), pytest.approx(b.visible)) for b in want]
    assert [(b.person, b.ignore) for b in read.truth[4] if b.person >= 90] == [(90, True)]
    assert not [b for b in read.truth[5] if b.person == 92]


def test_scores_on_the_folder_equal_the_scores_in_memory(crossing, tmp_path: Path) -> None:  # noqa: ANN001
    scene, dets = crossing
    read = read_mot_sequence(write_sequence(scene, tmp_path / "SEQ-02"))
    detector = load_detector(DetectorConfig(backend="onnx"))
    read_dets = [detector.detect(frame) for frame in read.frames]
    for tracker in ("bytetrack", "sort"):
        in_memory = run_tracker("crossing", scene, dets, tracker, min_visible=0.0)
        on_disk = run_tracker("SEQ-02", read, read_dets, tracker, min_visible=0.0)
        assert on_disk.tracking == in_memory.tracking, tracker
        assert on_disk.detection == in_memory.detection, tracker


def test_a_sequence_folder_is_a_camera(crossing, tmp_path: Path) -> None:  # noqa: ANN001
    scene, _ = crossing
    source = open_source(str(write_sequence(scene, tmp_path / "SEQ-03")))
    assert (source.name, source.fps, source.total_frames) == ("SEQ-03", scene.fps, len(scene.frames))
    first = next(iter(source.frames()))
    assert (first.image == scene.frames[0]).all()


@pytest.mark.parametrize(("damage", "message"), [
    (lambda f: (f / "gt" / "gt.txt").unlink(), "no gt/gt.txt"),
    (lambda f: (f / "gt" / "gt.txt").write_text("1,1,10,10,30,80,1,1,1.0\n2,one,10,10,30,80,1,1,1.0\n"),
     "gt.txt: line 2: not MOTChallenge ground truth"),
    (lambda f: [p.unlink() for p in (f / "img1").iterdir()], "no images"),
])
def test_broken_sequences_are_one_line_errors(damage, message: str, crossing, tmp_path: Path) -> None:  # noqa: ANN001
    scene, _ = crossing
    folder = write_sequence(Scene(scene.frames[:3], scene.truth[:3], scene.fps), tmp_path / "SEQ-04")
    damage(folder)
    with pytest.raises(SourceError, match=message):
        read_mot_sequence(folder)
