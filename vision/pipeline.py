"""One camera's loop: decode -> sample -> detect -> track -> serialize -> sink.

:class:`CameraRunner` times each stage per frame (for the benchmark and /metrics);
:func:`run_cameras` runs several cameras from one config, one thread each, sharing
the detector (behind a lock) and the sink.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from vision.detect.detections import Detections, Detector
from vision.errors import SourceError, VisionError
from vision.events import BBox, FrameEvent, SourceRef, TrackedDetection, end_of_stream
from vision.metrics import Metrics
from vision.publish.annotate import VideoAnnotator
from vision.publish.sinks import Sink
from vision.retry import Backoff
from vision.sources.sampling import FrameSampler
from vision.sources.video import DEFAULT_FOLDER_FPS, Frame, FrameSource, LiveStreamSource, open_source
from vision.track.trackers import Tracker

log = logging.getLogger(__name__)
STAGES = ("decode", "detect", "track", "serialize", "send")


@dataclass(frozen=True)
class CameraSpec:
    """One camera to run.

    Attributes:
        store_id: Store the camera is in.
        camera_id: Camera; also the Pulsar message key.
        src: Video file, image folder, stream URL or webcam number.
        stream_id: Stream name in events; default ``<camera_id>/<file or folder name>``
            for files, ``<camera_id>/live-<start time>`` for live sources.
        stride: Process every Nth decoded frame.
        fps: Process at most this many frames per second (after the stride).
        folder_fps: Frame rate of an image folder.
        start: Capture time of frame 0 of a file or folder (default: now).
        max_frames: Stop after this many processed frames.
    """

    store_id: str
    camera_id: str
    src: str
    stream_id: str | None = None
    stride: int = 1
    fps: float | None = None
    folder_fps: float = DEFAULT_FOLDER_FPS
    start: datetime | None = None
    max_frames: int | None = None


@dataclass
class StageTimer:
    """Seconds spent in each stage, summed over processed frames."""

    totals: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    frames: int = 0

    def ms_per_frame(self) -> dict[str, float]:
        return {k: 1000 * v / max(1, self.frames) for k, v in self.totals.items()}


@dataclass
class RunStats:
    """What one camera did."""

    camera_id: str
    stream_id: str
    frames_read: int = 0
    frames_processed: int = 0
    detections: int = 0
    track_ids: set[int] = field(default_factory=set)
    timer: StageTimer = field(default_factory=StageTimer)
    wall_s: float = 0.0


class LockedDetector:
    """Serializes calls to a detector shared by camera threads."""

    def __init__(self, detector: Detector) -> None:
        self.inner = detector
        self.spec = detector.spec
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> Detections:
        with self._lock:
            return self.inner.detect(image)


def tracked(dets: Detections, ids: list[int | None]) -> list[TrackedDetection]:
    """Detections with their track ids, as they go into events."""
    return [TrackedDetection(det_id=i, label=dets.labels[i], bbox=BBox(*(float(v) for v in dets.xyxy[i])),
                             conf=float(dets.conf[i]), track_id=ids[i]) for i in range(len(dets))]


class CameraRunner:
    """Runs one camera until its source ends (files) or fails for good (live).

    Args:
        camera: What to run.
        detector: Shared detector.
        tracker: This camera's own tracker (ids are per stream).
        sink: Where events go.
        metrics: Prometheus metrics of the run.
        source: An opened source (default: opened from ``camera.src``).
        annotator: Writes an annotated video when given.
        on_frame: Called after each decoded frame with (frames read, total or None).
        backoff: Reconnect policy for live sources.
        stop: Set to end the loop after the current frame.
        snapshot_dir: Save the stream's first processed frame here, people blurred
            (vision/publish/snapshot.py); None saves none.
        close_after_s: When the stream ends (the file is done, the camera is stopped or
            given up), send an end-of-stream frame this far ahead of its last frame
            (vision.events.end_of_stream), so Gold closes what it left open; None sends none.
    """

    def __init__(self, camera: CameraSpec, detector: Detector, tracker: Tracker, sink: Sink,
                 metrics: Metrics | None = None, source: FrameSource | None = None,
                 annotator: VideoAnnotator | None = None,
                 on_frame: Callable[[int, int | None], None] | None = None,
                 backoff: Backoff = Backoff(), stop: threading.Event | None = None,
                 snapshot_dir: Path | None = None, close_after_s: float | None = None) -> None:
        self.camera = camera
        self.detector = detector
        self.tracker = tracker
        self.sink = sink
        self.metrics = metrics or Metrics()
        self.source = source or open_source(camera.src, start=camera.start, folder_fps=camera.folder_fps,
                                            backoff=backoff)
        if isinstance(self.source, LiveStreamSource):
            self.source.on_reconnect = self.metrics.reconnects.labels(camera.camera_id).inc
        self.annotator = annotator
        self.on_frame = on_frame
        self.stop = stop or threading.Event()
        self.snapshot_dir = snapshot_dir
        self.close_after_s = close_after_s
        self.last_event: FrameEvent | None = None
        self.sampler = FrameSampler(stride=camera.stride, target_fps=camera.fps)
        self.started = datetime.now().astimezone()
        stream_id = camera.stream_id or (
            f"{camera.camera_id}/live-{self.started:%Y%m%dT%H%M%S%z}" if self.source.live
            else f"{camera.camera_id}/{self.source.name}")
        self.ref = SourceRef(camera.store_id, camera.camera_id, stream_id)

    def run(self) -> RunStats:
        """Process frames until the source ends; returns counts and stage times.

        Raises:
            SourceError: The source cannot be read (a live one: after its retry budget).
        """
        stats = RunStats(self.camera.camera_id, self.ref.stream_id)
        t_start = time.perf_counter()
        try:
            self._process(stats)
        except SourceError:
            self._announce_end()  # a live stream given up after its retry budget
            raise
        finally:
            self.source.close()
            if self.annotator is not None:
                self.annotator.close()
        self._announce_end()  # the file or folder is done, or the camera was stopped
        stats.wall_s = time.perf_counter() - t_start
        return stats

    def _announce_end(self) -> None:
        if self.close_after_s is None or self.last_event is None:
            return
        now = datetime.now(timezone.utc) if self.source.live else None
        self.sink.write(end_of_stream(self.last_event, self.close_after_s, now).to_json(), self.camera.camera_id)

    def _process(self, stats: RunStats) -> None:
        """Read, detect, track and send until the source ends, the stop is set or
        max_frames is reached."""
        cam = self.camera.camera_id
        m = self.metrics
        timer = stats.timer
        first_ts: datetime | None = None
        frames = self.source.frames()
        while not self.stop.is_set():
            t0 = time.perf_counter()
            frame = next(frames, None)
            t_decode = time.perf_counter() - t0
            if frame is None:
                break
            stats.frames_read += 1
            m.frames_read.labels(cam).inc()
            if self.on_frame is not None:
                self.on_frame(stats.frames_read, self.source.total_frames)
            first_ts = first_ts or frame.capture_ts
            if not self.sampler.keep(frame.index, (frame.capture_ts - first_ts).total_seconds()):
                m.frames_dropped.labels(cam).inc()
                timer.totals["decode"] += t_decode
                continue
            t1 = time.perf_counter()
            dets = self.detector.detect(frame.image)
            t2 = time.perf_counter()
            if self.snapshot_dir is not None and stats.frames_processed == 0:
                self._save_snapshot(frame, dets)
            ids = self.tracker.update(frame.image, dets, timestamp=frame.capture_ts.timestamp())
            t3 = time.perf_counter()
            items = tracked(dets, ids)
            event = FrameEvent(self.ref, frame.index, frame.capture_ts, frame.width, frame.height, tuple(items))
            payload = event.to_json()
            t4 = time.perf_counter()
            self.sink.write(payload, cam)
            self.last_event = event
            t5 = time.perf_counter()
            if self.annotator is not None:
                self.annotator.write(frame.image, items)
            for stage, seconds in zip(STAGES, (t_decode, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                timer.totals[stage] += seconds
                m.stage_ms.labels(cam, stage).observe(seconds * 1000)
            timer.frames += 1
            stats.frames_processed += 1
            stats.detections += len(items)
            stats.track_ids.update(i for i in ids if i is not None)
            m.frames_processed.labels(cam).inc()
            m.track_count.labels(cam).set(self.tracker.active_tracks)
            if self.camera.max_frames is not None and stats.frames_processed >= self.camera.max_frames:
                break

    def _save_snapshot(self, frame: Frame, dets: Detections) -> None:
        """The reference picture; a failure to write it is logged, never fatal to the camera."""
        from vision.publish.snapshot import save_snapshot

        try:
            save_snapshot(self.snapshot_dir, self.ref, frame.index, frame.capture_ts,  # type: ignore[arg-type]
                          frame.image, dets.xyxy)
        except OSError as err:
            log.warning("%s: no snapshot saved (%s)", self.camera.camera_id, err)


@dataclass
class CameraOutcome:
    """A camera thread's result: stats, or the error that ended it."""

    camera_id: str
    stats: RunStats | None = None
    error: VisionError | None = None


def run_cameras(runners: Sequence[CameraRunner]) -> list[CameraOutcome]:
    """Run cameras in parallel threads; one camera failing does not stop the others.

    Returns:
        One outcome per runner, in order.
    """
    outcomes = [CameraOutcome(r.camera.camera_id) for r in runners]

    def work(runner: CameraRunner, outcome: CameraOutcome) -> None:
        try:
            outcome.stats = runner.run()
        except VisionError as err:
            if len(runners) > 1:
                log.error("camera %s stopped: %s", runner.camera.camera_id, err)
            outcome.error = err

    if len(runners) == 1:
        work(runners[0], outcomes[0])
        return outcomes
    threads = [threading.Thread(target=work, args=(r, o), name=f"camera-{r.camera.camera_id}", daemon=True)
               for r, o in zip(runners, outcomes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
