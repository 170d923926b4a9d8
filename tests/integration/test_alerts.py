"""Alerts fire for real: frames → the live job → `rva pipeline watch`'s metrics →
Prometheus's rules → Alertmanager → a webhook receiver this test runs.

A store of this run's own has two cameras of configs/zones.yaml (what the cluster's UDFs
read): cam_01 keeps sending a crowd in its checkout zone (more people than its
`capacity`), cam_02 sends a few frames and falls silent. Alertmanager must deliver
ZoneOverCapacity for cam_01's checkout and CameraSilent for cam_02, and neither for the
other camera. The people per zone are placed by the test and checked with the test's own
zone reference, not rva's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import yaml

from rva import alerts, flink, watch
from rva.config import REPO_ROOT
from rva.deployment import Deployment
from rva.publish import publish
from rva.stack.engines import ALERT_THRESHOLDS
from rva.stack.provision import ensure_topic
from tests import zone_reference
from udfs.zones import load_zones

from .conftest import Stack

RUN = uuid.uuid4().hex[:8]
STORE = f"store_alerts_{RUN}"
EVENTS_TOPIC = f"persistent://retail/metadata/it-alerts-events-{RUN}"
LIVE_TOPIC = f"persistent://retail/metadata/it-alerts-occupancy-{RUN}"
THRESHOLDS = yaml.safe_load(ALERT_THRESHOLDS.read_text())
ZONES = load_zones(REPO_ROOT / "configs" / "zones.yaml")
WIDTH, HEIGHT = 800, 600
# Scrapes and evaluations every 15 s, Alertmanager's group_wait 10 s: generous bounds.
WAIT_S = THRESHOLDS["camera_silent_s"] + THRESHOLDS["over_capacity_s"] + 240
CROWD = [(0.72 + 0.035 * i, 0.5 + 0.05 * (i % 3)) for i in range(8)]  # feet in cam_01's checkout
FEW = [(0.25, 0.6), (0.75, 0.6)]  # cam_02: one in each zone


class Webhook(ThreadingHTTPServer):
    """Alertmanager's webhook receiver: keeps every alert it is sent."""

    def __init__(self, port: int) -> None:
        self.alerts: list[dict[str, Any]] = []
        super().__init__(("127.0.0.1", port), _Handler)

    def received(self, alertname: str, **labels: str) -> list[dict[str, Any]]:
        return [a for a in list(self.alerts) if a["labels"].get("alertname") == alertname
                and all(a["labels"].get(k) == v for k, v in labels.items())]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.alerts.extend(body["alerts"])  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def webhook(stack: Stack) -> Iterator[Webhook]:
    try:
        server = Webhook(stack.cfg.ports.alert_webhook)
    except OSError as err:
        pytest.fail(f"port {stack.cfg.ports.alert_webhook} (ports.alert_webhook) is taken: {err.strerror}")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def watched(stack: Stack, webhook: Webhook) -> Iterator[Deployment]:
    """A live job and a watch of this run's own, serving the pipeline's metrics port."""
    ensure_topic(stack.cfg, EVENTS_TOPIC)
    ensure_topic(stack.cfg, LIVE_TOPIC, retention_minutes=60)
    deployment = Deployment(stack.cfg, run=f"it-{RUN}",
                            names={"topic": EVENTS_TOPIC, "live_topic": LIVE_TOPIC,
                                   "iceberg_namespace": f"it_alerts_{RUN}"})
    # the live layer writes no table; the namespace only names what the watch looks for
    job_id = stack.submit_layer("live", f"it_alerts_{RUN}", EVENTS_TOPIC, RUN, live_topic=LIVE_TOPIC)
    stop = threading.Event()
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            watch.run(deployment, stack.cfg.ports.pipeline_metrics, stop, refresh_s=10)
        except BaseException as err:  # surfaced by the test, not lost in a thread
            errors.append(err)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        time.sleep(1)
        assert not errors, f"rva pipeline watch did not start: {errors[0]}"
        yield deployment
    finally:
        stop.set()
        thread.join(timeout=30)
        flink.cancel(stack.cfg, job_id)
        stack.delete_topics(EVENTS_TOPIC, LIVE_TOPIC)


