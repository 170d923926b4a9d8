"""`pipeline down` / `pipeline up`, again and again, with traffic flowing: every start
reads, and nothing is lost or doubled.

One private deployment of all four layers (rva/deployment.py). A producer thread sends
the frames of a store's cameras in real time the whole while. RVA_RESTART_CYCLES times
(2 unless set: one without and one with `--zones`; a cycle takes about 2.5 minutes on a
2-core machine, so RVA_RESTART_CYCLES=20 is the long run, kept out of the test
command): `pipeline.down` (savepoints), then `pipeline.up`, every other time with
`--zones` (a zones file of the test's own) and otherwise without, which must resume
with the zones applied before, not the default file. After each `up` all four jobs are
RUNNING, none restarted, within 60 s, with nothing done by hand. `up --zones` with
other zones while the jobs run is refused, naming how to apply them, and changes
nothing. Then the producer stops, every camera sends one frame far ahead, and Bronze
holds every event once, Silver every detection once, and every Gold table equals
GoldReference under the test's zones.

`up` waits until each job reads (flink.await_reading) and raises with the job's root
cause if it fails or never reads; it retries nothing. Before the rva-pulsar connector,
the live job's start raced the stock connector's subscribe-seek-close (issue 9).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pulsar
import pytest
import yaml

from rva import flink, pipeline, reconcile
from rva.deployment import Deployment
from rva.errors import ConfigError
from rva.publish import publish
from rva.sql.render import PIPELINE
from rva.stack.provision import ensure_topic
from udfs.zones import load_zones

from .conftest import Stack
from .gold_reference import GoldReference
from .lakehouse_tables import Tables, differences, expected_gold
from .store_scene import Scene, lines, write_zones

RUN = uuid.uuid4().hex[:6]
NAMESPACE = f"it_restarts_{RUN}"
TOPIC = f"persistent://retail/metadata/it-restarts-{RUN}"
LIVE_TOPIC = f"persistent://retail/metadata/it-restarts-occupancy-{RUN}"
CYCLES = int(os.environ.get("RVA_RESTART_CYCLES", "2"))
READING_WITHIN_S = 60
OVERRIDES = {"loitering_s": 20}
TUNABLES = {**yaml.safe_load(PIPELINE.read_text()), **OVERRIDES}
START = (datetime.now(timezone.utc) - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
# Far longer than the cycles take: the producer is stopped when they are done.
SCENE = Scene(f"restarts-{RUN}", tuple(f"restarts-{RUN}-c{j}" for j in range(3)), START,
              duration_s=CYCLES * 600, fps=1)


class Producer(threading.Thread):
    """Publishes the scene's frames in real time until stopped; keeps what it sent."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(daemon=True)
        self.stack = stack
        self.stop_event = threading.Event()
        self.sent: list[bytes] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        per_camera = [lines(SCENE.camera_frames(c)) for c in SCENE.cameras]
        client = pulsar.Client(self.stack.pulsar_url, logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Error))
        started = time.monotonic()
        try:
            producer = client.create_producer(TOPIC)
            for index in range(SCENE.frames_per_camera):
                if self.stop_event.is_set():
                    return
                time.sleep(max(0.0, started + index / SCENE.fps - time.monotonic()))
                for camera, frames in zip(SCENE.cameras, per_camera):
                    producer.send(frames[index], partition_key=camera)
                    self.sent.append(frames[index])
        except BaseException as err:  # reported by the test
            self.error = err
        finally:
            client.close()


@pytest.fixture(scope="module")
def deployment(stack: Stack) -> Iterator[Deployment]:
    deployment = Deployment(stack.cfg, run=f"it-restarts-{RUN}", overrides=OVERRIDES,
                            names={"topic": TOPIC, "live_topic": LIVE_TOPIC, "iceberg_namespace": NAMESPACE})
    ensure_topic(stack.cfg, TOPIC)
    ensure_topic(stack.cfg, LIVE_TOPIC, retention_minutes=60)
    try:
        yield deployment
    finally:
        jobs = [j.job_id for j in flink.jobs(stack.cfg) if j.name.endswith(f"-{deployment.run}")
                and j.state in ("RUNNING", "RESTARTING", "CREATED")]
        stack.drop_namespace(NAMESPACE, jobs, (TOPIC, LIVE_TOPIC))


def all_reading_within(deployment: Deployment, wait_s: float) -> dict[str, tuple[str, int]]:
    """Each layer's (state, restarts) once all are RUNNING, or as they stand after ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while True:
        states = {s.layer: (s.state, s.restarts) for s in pipeline.status(deployment)}
        if all(state == "RUNNING" for state, _ in states.values()) or time.monotonic() > deadline:
            return states
        time.sleep(2)


def test_down_and_up_again_and_again_with_traffic(stack: Stack, deployment: Deployment, tmp_path: Path) -> None:
    zones = write_zones(tmp_path / "zones.yaml", list(SCENE.cameras))
    pipeline.up(deployment, zones)
    producer = Producer(stack)
    producer.start()
    took: list[float] = []
    try:
        for cycle in range(CYCLES):
            stopped = pipeline.down(deployment)
            assert {s.layer for s in stopped if s.savepoint} == {"bronze", "silver", "gold"}, \
                f"cycle {cycle}: {[s.note for s in stopped]}"
            started = time.monotonic()
            pipeline.up(deployment, zones if cycle % 2 else None)  # raises if a job never reads
            took.append(time.monotonic() - started)
            states = all_reading_within(deployment, READING_WITHIN_S)
            assert all(state == "RUNNING" and restarts == 0 for state, restarts in states.values()), \
                f"cycle {cycle}: {states}"
            assert producer.is_alive() and producer.error is None, producer.error
        other = tmp_path / "other-zones.yaml"
        other.write_text(zones.read_text().replace("entrance", "lobby"))
        with pytest.raises(ConfigError, match="run with other zones; to apply these, `rva pipeline down` then"):
            pipeline.up(deployment, other)
    finally:
        producer.stop_event.set()
        producer.join(60)
        print(f"\n{len(took)} cycles; `up` took {min(took or [0]):.0f}-{max(took or [0]):.0f}s "
              f"(mean {sum(took) / max(1, len(took)):.0f}s)")
    assert producer.error is None, producer.error
    flush = lines(SCENE.flush())
    assert publish(stack.pulsar_url, TOPIC, flush) == len(flush)
    reference = GoldReference(producer.sent + flush, load_zones(zones), TUNABLES)
    tables = Tables(stack, NAMESPACE)
    tables.wait_until_read(SCENE.store_id, len(reference.events))
    events = tables.rows(f"SELECT count(*), count(DISTINCT event_id) FROM bronze_raw WHERE store_id = "
                         f"'{SCENE.store_id}'")
    assert events == [(len(reference.events), len(reference.events))], "Bronze: every event once"
    want_silver = sorted((d.event_id, d.det_id) for d in reference.silver)
    got_silver = stack.poll(NAMESPACE, f"SELECT event_id, det_id FROM silver_detection WHERE store_id = "
                                       f"'{SCENE.store_id}'", until=len(want_silver), wait_s=600)
    assert sorted(tuple(r) for r in got_silver) == want_silver, "Silver: every detection once"
    want = expected_gold(reference)
    deadline = time.monotonic() + 900
    diff = ["not compared yet"]
    while diff and time.monotonic() < deadline:
        if reconcile.pending(deployment):
            reconcile.reconcile(deployment)
        got = tables.gold_of(SCENE.store_id)
        diff = differences(got, want)
        if diff:
            time.sleep(5)
    assert diff == [], "Gold: " + " | ".join(diff)
