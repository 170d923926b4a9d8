"""`rva vision` / `rva replay` end to end: real video in, NDJSON out, and every bad input.

Bad inputs run the CLI as a user would (``python -m vision``) and check for a one-line
error and exit code 2, before any model is loaded where possible.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from vision.cli import vision
from vision.publish.schema_registry import JSON_SCHEMA
from vision.track.embedder import mobilenet_graph, read_state_dict, shipped_weights
from vision.track.scenes import Scene

START = "2026-11-02T09:00:00Z"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vision", *args], capture_output=True, text=True, timeout=120)


def run_vision(src: Path, out: Path, **kwargs: object) -> list[dict]:
    kwargs.setdefault("start_time", START)
    vision(src=str(src), store_id="store_001", camera_id="cam_01", out=out, progress=False,
           metrics_port=0, **kwargs)  # type: ignore[arg-type]
    return frames_of(out.read_text())


def frames_of(ndjson: str) -> list[dict]:
    """The frame events, less the end-of-stream frame the producer sends last."""
    events = [json.loads(line) for line in ndjson.splitlines()]
    assert [e.get("end_of_stream", False) for e in events].count(True) == 1 and events[-1]["end_of_stream"]
    return events[:-1]


class TestVisionCommand:
    def test_video_to_ndjson(self, scene_video: Path, scene: Scene, tmp_path: Path) -> None:
        # Act
        events = run_vision(scene_video, tmp_path / "a.ndjson", tracker="bytetrack", stride=2)

        # Assert: one valid event per processed frame, times from the file's 10 FPS.
        schema = json.loads(JSON_SCHEMA.read_text())
        for event in events:
            jsonschema.validate(event, schema)
        assert [e["frame_index"] for e in events] == list(range(0, len(scene.frames), 2))
        assert events[1]["capture_ts"] == "2026-11-02T09:00:00.200Z"
        assert events[0]["source"] == {"store_id": "store_001", "camera_id": "cam_01", "stream_id": "cam_01/aisle"}
        assert sum(len(e["detections"]) for e in events) >= 2 * len(events)
        tracks = {d["track_id"] for e in events for d in e["detections"] if d["track_id"] is not None}
        assert 3 <= len(tracks) <= 4

    def test_replayed_video_keeps_event_ids(self, scene_video: Path, tmp_path: Path) -> None:
        first = run_vision(scene_video, tmp_path / "1.ndjson", tracker="bytetrack", max_frames=5)
        second = run_vision(scene_video, tmp_path / "2.ndjson", tracker="bytetrack", max_frames=5,
                            start_time="2027-01-01T00:00:00Z")
        assert [e["event_id"] for e in first] == [e["event_id"] for e in second]
        assert len({e["event_id"] for e in first}) == 5

    def test_annotate_and_config(self, scene_video: Path, tmp_path: Path) -> None:
        import cv2

        config = tmp_path / "cameras.yaml"
        config.write_text(f"store_id: s9\ntracker: bytetrack\ncameras:\n"
                          f"  - {{camera_id: cam_a, src: '{scene_video}', max_frames: 4}}\n")
        out = tmp_path / "c.ndjson"
        vision(config=config, out=out, annotate=tmp_path / "ann.mp4", blur=True, progress=False, metrics_port=0)
        events = frames_of(out.read_text())
        assert [e["source"]["camera_id"] for e in events] == ["cam_a"] * 4
        cap = cv2.VideoCapture(str(tmp_path / "ann.mp4"))
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 4

    def test_dry_run_prints(self, scene_video: Path, capsys: pytest.CaptureFixture[str]) -> None:
        vision(src=str(scene_video), store_id="s", camera_id="c", dry_run=True, tracker="bytetrack",
               max_frames=2, progress=False, metrics_port=0)
        lines = frames_of(capsys.readouterr().out)
        assert [e["frame_index"] for e in lines] == [0, 1]


class TestBadInput:
    @pytest.mark.parametrize("args, message", [
        pytest.param(["--src", "{tmp}/missing.mp4"], "missing.mp4: no such video file", id="missing-file"),
        pytest.param(["--src", "{tmp}/junk.mp4"], "junk.mp4: not a video OpenCV can decode", id="not-video"),
        pytest.param(["--src", "{tmp}"], "no images", id="empty-folder"),
        pytest.param(["--src", "{video}", "--model", "{tmp}/m.tflite"], "unsupported model file '.tflite'",
                     id="model-kind"),
        pytest.param(["--src", "{video}", "--model", "{tmp}/nope.pt"], "nope.pt: no such model file",
                     id="model-missing"),
        pytest.param(["--src", "{video}", "--model", "{tmp}/junk.onnx"], "junk.onnx: not a loadable ONNX model",
                     id="model-junk"),
        pytest.param(["--src", "{video}", "--model", "{tmp}/embedder.onnx", "--imgsz", "224"],
                     "embedder.onnx: output shape ['n', 1280] is not a YOLO detection head", id="model-not-a-detector"),
        pytest.param(["--src", "{tmp}/frames"], "000001.jpg: not an image OpenCV can decode", id="unreadable-frames"),
        pytest.param(["--src", "{tmp}/mot"], "seqinfo.ini: unreadable", id="unreadable-mot-folder"),
        pytest.param(["--config", "{tmp}/bad.yaml"], "bad.yaml: cameras.0.camera_id: Field required", id="config"),
        pytest.param(["--src", "http://127.0.0.1:9/cam.mjpg", "--retries", "1"], "stream unreachable after 1 retries",
                     id="unreachable-stream"),
        pytest.param(["--src", "rtsp://127.0.0.1:9/cam", "--retries", "1"],
                     "rtsp://127.0.0.1:9/cam: stream unreachable after 1 retries", id="unreachable-rtsp"),
        pytest.param(["--src", "{video}", "--tracker", "kalman"], "tracker: need one of deepsort, bytetrack", id="tracker"),
        pytest.param(["--src", "{video}", "--imgsz", "500"], "imgsz: need a multiple of 32", id="imgsz"),
        pytest.param(["--src", "{video}", "--classes", "person,car"],
                     "--classes: car: not a class of best_fp16.onnx (it has person)", id="unknown-class"),
    ])
    def test_one_line_error_and_exit_2(self, args: list[str], message: str, tmp_path: Path, scene_video: Path) -> None:
        # Arrange
        (tmp_path / "junk.mp4").write_bytes(b"junk" * 1000)
        (tmp_path / "m.tflite").write_bytes(b"x")
        (tmp_path / "bad.yaml").write_text("store_id: s\ncameras:\n  - src: a.mp4\n")
        (tmp_path / "junk.onnx").write_bytes(b"junk")
        # A real ONNX model that is no detector: DeepSort's appearance network.
        (tmp_path / "embedder.onnx").write_bytes(mobilenet_graph(read_state_dict(shipped_weights())))
        (tmp_path / "frames").mkdir()
        (tmp_path / "frames" / "000001.jpg").write_bytes(b"not a jpeg")
        (tmp_path / "mot" / "img1").mkdir(parents=True)
        (tmp_path / "mot" / "seqinfo.ini").write_text("[Sequence]\nname=X\nframeRate=abc\n")
        filled = [a.format(tmp=tmp_path, video=scene_video) for a in args]
        if "--config" not in filled:
            filled += ["--store-id", "s", "--camera-id", "c"]

        # Act
        result = run_cli(*filled, "--out", str(tmp_path / "out.ndjson"), "--metrics-port", "0")

        # Assert
        assert result.returncode == 2, result.stderr
        assert message in result.stderr.replace("\n", "")
        lines = result.stderr.splitlines()
        assert lines[-1].startswith("error: ")  # the error is one line, and the last
        assert all(line.startswith("vision: WARNING") for line in lines[:-1])  # retries; no decoder chatter
        assert "Traceback" not in result.stderr

    def test_no_output_chosen(self, scene_video: Path) -> None:
        result = run_cli("--src", str(scene_video), "--store-id", "s", "--camera-id", "c")
        assert result.returncode == 2 and "no output: give --out FILE.ndjson, --pulsar or --dry-run" in result.stderr


class TestReplayCommand:
    def test_dry_run_and_bad_rate(self, tmp_path: Path) -> None:
        events = tmp_path / "e.ndjson"
        events.write_text('{"source":{"camera_id":"c"},"capture_ts":"2026-11-02T09:00:00.000Z"}\nnot json\n')
        ok = run_cli("replay", str(events), "--dry-run", "--rate", "max")
        assert ok.returncode == 0 and ok.stdout.splitlines()[1] == "not json"
        bad = run_cli("replay", str(events), "--rate", "fast")
        assert bad.returncode == 2 and "--rate: need original, max or a number > 0, got 'fast'" in bad.stderr
        missing = run_cli("replay", str(tmp_path / "none.ndjson"), "--dry-run")
        assert missing.returncode == 2 and "none.ndjson: no such events file" in missing.stderr


class TestEvalCommand:
    def test_prints_the_scores_of_each_tracker(self, named_scene_detections) -> None:  # noqa: ANN001
        from vision.track.evaluation import run_tracker

        # Act
        result = run_cli("eval", "--scene", "crossing", "--tracker", "bytetrack", "--tracker", "sort",
                         "--backend", "onnx", "--markdown")

        # Assert: the rows hold what run_tracker computes on the same detections.
        assert result.returncode == 0, result.stderr
        rows = {cells[1]: cells for cells in (line.split(" | ") for line in result.stdout.splitlines()[2:])}
        assert set(rows) == {"bytetrack", "sort"}
        scene, dets = named_scene_detections("crossing")
        for tracker, cells in rows.items():
            expected = run_tracker("crossing", scene, dets, tracker).tracking
            assert cells[2:6] == [f"{expected.hota:.3f}", f"{expected.idf1:.3f}", f"{expected.mota:.3f}",
                                  str(expected.id_switches)]

    def test_scores_a_motchallenge_folder(self, named_scene_detections, tmp_path: Path) -> None:  # noqa: ANN001
        from tests.unit.vision.test_mot import write_sequence
        from vision.track.evaluation import run_tracker
        from vision.track.scenes import Scene

        scene, dets = named_scene_detections("crossing")
        short = Scene(scene.frames[:20], scene.truth[:20], scene.fps)
        folder = write_sequence(short, tmp_path / "MOT-X")
        result = run_cli("eval", "--scene", str(folder), "--tracker", "bytetrack", "--markdown")
        assert result.returncode == 0, result.stderr
        cells = result.stdout.splitlines()[2].split(" | ")
        expected = run_tracker("MOT-X", short, dets[:20], "bytetrack", min_visible=0.0).tracking
        assert cells[0] == "| MOT-X" and cells[2:6] == [f"{expected.hota:.3f}", f"{expected.idf1:.3f}",
                                                        f"{expected.mota:.3f}", str(expected.id_switches)]

    @pytest.mark.parametrize(("args", "message"), [
        (["--scene", "aisle"],
         "--scene: need one of crossing, reentry, standing, crowd or a MOTChallenge sequence folder, got 'aisle'"),
        (["--tracker", "kalman"], "tracker: need one of deepsort, bytetrack"),
    ])
    def test_bad_names_are_one_line_errors(self, args: list[str], message: str) -> None:
        result = run_cli("eval", *args)
        assert result.returncode == 2 and message in result.stderr
        assert len(result.stderr.splitlines()) == 1


class TestStandalone:
    """The producer needs nothing of the lakehouse side; `rva vision` adds the stack's settings."""

    def test_runs_with_rva_unimportable(self, scene_video: Path, tmp_path: Path) -> None:
        code = ("import sys\n"
                "sys.modules['rva'] = None  # any import of rva now fails\n"
                "from vision.cli import main\n"
                f"sys.argv = ['vision', '--src', {str(scene_video)!r}, '--store-id', 's', '--camera-id', "
                f"'c', '--out', {str(tmp_path / 'e.ndjson')!r}, '--max-frames', '3', '--tracker', 'bytetrack']\n"
                "main()\n")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert [e["frame_index"] for e in frames_of((tmp_path / "e.ndjson").read_text())] == [0, 1, 2]

    def test_standalone_pulsar_needs_its_address(self, scene_video: Path) -> None:
        result = run_cli("--src", str(scene_video), "--store-id", "s", "--camera-id", "c", "--pulsar")
        assert result.returncode == 2
        assert result.stderr.strip() == ("error: --pulsar: --pulsar-url and --topic needed "
                                         "(`rva vision` takes them from infra/stack.yaml)")

    def test_rva_vision_takes_pulsar_settings_from_the_stack(self, scene_video: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
        from typer.testing import CliRunner

        import vision.cli
        from rva.cli import app, end_of_stream_s
        from rva.config import load_stack_config
        from vision.publish.sinks import NdjsonSink

        asked: list[tuple[object, ...]] = []

        def capture(pulsar_url, admin_url, topic, spool_dir, register, metrics):  # noqa: ANN001, ANN202
            asked.append((pulsar_url, admin_url, topic, Path(spool_dir)))
            return NdjsonSink(tmp_path / "e.ndjson")

        monkeypatch.setattr(vision.cli, "_pulsar_sink", capture)
        result = CliRunner().invoke(app, ["vision", "--src", str(scene_video), "--store-id", "s", "--camera-id", "c",
                                          "--pulsar", "--max-frames", "1", "--tracker", "bytetrack",
                                          "--no-snapshot"])
        assert result.exit_code == 0, result.output
        cfg = load_stack_config()
        assert asked == [(cfg.pulsar_service_url, f"http://127.0.0.1:{cfg.ports.pulsar_admin}", cfg.names.topic,
                          cfg.state_dir / "vision" / "spool")]
        # the end-of-stream frame goes as far as configs/pipeline.yaml makes Gold wait
        frame, end = (json.loads(line) for line in (tmp_path / "e.ndjson").read_text().splitlines())
        gap = datetime.fromisoformat(end["capture_ts"][:-1]) - datetime.fromisoformat(frame["capture_ts"][:-1])
        assert end["end_of_stream"] and gap.total_seconds() == end_of_stream_s()

    def test_the_standalone_default_is_what_the_pipeline_needs(self) -> None:
        """rva-vision's --close-after default (written once in vision/cli.py, which cannot
        read configs/pipeline.yaml at the edge) equals what the pipeline config asks."""
        import inspect

        from rva.cli import end_of_stream_s

        assert inspect.signature(vision).parameters["close_after"].default == end_of_stream_s()
