"""`rva vision`, `rva vision eval` and `rva replay`: plain functions with typer annotations.

rva/cli.py registers them; ``rva-vision`` (``python -m vision``) runs them standalone as
``rva-vision --src ...``, ``rva-vision eval`` and ``rva-vision replay``. Heavy imports
happen inside the functions, so importing this module is cheap. ``vision`` is the
callback of the ``vision_app`` group (so ``rva vision --src ...`` runs a camera) and
can also be called as a plain function.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from vision.errors import CameraConfigError, SourceError, VisionError, run_reporting_errors
from vision.track.trackers import DEFAULT_TRACKER

if TYPE_CHECKING:
    from vision.metrics import Metrics
    from vision.publish.pulsar_sink import PulsarSink



# Standalone (`python -m vision`, `rva-vision`) the producer knows nothing of the lakehouse:
# Pulsar's address and topic are options. `rva vision` fills them in from infra/stack.yaml
# (rva/cli.py's default_map), so the stack's settings stay written once.
STANDALONE_SPOOL = Path("~/.local/state/rva-vision/spool")


def stack_defaults(service_url: str, admin_url: str, topic: str, spool_dir: Path,
                   live_metrics_port: int) -> dict[str, object]:
    """A typer ``default_map`` for `vision` and `replay` from a lakehouse stack's settings."""
    return {"pulsar_url": service_url, "admin_url": admin_url, "topic": topic, "spool_dir": str(spool_dir),
            "live_metrics_port": live_metrics_port}


def _class_list(values: list[str] | None) -> tuple[str, ...]:
    """``--classes person,car --classes bus`` -> ("person", "car", "bus")."""
    return tuple(name.strip() for value in values or () for name in value.split(",") if name.strip())


def _setup_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="vision: %(levelname)s %(message)s", stream=sys.stderr)


