"""Frames per second and milliseconds per stage of the vision producer on this machine.

For each detection backend (ONNX Runtime, ultralytics/PyTorch), input size (640, 416)
and tracker (DeepSort, ByteTrack), runs the real producer loop (vision.pipeline) over a
640x360 video of real people (vision.track.scenes) and prints one Markdown table row:
decode, detect, track, serialize and send milliseconds per frame, and frames/s.

    python benchmarks/vision.py                 # events to an NDJSON file
    python benchmarks/vision.py --sink pulsar   # events through the spool to the stack's Pulsar

"send" is what the camera loop pays: a file write, or a spool append (the broker is fed by
a background thread; its acknowledgement latency is printed separately).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and this file would shadow
# the `vision` package it measures.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from vision.detect.detections import DetectorConfig  # noqa: E402
from vision.detect.load import load_detector  # noqa: E402
from vision.metrics import Metrics  # noqa: E402
from vision.pipeline import CameraRunner, CameraSpec  # noqa: E402
from vision.publish.sinks import NdjsonSink, Sink  # noqa: E402
from vision.track.scenes import render_scene  # noqa: E402
from vision.track.trackers import make_tracker  # noqa: E402

CONFIGS = [(backend, imgsz) for backend in ("onnx", "ultralytics") for imgsz in (640, 416)]
TRACKERS = ("deepsort", "bytetrack")
WARMUP = 3


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB, Python {platform.python_version()}"


def pulsar_sink(tmp: Path, metrics: Metrics) -> Sink:
    from rva.config import load_stack_config
    from vision.publish.pulsar_sink import PulsarSettings, PulsarSink
    from vision.publish.spool import Spool

    cfg = load_stack_config()
    settings = PulsarSettings(f"pulsar://127.0.0.1:{cfg.ports.pulsar}", "persistent://retail/metadata/bench-vision",
                              admin_url=f"http://127.0.0.1:{cfg.ports.pulsar_admin}")
    return PulsarSink(settings, Spool(tmp / "spool.sqlite3"), metrics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=40, help="frames per configuration")
    parser.add_argument("--sink", choices=("ndjson", "pulsar"), default="ndjson")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="rva-bench-vision-"))
    video = render_scene(n_frames=args.frames).write_video(tmp / "aisle.mp4")
    print(f"machine: {machine()}")
    print(f"video: {args.frames} frames, 640x360, 3 people; sink: {args.sink}\n")
    print("| backend | imgsz | tracker | decode | detect | track | serialize | send | frames/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for backend, imgsz in CONFIGS:
        t0 = time.perf_counter()
        detector = load_detector(DetectorConfig(backend=backend, imgsz=imgsz))
        load_s = time.perf_counter() - t0
        scene = render_scene(n_frames=WARMUP)
        for frame in scene.frames:
            detector.detect(frame)
        for tracker in TRACKERS:
            metrics = Metrics()
            sink = pulsar_sink(tmp, metrics) if args.sink == "pulsar" else NdjsonSink(tmp / "events.ndjson")
            runner = CameraRunner(CameraSpec("store_bench", "cam_bench", str(video)), detector,
                                  make_tracker(tracker), sink, metrics=metrics)
            stats = runner.run()
            sink.close()
            ms = stats.timer.ms_per_frame()
            fps = stats.frames_processed / sum(stats.timer.totals.values())
            print(f"| {backend} | {imgsz} | {tracker} | {ms['decode']:.1f} | {ms['detect']:.1f} | {ms['track']:.1f} "
                  f"| {ms['serialize']:.2f} | {ms['send']:.2f} | {fps:.1f} |", flush=True)
            if args.sink == "pulsar":
                hist = metrics.send_latency.collect()[0].samples
                total = next(s.value for s in hist if s.name.endswith("_sum"))
                count = next(s.value for s in hist if s.name.endswith("_count"))
                print(f"|  | | ack latency (spool -> broker ack), mean {1000 * total / max(count, 1):.0f} ms "
                      f"over {count:.0f} events | | | | | | |")
        print(f"|  | | model load {load_s:.1f} s | | | | | | |")


if __name__ == "__main__":
    main()
