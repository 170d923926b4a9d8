"""No message stops any layer: every malformed kind between valid events, on all four jobs.

One private deployment of all four layers (rva/deployment.py) is started with
`pipeline.up`. A store scene is published with one message of every kind in
tests/event_corpus.py between its valid frames; a capture time a year ahead and one in
1970 come early, so every valid frame after them must still reach Gold's windows. Then:

- all four jobs are RUNNING and none restarted;
- Bronze, Silver and every Gold table hold exactly what GoldReference computes from the
  valid frames alone, and the live topic carries one message for each of them;
- every bad message is in bronze_rejects once (matched by its bytes' sha256) with the
  reason the rule gives for it.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pulsar
import pytest
import yaml

from rva import flink, pipeline
from rva.deployment import Deployment
from rva.publish import publish
from rva.sql.render import PIPELINE
from rva.stack.provision import ensure_topic
from tests.event_corpus import BAD
from udfs.zones import load_zones

from .conftest import Stack
from .gold_reference import GoldReference
from .lakehouse_tables import Tables
from .store_scene import Scene, frame, lines, write_zones

RUN = uuid.uuid4().hex[:6]
NAMESPACE = f"it_poison_{RUN}"
TOPIC = f"persistent://retail/metadata/it-poison-{RUN}"
LIVE_TOPIC = f"persistent://retail/metadata/it-poison-occupancy-{RUN}"
OVERRIDES = {"loitering_s": 20}
TUNABLES = {**yaml.safe_load(PIPELINE.read_text()), **OVERRIDES}
EARLY = {"capture time a year ahead", "capture time in 1970"}
START = (datetime.now(timezone.utc) - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
SCENE = Scene(f"poison-{RUN}", tuple(f"poison-{RUN}-c{j}" for j in range(3)), START, duration_s=120, fps=2)


def poisoned() -> tuple[list[bytes], list[bytes], dict[str, str]]:
    """The messages in the order sent, the valid ones alone, and each bad message's
    sha256 -> the reason (prefix) Bronze must give."""
    valid = lines(SCENE.events()) + lines(SCENE.flush())
    template = next(e for e in SCENE.events() if e["detections"])
    bad = {}
    for n, kind in enumerate(BAD):
        message = kind.make({**template, "event_id": f"bad-{RUN}-{n}"})
        bad[kind.name] = message
    early = [bad[name] for name in EARLY]
    rest = [m for name, m in bad.items() if name not in EARLY]
    sent = valid[:20] + early
    step = (len(valid) - 40) // len(rest)
    for i, message in enumerate(rest):  # one bad message every `step` valid ones
        sent += valid[20 + i * step: 20 + (i + 1) * step] + [message]
    sent += valid[20 + len(rest) * step:]
    reasons = {hashlib.sha256(bad[kind.name]).hexdigest(): kind.reason for kind in BAD}
    return sent, valid, reasons


@pytest.fixture(scope="module")
def poisoned_run(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deployment, ...]]:
    zones = write_zones(tmp_path_factory.mktemp("zones") / "zones.yaml", list(SCENE.cameras))
    deployment = Deployment(stack.cfg, run=f"it-poison-{RUN}", overrides=OVERRIDES,
                            names={"topic": TOPIC, "live_topic": LIVE_TOPIC, "iceberg_namespace": NAMESPACE})
    ensure_topic(stack.cfg, TOPIC)
    ensure_topic(stack.cfg, LIVE_TOPIC, retention_minutes=60)
    try:
        pipeline.up(deployment, zones)
        sent, _, _ = poisoned()
        assert publish(stack.pulsar_url, TOPIC, sent) == len(sent)
        yield deployment, zones
    finally:
        jobs = [j.job_id for j in flink.jobs(stack.cfg) if j.name.endswith(f"-{deployment.run}")
                and j.state in ("RUNNING", "RESTARTING", "CREATED")]
        stack.drop_namespace(NAMESPACE, jobs, (TOPIC, LIVE_TOPIC))


def test_every_layer_holds_exactly_the_valid_events(stack: Stack, poisoned_run: tuple) -> None:
    deployment, zones = poisoned_run
    _, valid, _ = poisoned()
    reference = GoldReference(valid, load_zones(zones), TUNABLES)
    assert all(reference.tables().values()), "the scene has rows in every Gold table"
    tables = Tables(stack, NAMESPACE)
    # Reconciling as the watcher would: after minutes of silence every partition is idle,
    # and the first one read back can move Gold's watermark past the others' first
    # seconds (docs/late-data.md); reconciliation is what makes Gold whole then.
    tables.converge(deployment, SCENE.store_id, reference, reconcile_on_demand=True)
    tables.assert_silver_and_bronze(SCENE.store_id, reference)


def test_the_live_topic_has_one_message_per_valid_frame(stack: Stack, poisoned_run: tuple) -> None:
    _, valid, _ = poisoned()
    want = sorted((e["source"]["camera_id"], e["frame_index"]) for e in map(json.loads, valid))
    client = pulsar.Client(stack.pulsar_url, logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Warn))
    try:
        reader = client.create_reader(LIVE_TOPIC, pulsar.MessageId.earliest)
        got: list[tuple[str, int]] = []
        deadline = time.monotonic() + 600
        while len(got) < len(want) and time.monotonic() < deadline:
            try:
                body = json.loads(reader.read_next(timeout_millis=1000).data())
            except pulsar.Timeout:
                continue
            got.append((body["camera_id"], body["frame_index"]))
        try:  # one more would be a message from a bad event
            body = json.loads(reader.read_next(timeout_millis=3000).data())
            got.append((body["camera_id"], body["frame_index"]))
        except pulsar.Timeout:
            pass
    finally:
        client.close()
    assert sorted(got) == want


def test_every_bad_message_is_rejected_with_its_reason(stack: Stack, poisoned_run: tuple) -> None:
    _, _, reasons = poisoned()
    rows = stack.poll(NAMESPACE, "SELECT lower(to_hex(sha256(payload))), reason FROM bronze_rejects",
                      until=len(reasons), wait_s=600)
    got = {digest: reason for digest, reason in rows}
    assert len(rows) == len(got) == len(reasons), "each bad message once"
    wrong = {reasons[d]: got.get(d) for d in reasons if not (got.get(d) or "").startswith(reasons[d])}
    assert wrong == {}, "want reason prefix -> got"


def test_no_layer_restarted(stack: Stack, poisoned_run: tuple) -> None:
    deployment, _ = poisoned_run
    states = {s.layer: (s.state, s.restarts) for s in pipeline.status(deployment)}
    assert states == {layer: ("RUNNING", 0) for layer in pipeline.LAYERS}


def test_skip_moves_one_layer_past_a_time_and_keeps_everything_after(stack: Stack, poisoned_run: tuple) -> None:
    """`rva pipeline skip silver --to T` on a stopped Silver: the events published before T
    never reach it, every one after does, and Bronze keeps both."""
    deployment, zones = poisoned_run
    store, camera = f"skip-{RUN}", f"skip-{RUN}-c0"
    events = [frame(store, camera, i, START + timedelta(hours=2, seconds=i), [(1, 0.5, 0.5, 0.9)])
              for i in range(20)]
    assert [s.layer for s in pipeline.down(deployment, layers=("silver",))] == ["silver"]
    assert publish(stack.pulsar_url, TOPIC, lines(events[:10])) == 10
    time.sleep(1.5)  # publish times: before < mark < after, whatever the clock's resolution
    mark = datetime.now(timezone.utc)
    time.sleep(1.5)
    assert publish(stack.pulsar_url, TOPIC, lines(events[10:])) == 10
    stopped, _ = pipeline.skip(deployment, "silver", pipeline.skip_point(deployment, mark.isoformat()), zones)
    assert stopped.note == "was not running"
    tables = Tables(stack, NAMESPACE)
    tables.wait_until_read(store, len(events))
    want = sorted(e["event_id"] for e in events[10:])
    got = stack.poll(NAMESPACE, f"SELECT event_id FROM silver_detection WHERE store_id = '{store}'",
                     until=len(want), wait_s=600)
    time.sleep(5)  # anything from before the mark would have come with them
    got = tables.rows(f"SELECT event_id FROM silver_detection WHERE store_id = '{store}'")
    assert sorted(r[0] for r in got) == want
    assert {s.layer: s.state for s in pipeline.status(deployment)}["silver"] == "RUNNING"
