"""What only rva knows about the stores, for Prometheus (served by `rva pipeline watch`):

- rva_camera_last_frame_timestamp_seconds{store_id, camera_id}: capture time of the
  newest frame of each camera the live path has seen (the live topic, sql/live.sql),
  since the watch started and within the topic's retention before that;
- rva_camera_people / rva_zone_occupancy{store_id, camera_id[, zone_id]}: people in that
  frame, in view and per zone;
- rva_zone_capacity{camera_id, zone_id}: `capacity` of the zones the jobs run with;
- rva_table_last_commit_timestamp_seconds{table}: the current snapshot of each Iceberg
  table of the deployment (the catalog's snapshot log);
- rva_loitering_alerts / rva_loitering_last_alert_timestamp_seconds{store_id,
  camera_id, zone_id}: gold_alerts rows and the newest alert_ts;
- rva_live_reading: 1 while the live topic is being read (0: Pulsar unreachable).

The rules in infra/prometheus/alerts.yml.j2 read these.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from rva import applied_zones, live
from rva.deployment import Deployment
from rva.lakehouse import iceberg_catalog, trino_cursor
from udfs.zones import load_zones

log = logging.getLogger("rva.store_metrics")
RETRY_S = 5.0  # between attempts to read the live topic while Pulsar is away


@dataclass
class StoreState:
    """The newest figures; the reader thread and the refresh loop write, scrapes read."""

    newest: dict[str, live.Occupancy] = field(default_factory=dict)
    live_reading: bool = False
    capacity: dict[tuple[str, str], int] = field(default_factory=dict)
    commits: dict[str, float] = field(default_factory=dict)
    loitering: dict[tuple[str, str, str], tuple[int, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def follow_live(deployment: Deployment, state: StoreState, stop: threading.Event,
                since_s: float | None = None) -> None:
    """Keep ``state.newest`` current from the deployment's live topic until ``stop``;
    starts ``since_s`` back (default: the topic's retention), retries while Pulsar is away."""
    since_s = since_s if since_s is not None else deployment.cfg.names.live_topic_retention_minutes * 60
    while not stop.is_set():
        try:
            for occupancy in live.messages(deployment.cfg.pulsar_service_url, deployment.live_topic,
                                           since_s, follow=True, stop=stop):
                state.live_reading = True
                with state.lock:
                    live.keep_newest(state.newest, occupancy)
        except Exception as err:  # Pulsar down or a message not of the live format
            log.warning("live topic: %s", err)
        state.live_reading = False
        since_s = RETRY_S * 2  # what may have come while away
        stop.wait(RETRY_S)


def refresh(deployment: Deployment, state: StoreState) -> None:
    """Capacities, commit times and loitering alerts; keeps the last figures of any
    source that fails (logged)."""
    try:
        zones = load_zones(applied_zones.applied(deployment) or applied_zones.DEFAULT_ZONES)
        state.capacity = {(cam, z.zone_id): z.capacity for cam, c in zones.items() for z in c.zones
                          if z.capacity is not None}
    except Exception as err:
        log.warning("zones: %s", err)
    try:
        state.commits = commit_times(deployment)
    except Exception as err:
        log.warning("iceberg commits: %s", err)
    try:
        state.loitering = loitering(deployment)
    except Exception as err:
        log.warning("gold_alerts: %s", err)


def commit_times(deployment: Deployment) -> dict[str, float]:
    """Each table of the deployment's namespace -> its current snapshot's time (epoch s);
    tables without a snapshot are left out."""
    catalog = iceberg_catalog(deployment.cfg)
    if (deployment.namespace,) not in catalog.list_namespaces():
        return {}
    commits = {}
    for identifier in catalog.list_tables(deployment.namespace):
        snapshot = catalog.load_table(identifier).current_snapshot()
        if snapshot is not None:
            commits[identifier[-1]] = snapshot.timestamp_ms / 1000
    return commits


def loitering(deployment: Deployment) -> dict[tuple[str, str, str], tuple[int, float]]:
    """(store, camera, zone) -> (alerts in gold_alerts, newest alert_ts in epoch s)."""
    cursor = trino_cursor(deployment.cfg, "rva-watch", deployment.namespace)
    cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_name = 'gold_alerts'")
    if not cursor.fetchall():
        return {}
    cursor.execute("SELECT store_id, camera_id, zone_id, count(*), to_unixtime(max(alert_ts)) "
                   "FROM gold_alerts GROUP BY store_id, camera_id, zone_id")
    return {(store, cam, zone): (count, newest) for store, cam, zone, count, newest in cursor.fetchall()}


class StoreCollector(Collector):
    """Prometheus collector over a StoreState."""

    def __init__(self, state: StoreState) -> None:
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.state.lock:
            newest = list(self.state.newest.values())
        last = GaugeMetricFamily("rva_camera_last_frame_timestamp_seconds",
                                 "Capture time of the camera's newest frame on the live path",
                                 labels=["store_id", "camera_id"])
        people = GaugeMetricFamily("rva_camera_people", "People in view in the camera's newest frame",
                                   labels=["store_id", "camera_id"])
        zones = GaugeMetricFamily("rva_zone_occupancy", "People in the zone in the camera's newest frame",
                                  labels=["store_id", "camera_id", "zone_id"])
        for o in newest:
            last.add_metric([o.store_id, o.camera_id], o.capture_ts.timestamp())
            people.add_metric([o.store_id, o.camera_id], o.people)
            for zone_id, count in o.zones.items():
                zones.add_metric([o.store_id, o.camera_id, zone_id], count)
        yield from (last, people, zones)
        yield GaugeMetricFamily("rva_live_reading", "1 while the live topic is read",
                                value=1.0 if self.state.live_reading else 0.0)
        capacity = GaugeMetricFamily("rva_zone_capacity", "The zone's capacity (configs/zones.yaml)",
                                     labels=["camera_id", "zone_id"])
        for (cam, zone), value in sorted(self.state.capacity.items()):
            capacity.add_metric([cam, zone], value)
        yield capacity
        commits = GaugeMetricFamily("rva_table_last_commit_timestamp_seconds",
                                    "Time of the Iceberg table's current snapshot", labels=["table"])
        for table, at in sorted(self.state.commits.items()):
            commits.add_metric([table], at)
        yield commits
        alerts = GaugeMetricFamily("rva_loitering_alerts", "Loitering alerts in gold_alerts",
                                   labels=["store_id", "camera_id", "zone_id"])
        newest_alert = GaugeMetricFamily("rva_loitering_last_alert_timestamp_seconds",
                                         "alert_ts of the newest loitering alert in gold_alerts",
                                         labels=["store_id", "camera_id", "zone_id"])
        for key, (count, at) in sorted(self.state.loitering.items()):
            alerts.add_metric(list(key), count)
            newest_alert.add_metric(list(key), at)
        yield from (alerts, newest_alert)
