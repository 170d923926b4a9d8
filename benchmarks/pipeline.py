"""Latency of the live path and throughput of every layer, all four jobs together.

A private deployment of the four layers (rva/deployment.py: own topics with the events
topic's partitions, own Iceberg namespace, own job names; the running pipeline is not
touched) is started with `pipeline.up`, then:

1. live latency: ``--cameras`` cameras send frames at ``--fps`` for ``--seconds``, each
   stamped with its send time as capture_ts; the figure is the time from that stamp to
   the occupancy message reaching a consumer of the live topic (one host, one clock).
2. throughput: ``--events`` frames (3 tracked people each, ``--cameras`` cameras in
   capture order) are published as fast as one producer can, then one empty frame per
   camera a minute later so that Gold's windows close. Each layer's figure is the rate
   from the first send until all of it is there: occupancy messages out (live), rows
   of bronze_raw and silver_detection readable in Trino, and every detection counted
   in gold_people_per_minute. Iceberg commits on each checkpoint, so the lakehouse
   figures include up to one checkpoint interval of wait.

Needs `rva stack up`. Everything it creates is dropped at the end.

    python benchmarks/pipeline.py [--cameras 8 --fps 10 --seconds 60 --events 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pulsar

from rva import flink, pipeline, pulsar_admin
from rva.config import StackConfig, load_stack_config
from rva.deployment import Deployment
from rva.lakehouse import drop_namespace, trino_cursor
from rva.publish import publish
from rva.sql.render import render_context
from rva.stack.provision import ensure_topic

WIDTH, HEIGHT = 1280, 720


def frame(run: str, camera: int, index: int, capture: datetime, people: int = 3, store: str = "store_bench") -> bytes:
    """One realistic frame event: ``people`` tracked persons walking across the image."""
    boxes = []
    for i in range(people):
        x = (index * 7 + i * 300 + camera * 50) % (WIDTH - 100)
        boxes.append({"det_id": i, "class": "person", "conf": 0.8, "track_id": camera * 100 + i + 1,
                      "bbox": {"x1": x, "y1": 200.0, "x2": x + 80.0, "y2": 440.0}})
    return json.dumps({
        "schema_version": 1,
        "event_id": f"{run}-{camera}-{index}",
        "source": {"store_id": store, "camera_id": f"cam_{camera:02d}", "stream_id": f"cam_{camera:02d}/bench"},
        "frame_index": index,
        "capture_ts": capture.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "image_size": {"width": WIDTH, "height": HEIGHT},
        "detections": boxes,
    }).encode()


class OccupancyCounter:
    """Consumes the live topic in a thread: arrival time minus capture_ts per message."""

    def __init__(self, client: pulsar.Client, topic: str, run: str) -> None:
        self.consumer = client.subscribe(topic, f"bench-{run}", initial_position=pulsar.InitialPosition.Earliest,
                                         receiver_queue_size=5000)
        self.latencies_ms: list[float] = []
        self.arrivals: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self.consumer.receive(timeout_millis=200)
            except pulsar.Timeout:
                continue
            now = time.time()
            capture = json.loads(msg.data())["capture_ts"]
            self.latencies_ms.append((now - datetime.fromisoformat(capture.replace("Z", "+00:00")).timestamp()) * 1000)
            self.arrivals.append(now)
            self.consumer.acknowledge(msg)

    def wait_for(self, count: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while len(self.arrivals) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return len(self.arrivals) >= count

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def live_latency(client: pulsar.Client, topic: str, run: str, counter: OccupancyCounter,
                 cameras: int, fps: float, seconds: float) -> None:
    producer = client.create_producer(topic, batching_enabled=False)
    frames = int(fps * seconds)
    start = time.monotonic()
    for index in range(frames):
        for camera in range(cameras):
            producer.send_async(frame(run, camera, index, datetime.now(timezone.utc)), None,
                                partition_key=f"cam_{camera:02d}")
        producer.flush()
        time.sleep(max(0.0, start + (index + 1) / fps - time.monotonic()))
    producer.close()
    expected = frames * cameras
    complete = counter.wait_for(expected, 60)
    lat = counter.latencies_ms[:expected]
    print(f"\nlive latency: {cameras} cameras x {fps:g} fps for {seconds:g}s = {expected} frames"
          f"{'' if complete else f' (only {len(lat)} arrived)'}")
    print(f"  capture -> occupancy message consumed, ms: p50 {percentile(lat, 50):.0f}, "
          f"p95 {percentile(lat, 95):.0f}, p99 {percentile(lat, 99):.0f}, max {max(lat):.0f}")


def count(cfg: StackConfig, namespace: str, sql: str) -> int:
    cursor = trino_cursor(cfg, "rva-bench", namespace)
    try:
        cursor.execute(sql)
        return int(cursor.fetchall()[0][0] or 0)
    except Exception as err:  # the table appears with the first commit
        if "does not exist" in str(err):
            return 0
        raise


STORE = "store_bench_tp"  # the throughput frames' own store, apart from the latency run's
LAKEHOUSE_LAYERS = {
    "bronze_raw": (f"SELECT count(*) FROM bronze_raw WHERE store_id = '{STORE}'", "frames"),
    "silver_detection": (f"SELECT count(*) FROM silver_detection WHERE store_id = '{STORE}'", "detections"),
    "gold_people_per_minute": (f"SELECT sum(detections) FROM gold_people_per_minute WHERE store_id = '{STORE}'",
                               "detections"),
}


def throughput(cfg: StackConfig, topic: str, namespace: str, run: str, counter: OccupancyCounter,
               events: int, cameras: int) -> None:
    already_live = len(counter.arrivals)
    start_capture = datetime.now(timezone.utc)
    lines = [frame(run + "-tp", i % cameras, i // cameras, start_capture + timedelta(seconds=i // cameras / 10),
                   store=STORE) for i in range(events)]
    last = start_capture + timedelta(seconds=events // cameras / 10 + 60)
    flush = [frame(run + "-flush", c, 10**9, last, people=0, store=STORE) for c in range(cameras)]
    want = {"bronze_raw": events + cameras, "silver_detection": events * 3, "gold_people_per_minute": events * 3}
    start = time.time()
    sent = publish(cfg.pulsar_service_url, topic, lines + flush)
    published = time.time()
    print(f"\nthroughput: {events} frames of {cameras} cameras, 3 people each "
          f"({sum(map(len, lines)) / events:.0f} bytes a frame), all four jobs running")
    print(f"  publish (one producer): {sent} messages in {published - start:.1f}s = "
          f"{sent / (published - start):,.0f}/s")
    if counter.wait_for(already_live + sent, 900):
        done = counter.arrivals[already_live + sent - 1]
        print(f"  live: every occupancy message out {done - start:.1f}s after the first send "
              f"= {events / (done - start):,.0f} frames/s")
    else:
        print(f"  live: only {len(counter.arrivals) - already_live} of {sent} after 900s")
    pending = dict(LAKEHOUSE_LAYERS)
    deadline = time.monotonic() + 3600
    while pending and time.monotonic() < deadline:
        for table, (sql, unit) in list(pending.items()):
            if count(cfg, namespace, sql) >= want[table]:
                took = time.time() - start
                print(f"  {table}: all {want[table]:,} {unit} readable {took:.1f}s after the first send = "
                      f"{events / took:,.0f} frames/s ({want[table] / took:,.0f} {unit}/s)")
                del pending[table]
        time.sleep(1)
    for table in pending:
        print(f"  {table}: incomplete after an hour")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=8)
    parser.add_argument("--fps", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    cfg = load_stack_config()
    run = f"bench-{uuid.uuid4().hex[:8]}"
    namespace = run.replace("-", "_")
    events_topic = f"persistent://retail/metadata/{run}-events"
    live_topic = f"persistent://retail/metadata/{run}-occupancy"
    ensure_topic(cfg, events_topic)
    ensure_topic(cfg, live_topic, retention_minutes=60)
    deployment = Deployment(cfg, run=run, names={"topic": events_topic, "live_topic": live_topic,
                                                 "iceberg_namespace": namespace})
    client = pulsar.Client(cfg.pulsar_service_url, logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Warn))
    try:
        pipeline.up(deployment)
        counter = OccupancyCounter(client, live_topic, run)
        live_latency(client, events_topic, run, counter, args.cameras, args.fps, args.seconds)
        throughput(cfg, events_topic, namespace, run, counter, args.events, args.cameras)
        counter.stop()
    finally:
        client.close()
        for job in flink.jobs(cfg):
            if job.name.endswith(f"-{run}") and job.state == "RUNNING":
                flink.cancel(cfg, job.job_id)
        drop_namespace(cfg, namespace, "rva-bench")
        for topic in (events_topic, live_topic):
            pulsar_admin.delete(cfg, topic)
    checkpoint = render_context(cfg, "local")["checkpoint_interval"]
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
          f"{platform.system()} {platform.release()}; checkpoint interval {checkpoint}, "
          f"other Flink jobs running: {len([j for j in flink.jobs(cfg) if j.state == 'RUNNING'])}")


if __name__ == "__main__":
    main()