def _parse_start(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise CameraConfigError(f"--start-time: need ISO-8601 like 2026-11-02T09:00:00Z, got {text!r}") from err
    return when if when.tzinfo else when.astimezone()


def _pulsar_sink(pulsar_url: str | None, admin_url: str | None, topic: str | None, spool_dir: Path | None,
                 register: bool, metrics: Metrics) -> PulsarSink:
    from vision.publish.pulsar_sink import PulsarSettings, PulsarSink
    from vision.publish.spool import Spool, spool_path

    missing = [name for name, value in (("--pulsar-url", pulsar_url), ("--topic", topic)) if not value]
    if missing:
        raise CameraConfigError(f"--pulsar: {' and '.join(missing)} needed (`rva vision` takes them from "
                                "infra/stack.yaml)")
    if register and not admin_url:
        raise CameraConfigError("--pulsar: --admin-url needed to register the event schema (or --no-register-schema)")
    spool = Spool(spool_path((spool_dir or STANDALONE_SPOOL).expanduser(), topic))  # type: ignore[arg-type]
    settings = PulsarSettings(service_url=pulsar_url, topic=topic,  # type: ignore[arg-type]
                              admin_url=admin_url if register else None)
    return PulsarSink(settings, spool, metrics=metrics)


def vision(
    ctx: typer.Context = None,  # type: ignore[assignment]  # set by typer; None when called as a function
    src: Annotated[Optional[str], typer.Option(
        help="Video file, image folder, rtsp://|http:// URL or webcam number.")] = None,
    store_id: Annotated[Optional[str], typer.Option(help="Store the camera is in.")] = None,
    camera_id: Annotated[Optional[str], typer.Option(help="Camera id; also the Pulsar message key.")] = None,
    stream_id: Annotated[Optional[str], typer.Option(help="Stream name in events (default: camera/file name).")] = None,
    config: Annotated[Optional[Path], typer.Option(help="Cameras YAML file (several cameras).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Write events to this NDJSON file.")] = None,
    pulsar: Annotated[bool, typer.Option(help="Send events to Pulsar (through the spool).")] = False,
    dry_run: Annotated[bool, typer.Option(help="Print events instead of sending them.")] = False,
    model: Annotated[Optional[str], typer.Option(
        help="ultralytics .pt or YOLO .onnx (default: shipped person model).")] = None,
    backend: Annotated[Optional[str], typer.Option(help="onnx or ultralytics (default: by model file).")] = None,
    tracker: Annotated[str, typer.Option(
        help="deepsort (default), bytetrack, botsort, ocsort, sort or rf-bytetrack (docs/vision.md).")] = DEFAULT_TRACKER.value,
    conf: Annotated[float, typer.Option(help="Minimum detection confidence.")] = 0.25,
    imgsz: Annotated[int, typer.Option(help="Network input size (multiple of 32).")] = 640,
    classes: Annotated[Optional[list[str]], typer.Option(
        "--classes", "--class", help="Keep only these classes: person,car (names from the model; repeatable).")] = None,
    stride: Annotated[int, typer.Option(help="Process every Nth frame.")] = 1,
    fps: Annotated[Optional[float], typer.Option(help="Process at most N frames per second.")] = None,
    folder_fps: Annotated[float, typer.Option(help="Frame rate of an image folder.")] = 25.0,
    start_time: Annotated[Optional[str], typer.Option(
        help="Capture time of frame 0 of a file (ISO-8601; default now).")] = None,
    max_frames: Annotated[Optional[int], typer.Option(help="Stop after N processed frames per camera.")] = None,
    retries: Annotated[int, typer.Option(help="Reconnect attempts in a row before a live stream counts as gone.")] = 8,
    annotate: Annotated[Optional[Path], typer.Option(help="Write an annotated MP4 here (one camera).")] = None,
    blur: Annotated[bool, typer.Option(help="Blur people in the annotated video.")] = False,
    metrics_port: Annotated[Optional[int], typer.Option(
        help="Serve /metrics here (default: --live-metrics-port for live sources, off for files; 0 = off).")] = None,
    live_metrics_port: Annotated[Optional[int], typer.Option(
        help="Default /metrics port of live sources (rva vision: ports.vision_metrics).")] = None,
    pulsar_url: Annotated[Optional[str], typer.Option(
        help="Pulsar service URL (rva vision: the stack's).")] = None,
    admin_url: Annotated[Optional[str], typer.Option(help="Pulsar admin URL (rva vision: the stack's).")] = None,
    topic: Annotated[Optional[str], typer.Option(help="Topic (rva vision: the stack's).")] = None,
    spool_dir: Annotated[Optional[Path], typer.Option(
        help="Spool folder (rva vision: <state_dir>/vision/spool; else ~/.local/state/rva-vision/spool).")] = None,
    register_schema: Annotated[bool, typer.Option(help="Register the event schema on the topic.")] = True,
    snapshot_dir: Annotated[Optional[Path], typer.Option(
        help="Save each camera's first frame here, people blurred (default: snapshots/ beside --out, "
             "or <state_dir>/vision/snapshots with --pulsar).")] = None,
    snapshot: Annotated[bool, typer.Option(help="Save the reference snapshots.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar for files.")] = True,
    close_after: Annotated[float, typer.Option(
        help="When a stream ends, send an end-of-stream frame this many seconds past its last frame, so Gold "
             "closes its windows and visits (0: send none; rva vision: from configs/pipeline.yaml).")] = 66.0,
) -> None:
    """Detect and track people in video; publish one JSON event per processed frame."""
    if ctx is not None and ctx.invoked_subcommand is not None:
        return  # `rva vision eval ...`: the group's own options are not in play
    from vision.config import load_cameras
    from vision.detect.detections import DetectorConfig
    from vision.detect.load import load_detector
    from vision.metrics import Metrics
    from vision.pipeline import CameraRunner, CameraSpec, LockedDetector, run_cameras
    from vision.publish.sinks import FanoutSink, NdjsonSink, PrintSink, Sink
    from vision.retry import Backoff
    from vision.sources.video import open_source
    from vision.track.trackers import make_tracker

    _setup_logging()
    start = _parse_start(start_time)
    det_settings: dict[str, object] = {"model": model, "backend": backend, "conf": conf, "imgsz": imgsz,
                                       "classes": _class_list(classes)}
    if config is not None:
        if src is not None:
            raise CameraConfigError("--src and --config: give one of them")
        parsed = load_cameras(config)
        tracker = parsed.tracker or tracker
        for key, value in parsed.detector.model_dump(exclude_none=True).items():
            det_settings[key] = tuple(value) if key == "classes" else value
        cameras = [CameraSpec(store_id=c.store_id or parsed.store_id or "", camera_id=c.camera_id, src=c.src,
                              stream_id=c.stream_id, stride=c.stride, fps=c.fps or fps,
                              folder_fps=c.folder_fps or folder_fps, start=start,
                              max_frames=c.max_frames or max_frames) for c in parsed.cameras]
    else:
        missing = [f"--{n}" for n, v in (("src", src), ("store-id", store_id), ("camera-id", camera_id)) if not v]
        if missing:
            raise CameraConfigError(f"{', '.join(missing)}: required (or give --config cameras.yaml)")
        cameras = [CameraSpec(store_id=store_id or "", camera_id=camera_id or "", src=src or "", stream_id=stream_id,
                              stride=stride, fps=fps, folder_fps=folder_fps, start=start, max_frames=max_frames)]
    if not (out or pulsar or dry_run):
        raise CameraConfigError("no output: give --out FILE.ndjson, --pulsar or --dry-run")
    if annotate is not None and len(cameras) > 1:
        raise CameraConfigError("--annotate: works with one camera, the config has several")
    if retries < 0:
        raise CameraConfigError(f"--retries: need >= 0, got {retries}")
    if close_after < 0:
        raise CameraConfigError(f"--close-after: need >= 0 seconds, got {close_after}")
    backoff = Backoff(budget=retries)

    # Fail fast on bad input: open every source before loading the model.
    sources = [open_source(c.src, start=c.start, folder_fps=c.folder_fps, backoff=backoff) for c in cameras]
    for cam in cameras:
        if cam.stride < 1:
            raise CameraConfigError(f"--stride: need >= 1, got {cam.stride}")
    detector = LockedDetector(load_detector(DetectorConfig(**det_settings)))  # type: ignore[arg-type]
    metrics = Metrics()
    live = any(s.live for s in sources)
    if metrics_port is None and live:
        metrics_port = live_metrics_port
    port = metrics_port or 0
    if port:
        try:
            metrics.serve(port)
        except OSError as err:
            raise CameraConfigError(f"--metrics-port {port}: cannot serve /metrics ({err.strerror})") from err

    if snapshot and snapshot_dir is None:
        if out is not None:
            snapshot_dir = out.parent / "snapshots"
        elif pulsar:
            snapshot_dir = (spool_dir or STANDALONE_SPOOL).expanduser().parent / "snapshots"
    snapshots = snapshot_dir if snapshot else None

    sinks: list[Sink] = []
    if out is not None:
        sinks.append(NdjsonSink(out))
    if dry_run:
        sinks.append(PrintSink())
    elif pulsar:
        sinks.append(_pulsar_sink(pulsar_url, admin_url, topic, spool_dir, register_schema, metrics))
    sink = FanoutSink(sinks)

    annotator = None
    if annotate is not None:
        from vision.publish.annotate import VideoAnnotator

        annotator = VideoAnnotator(annotate, fps=sources[0].fps or 10.0, blur=blur)

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    show = progress and not dry_run and console.is_terminal and not live
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=console, disable=not show)
    stop = threading.Event()
    runners = []

    def advance(task: TaskID) -> Callable[[int, int | None], None]:
        return lambda done, total: bar.update(task, completed=done, total=total)

    with bar:
        for cam, source in zip(cameras, sources):
            task = bar.add_task(cam.camera_id, total=source.total_frames)
            runners.append(CameraRunner(
                cam, detector, make_tracker(tracker), sink, metrics=metrics, source=source,
                annotator=annotator, backoff=backoff, stop=stop, on_frame=advance(task), snapshot_dir=snapshots,
                close_after_s=close_after or None))
        try:
            outcomes = run_cameras(runners)
        except KeyboardInterrupt:
            stop.set()
            raise
        finally:
            sink.close()
    for outcome in outcomes:
        if outcome.stats is not None:
            s = outcome.stats
            console.print(f"{s.camera_id}: {s.frames_processed}/{s.frames_read} frames, {s.detections} detections, "
                          f"{len(s.track_ids)} tracks, {s.frames_processed / max(s.wall_s, 1e-9):.1f} frames/s "
                          f"-> {s.stream_id}", highlight=False)
    failed = [o for o in outcomes if o.error is not None]
    if failed:
        raise failed[0].error  # type: ignore[misc]


