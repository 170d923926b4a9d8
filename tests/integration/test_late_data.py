"""Gold holds every event, whatever order and pace the events come in.

One private deployment of all four layers (rva/deployment.py: a topic of its own with
4 partitions, its own namespace and job names) is started with `pipeline.up`, as a
user's pipeline is. Each test sends the scene of a store of its own (store_scene.py)
and then one empty frame per camera far ahead, so that everything closes; it then waits
until every Gold table of that store equals GoldReference over everything sent.

1. a burst of 21,600 frames from 24 cameras, as fast as one producer sends them;
2. the pipeline stopped (`pipeline down`), 5 minutes of traffic published, `pipeline up`;
3. the broker stopped while a producer runs (its spool fills), then restarted;
4. one camera 60 s behind the others, with `rva pipeline watch`'s schedule reconciling;
5. events beyond the allowed lateness, reconciled on demand.

Each also checks is_late is set exactly on the events beyond the allowed lateness, and
that only the lagging camera of test 4 and the late frames of test 5 ever came behind a
watermark (gold_late_events): reading a backlog in capture order marks nothing late.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from rva import flink, pipeline, reconcile, watch
from rva.deployment import Deployment
from rva.publish import publish
from rva.sql.render import PIPELINE
from rva.stack import control
from rva.stack.layout import Layout
from rva.stack.process import Process
from rva.stack.provision import ensure_topic
from udfs.zones import CameraZones, load_zones
from vision.publish.pulsar_sink import PulsarSettings, PulsarSink
from vision.publish.spool import Spool

from .conftest import Stack
from .gold_reference import GoldReference
from .lakehouse_tables import GOLD_QUERIES, Tables, differences, normal
from .store_scene import Scene, frame, lines, write_zones

RUN = uuid.uuid4().hex[:6]
NAMESPACE = f"it_late_{RUN}"
TOPIC = f"persistent://retail/metadata/it-late-{RUN}"
LIVE_TOPIC = f"persistent://retail/metadata/it-late-occupancy-{RUN}"
PARTITIONS = 4  # more than the events topic's two: per-partition event time must scale
# Test values: an allowed lateness the 60 s lag is well inside, loitering that short
# scenes reach, and a reconcile schedule a test can wait for.
OVERRIDES = {"allowed_lateness_s": 300, "loitering_s": 20, "reconcile_every_s": 15}
TUNABLES = {**yaml.safe_load(PIPELINE.read_text()), **OVERRIDES}
FPS = 4
# Two days ago 06:00 UTC: every scene within one day, all within max_event_age_days.
BASE = (datetime.now(timezone.utc) - timedelta(days=2)).replace(hour=6, minute=0, second=0, microsecond=0)


def scene(slot: int, name: str, cameras: int, duration_s: float, fps: float = FPS) -> Scene:
    """Scene ``slot`` starts 2 h after the one before, so each starts ahead of every
    watermark the deployment has seen."""
    store = f"{name}-{RUN}"
    return Scene(store, tuple(f"{store}-c{j:02d}" for j in range(cameras)),
                 BASE + timedelta(hours=2 * slot), duration_s, fps)


SCENES = {
    "burst": scene(0, "burst", cameras=24, duration_s=225),   # 24 x 900 = 21,600 frames
    "backlog": scene(1, "backlog", cameras=6, duration_s=300, fps=1),  # 5 minutes of traffic
    "outage": scene(2, "outage", cameras=6, duration_s=75),
    "lagging": scene(3, "lagging", cameras=8, duration_s=120),
    "beyond": scene(4, "beyond", cameras=4, duration_s=150),
}


@dataclass(frozen=True)
class LatePipeline:
    """The running private deployment, the zones file it was started with, and its tables."""

    deployment: Deployment
    zones_file: Path
    tables: Tables

    @property
    def zones(self) -> dict[str, CameraZones]:
        return load_zones(self.zones_file)


@pytest.fixture(scope="module")
def late(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LatePipeline]:
    cameras = [c for s in SCENES.values() for c in s.cameras]
    zones = write_zones(tmp_path_factory.mktemp("zones") / "zones.yaml", cameras)
    deployment = Deployment(stack.cfg, run=f"it-late-{RUN}", overrides=OVERRIDES,
                            names={"topic": TOPIC, "live_topic": LIVE_TOPIC, "iceberg_namespace": NAMESPACE})
    ensure_topic(stack.cfg, TOPIC, partitions=PARTITIONS)
    ensure_topic(stack.cfg, LIVE_TOPIC, retention_minutes=60)
    try:  # cleaned up even when the set-up fails
        pipeline.up(deployment, zones)
        yield LatePipeline(deployment, zones, Tables(stack, NAMESPACE))
    finally:
        jobs = [j.job_id for j in flink.jobs(stack.cfg) if j.name.endswith(f"-{deployment.run}")
                and j.state in ("RUNNING", "RESTARTING", "CREATED")]
        stack.drop_namespace(NAMESPACE, jobs, (TOPIC, LIVE_TOPIC))
        stack.drop_namespace(reconcile.staging_namespace(NAMESPACE), [])


# --- reading the tables ----------------------------------------------------------------
def late_for_gold(tables: Tables, store: str) -> set[str]:
    """Cameras of ``store`` with events that reached Gold behind its watermark."""
    return {r[0] for r in tables.rows(f"SELECT DISTINCT camera_id FROM gold_late_events WHERE store_id = '{store}'")}


def all_layers_running(deployment: Deployment, wait_s: float = 300) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        states = {s.layer: s.state for s in pipeline.status(deployment)}
        if all(state == "RUNNING" for state in states.values()):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"layers not all RUNNING after {wait_s:.0f}s: {states}")
        time.sleep(3)


@dataclass(frozen=True)
class Sent:
    messages: list[bytes]
    reference: GoldReference


def send(stack: Stack, late: LatePipeline, events: list[dict[str, Any]], flush: list[dict[str, Any]]) -> Sent:
    messages = lines(events) + lines(flush)
    assert publish(stack.pulsar_url, TOPIC, messages) == len(messages)
    return Sent(messages, GoldReference(messages, late.zones, TUNABLES))


def partitions_of(tables: Tables, store: str) -> dict[str, int]:
    """The topic partition each camera of ``store`` went to (from Bronze's message ids)."""
    import base64

    import pulsar

    return {camera: pulsar.MessageId.deserialize(base64.b64decode(message_id)).partition()
            for camera, message_id in tables.rows(f"SELECT camera_id, arbitrary(message_id) FROM bronze_raw "
                                                  f"WHERE store_id = '{store}' GROUP BY camera_id")}


# --- the tests ---------------------------------------------------------------------------
class TestBurst:
    def test_a_burst_across_all_partitions_lands_whole(self, stack: Stack, late: LatePipeline) -> None:
        s = SCENES["burst"]
        events = s.events()
        assert len(events) >= 20_000 and len(s.cameras) >= 20
        started = time.monotonic()
        sent = send(stack, late, events, s.flush())
        print(f"\nburst: {len(events)} frames published in {time.monotonic() - started:.1f}s")
        assert all(sent.reference.tables().values()), "the scene has rows in every Gold table"
        late.tables.converge(late.deployment, s.store_id, sent.reference)
        late.tables.assert_silver_and_bronze(s.store_id, sent.reference)
        assert set(partitions_of(late.tables, s.store_id).values()) == set(range(PARTITIONS))
        assert late_for_gold(late.tables, s.store_id) == set(), "read in capture order, nothing came behind a watermark"
        assert not any(d.is_late for d in sent.reference.silver)


class TestBacklog:
    def test_traffic_sent_while_the_pipeline_is_down_lands_whole(self, stack: Stack, late: LatePipeline) -> None:
        s = SCENES["backlog"]
        stopped = pipeline.down(late.deployment)
        assert {s.layer for s in stopped if s.savepoint} == {"bronze", "silver", "gold"}
        sent = send(stack, late, s.events(), s.flush())  # 5 minutes of 20 cameras
        pipeline.up(late.deployment, late.zones_file)
        late.tables.converge(late.deployment, s.store_id, sent.reference)
        late.tables.assert_silver_and_bronze(s.store_id, sent.reference)
        assert late_for_gold(late.tables, s.store_id) == set()


class TestBrokerOutage:
    def test_the_drained_spool_lands_whole(self, stack: Stack, late: LatePipeline, tmp_path: Path) -> None:
        s = SCENES["outage"]
        per_camera = [s.camera_frames(c) for c in s.cameras]
        sink = PulsarSink(PulsarSettings(stack.pulsar_url, TOPIC), Spool(tmp_path / "spool.sqlite3"))
        layout = Layout.of(stack.cfg)
        broker = Process("pulsar", layout.pid_file("pulsar"), layout.logs("pulsar"))
        sent: list[bytes] = []
        outage = (15.0, 35.0)  # seconds into the run: broker stopped, then started again
        restarted = threading.Event()
        started = time.monotonic()

        failures: list[BaseException] = []

        def restart_broker() -> None:
            try:
                time.sleep(outage[0])
                broker.stop(grace_s=120)  # as `rva stack down` stops it: cleanly
                time.sleep(outage[1] - outage[0])
                control.up(stack.cfg, fetch=False)
                restarted.set()
            except BaseException as err:  # reported by the test, not lost in the thread
                failures.append(err)
                raise

        threading.Thread(target=restart_broker, daemon=True).start()
        for index in range(s.frames_per_camera):  # in real time, as cameras would
            time.sleep(max(0.0, started + index / s.fps - time.monotonic()))
            for frames in per_camera:
                payload = lines([frames[index]])[0]
                sink.write(payload, frames[index]["source"]["camera_id"])
                sent.append(payload)
        assert restarted.wait(600), f"the broker came back: {failures}"
        flush = lines(s.flush())
        for payload, camera in zip(flush, s.cameras):
            sink.write(payload, camera)
        sink.close(drain_timeout_s=240)
        assert sink.spool.depth() == 0, "the spool drained"
        reference = GoldReference(sent + flush, late.zones, TUNABLES)
        all_layers_running(late.deployment)
        late.tables.converge(late.deployment, s.store_id, reference, reconcile_on_demand=True)
        late.tables.assert_silver_and_bronze(s.store_id, reference)


class TestLaggingCamera:
    def test_a_camera_60s_behind_is_reconciled_on_schedule(self, stack: Stack, late: LatePipeline) -> None:
        s = SCENES["lagging"]
        lag_s, slow = 60, s.cameras[0]
        arrivals = [(index / s.fps + (lag_s if camera == slow else 0), camera, f)
                    for camera in s.cameras for index, f in enumerate(s.camera_frames(camera))]
        stop = threading.Event()
        watcher = threading.Thread(target=watch.run, args=(late.deployment, None, stop), kwargs={"refresh_s": 5},
                                   daemon=True)
        watcher.start()
        try:
            sent = send(stack, late, [f for _, _, f in sorted(arrivals, key=lambda a: (a[0], a[1]))], s.flush())
            late.tables.wait_until_read(s.store_id, len(sent.reference.events))
            partitions = partitions_of(late.tables, s.store_id)
            shares = [c for c in s.cameras if c != slow and partitions[c] == partitions[slow]]
            expected_late = {slow} if shares else set()  # alone in its partition, it sets its own pace
            late.tables.converge(late.deployment, s.store_id, sent.reference)
        finally:
            stop.set()
            watcher.join(600)
        # Only the lagging camera came behind a watermark, except at the very start: after
        # minutes of silence every partition is idle and the first one read drives the
        # watermark alone for a moment (docs/late-data.md); reconciliation covers both.
        others = late.tables.rows(f"SELECT camera_id, max(capture_ts) FROM gold_late_events WHERE store_id = "
                             f"'{s.store_id}' AND camera_id <> '{slow}' GROUP BY camera_id")
        assert expected_late <= late_for_gold(late.tables, s.store_id)
        assert all(normal((last,))[0] < s.start + timedelta(seconds=30) for _, last in others), others
        assert not any(d.is_late for d in sent.reference.silver), "60 s is well inside the allowed lateness"
        late.tables.assert_silver_and_bronze(s.store_id, sent.reference)


class TestBeyondAllowedLateness:
    def test_late_frames_count_within_the_allowed_lateness_and_nowhere_beyond(
        self, stack: Stack, late: LatePipeline
    ) -> None:
        s = SCENES["beyond"]
        events = s.events()
        camera = s.cameras[1]
        newest = s.start + timedelta(seconds=s.duration_s)
        # Frames the camera resends after its newest: 2 minutes old (inside the allowed
        # 5 minutes) and 10 minutes old (beyond it), each with a person in view.
        resent = [frame(s.store_id, camera, 500_000 + age + i, newest - timedelta(seconds=age + i / FPS),
                        [(age + i, 0.5, 0.5, 0.9)]) for age in (120, 600) for i in range(8)]
        sent = send(stack, late, events + resent, s.flush())
        assert sum(e.is_late for e in sent.reference.late_events) == 8
        late.tables.wait_until_read(s.store_id, len(sent.reference.events))
        late.tables.converge(late.deployment, s.store_id, sent.reference, reconcile_on_demand=True)
        late.tables.assert_silver_and_bronze(s.store_id, sent.reference)
        listed = {r[0] for r in late.tables.rows(f"SELECT event_id FROM gold_late_events WHERE store_id = '{s.store_id}'")}
        resent_ids = {age: {f["event_id"] for f in resent if f["frame_index"] in range(500_000 + age, 500_008 + age)}
                      for age in (120, 600)}
        assert resent_ids[120] <= listed, "the 2-minute-old frames came behind Gold's watermark"
        assert not resent_ids[600] & listed, "the frames beyond the allowed lateness count nowhere in Gold"

    def test_reconciling_again_changes_nothing(self, stack: Stack, late: LatePipeline) -> None:
        s = SCENES["burst"]
        before = late.tables.gold_of(s.store_id)
        days = reconcile.camera_days_on(late.deployment, s.start.date(), store_id=s.store_id)
        assert len(days) == len(s.cameras)
        report = reconcile.reconcile(late.deployment, days)
        assert report.safe_point is not None and {c.table for c in report.changes} == set(GOLD_QUERIES)
        assert differences(late.tables.gold_of(s.store_id), before) == []