def frame(camera: str, index: int, people: list[tuple[float, float]]) -> bytes:
    """A frame captured now; each (x, y) is where a person's feet are."""
    boxes = [{"det_id": i, "class": "person", "conf": 0.9, "track_id": i + 1,
              "bbox": {"x1": x * WIDTH - 15, "y1": y * HEIGHT - 80, "x2": x * WIDTH + 15, "y2": y * HEIGHT}}
             for i, (x, y) in enumerate(people)]
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({
        "schema_version": 1, "event_id": f"{RUN}-{camera}-{index}",
        "source": {"store_id": STORE, "camera_id": camera, "stream_id": f"{camera}/alerts"},
        "frame_index": index, "capture_ts": now, "image_size": {"width": WIDTH, "height": HEIGHT},
        "detections": boxes,
    }).encode()


def in_zone(camera: str, people: list[tuple[float, float]], zone_id: str) -> int:
    """People whose box the test's zone reference puts in ``zone_id``."""
    half_w, h = 15 / WIDTH, 80 / HEIGHT  # the boxes frame() draws
    boxes = [(x - half_w, y - h, x + half_w, y) for x, y in people]
    return sum(zone_reference.zone_of(ZONES[camera], box) == zone_id for box in boxes)


def prometheus_value(stack: Stack, query: str) -> float | None:
    result = httpx.get(f"http://127.0.0.1:{stack.cfg.ports.prometheus}/api/v1/query",
                       params={"query": query}).json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


@pytest.fixture(scope="module")
def delivered(stack: Stack, webhook: Webhook, watched: Deployment) -> Webhook:
    """Send the scene until both alerts arrive (or WAIT_S passes); returns the webhook."""
    deadline = time.monotonic() + WAIT_S
    index = 0
    while time.monotonic() < deadline:
        sent = [frame("cam_01", index, CROWD)]
        if index < 5:
            sent.append(frame("cam_02", index, FEW))
        assert publish(stack.pulsar_url, EVENTS_TOPIC, sent) == len(sent)
        index += 1
        if (webhook.received("ZoneOverCapacity", store_id=STORE, camera_id="cam_01")
                and webhook.received("CameraSilent", store_id=STORE, camera_id="cam_02")):
            break
        time.sleep(1)
    return webhook


def test_reference_scene() -> None:
    """The scene is what the docstring says, by the test's own geometry."""
    capacity = {z.zone_id: z.capacity for z in ZONES["cam_01"].zones}["checkout"]
    assert capacity is not None and in_zone("cam_01", CROWD, "checkout") == len(CROWD) > capacity
    assert all(z.capacity is None or in_zone("cam_02", FEW, z.zone_id) <= z.capacity for z in ZONES["cam_02"].zones)


def test_metrics_show_the_crowd(stack: Stack, delivered: Webhook) -> None:
    where = f'store_id="{STORE}",camera_id="cam_01"'
    assert prometheus_value(stack, f'rva_zone_occupancy{{{where},zone_id="checkout"}}') == in_zone("cam_01", CROWD,
                                                                                                   "checkout")
    assert prometheus_value(stack, f'rva_camera_people{{{where}}}') == len(CROWD)
    assert prometheus_value(stack, 'rva_zone_capacity{camera_id="cam_01",zone_id="checkout"}') == 6


def test_over_capacity_is_delivered(delivered: Webhook) -> None:
    alerts = delivered.received("ZoneOverCapacity", store_id=STORE)
    assert alerts, "Alertmanager delivered no ZoneOverCapacity"
    assert {(a["labels"]["camera_id"], a["labels"]["zone_id"]) for a in alerts} == {("cam_01", "checkout")}
    assert alerts[0]["status"] == "firing"
    assert f"holds {len(CROWD)} people" in alerts[0]["annotations"]["summary"]


def test_camera_silent_is_delivered_for_the_silent_camera_only(delivered: Webhook) -> None:
    alerts = delivered.received("CameraSilent", store_id=STORE)
    assert alerts, "Alertmanager delivered no CameraSilent"
    assert {a["labels"]["camera_id"] for a in alerts} == {"cam_02"}
    assert alerts[0]["status"] == "firing"


def test_rva_alerts_lists_what_fires(stack: Stack, delivered: Webhook) -> None:
    ours = [a for a in alerts.active(stack.cfg) if a.labels.get("store_id") == STORE]
    assert {(a.name, a.labels["camera_id"]) for a in ours} >= {("ZoneOverCapacity", "cam_01")}
    result = subprocess.run([sys.executable, "-m", "rva.cli", "alerts"], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    assert "ZoneOverCapacity" in result.stdout and "zone checkout of camera cam_01" in result.stdout