def evaluate(
    scenes: Annotated[Optional[list[str]], typer.Option(
        "--scene", help="crossing, reentry, standing, crowd, or a MOTChallenge sequence folder with gt/ "
                        "(repeatable; default: the four built-in scenes).")] = None,
    trackers: Annotated[Optional[list[str]], typer.Option(
        "--tracker", help="A tracker to score (repeatable; default: all).")] = None,
    model: Annotated[Optional[str], typer.Option(
        help="ultralytics .pt or YOLO .onnx (default: shipped person model).")] = None,
    backend: Annotated[Optional[str], typer.Option(help="onnx or ultralytics (default: by model file).")] = None,
    conf: Annotated[float, typer.Option(help="Minimum detection confidence.")] = 0.25,
    imgsz: Annotated[int, typer.Option(help="Network input size (multiple of 32).")] = 640,
    markdown: Annotated[bool, typer.Option(help="Print a Markdown table (as in docs/vision.md).")] = False,
) -> None:
    """Score trackers on the built-in scenes: HOTA, IDF1, MOTA, id switches (TrackEval)."""
    from vision.detect.detections import DetectorConfig
    from vision.detect.load import load_detector
    from vision.sources.mot import read_mot_sequence
    from vision.track.evaluation import run_tracker
    from vision.track.scenes import SCENES, Scene, named_scene
    from vision.track.trackers import TrackerKind, tracker_kind

    _setup_logging()
    scene_names = scenes or list(SCENES)
    kinds = trackers or [k.value for k in TrackerKind]

    def load(name: str) -> tuple[Scene, float]:
        """The scene and its min_visible: MOTChallenge asks for every pedestrian."""
        if name not in SCENES and Path(name).is_dir():
            return read_mot_sequence(Path(name)), 0.0
        return named_scene(name), 0.5

    loaded = {name: load(name) for name in scene_names}  # bad names fail here, before the model loads
    for kind in kinds:
        tracker_kind(kind)  # raises the one-line error for a name that is not a tracker
    detector = load_detector(DetectorConfig(model=model, backend=backend, conf=conf, imgsz=imgsz))

    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table("scene", "tracker", "HOTA", "IDF1", "MOTA", "IDSW", "ids/people", "recall", "track ms/frame")
    if markdown:
        print("| scene | tracker | HOTA | IDF1 | MOTA | IDSW | ids/people | recall | track ms/frame |")
        print("|---|---|---|---|---|---|---|---|---|")
    for name, (scene, min_visible) in loaded.items():
        dets = [detector.detect(frame) for frame in scene.frames]
        for kind in kinds:
            run = run_tracker(Path(name).name, scene, dets, kind, min_visible=min_visible)
            t, d = run.tracking, run.detection
            cells = (run.scene, kind, f"{t.hota:.3f}", f"{t.idf1:.3f}", f"{t.mota:.3f}", str(t.id_switches),
                     f"{t.track_ids}/{t.people}", f"{d.recall:.3f}", f"{run.ms_per_frame:.1f}")
            if markdown:
                print("| " + " | ".join(cells) + " |", flush=True)
            else:
                table.add_row(*cells)
    if not markdown:
        console.print(table)


def replay(
    file: Annotated[Path, typer.Argument(help="NDJSON events file (from `rva vision --out`).")],
    rate: Annotated[str, typer.Option(help="original (real time), N (N times faster) or max.")] = "original",
    dry_run: Annotated[bool, typer.Option(help="Print events instead of sending them.")] = False,
    pulsar_url: Annotated[Optional[str], typer.Option(help="Pulsar service URL (rva replay: the stack's).")] = None,
    admin_url: Annotated[Optional[str], typer.Option(help="Pulsar admin URL (rva replay: the stack's).")] = None,
    topic: Annotated[Optional[str], typer.Option(help="Topic (rva replay: the stack's).")] = None,
    spool_dir: Annotated[Optional[Path], typer.Option(
        help="Spool folder (rva replay: <state_dir>/vision/spool; else ~/.local/state/rva-vision/spool).")] = None,
    register_schema: Annotated[bool, typer.Option(help="Register the event schema on the topic.")] = True,
) -> None:
    """Re-send recorded events to Pulsar, paced by their capture times."""
    from vision.metrics import Metrics
    from vision.publish.replay import Rate
    from vision.publish.replay import replay as run_replay
    from vision.publish.sinks import PrintSink, Sink

    _setup_logging()
    pace = Rate.parse(rate)
    if not file.is_file():
        raise SourceError(f"{file}: no such events file")
    sink: Sink = PrintSink() if dry_run else _pulsar_sink(
        pulsar_url, admin_url, topic, spool_dir, register_schema, Metrics())
    try:
        count = run_replay(file, sink, pace)
    finally:
        sink.close()
    from rich.console import Console

    Console(stderr=True).print(f"replayed {count} events from {file}", highlight=False)


def main() -> None:
    """``rva-vision`` / ``python -m vision``: run cameras, ``eval`` and ``replay``."""
    app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
    app.callback(invoke_without_command=True)(vision)
    app.command("eval")(evaluate)
    app.command("replay")(replay)
    run_reporting_errors(app)


vision_app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
vision_app.callback(invoke_without_command=True)(vision)
vision_app.command("eval")(evaluate)

__all__ = ["VisionError", "evaluate", "main", "replay", "vision", "vision_app"]
