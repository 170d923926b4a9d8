"""`rva pipeline watch`: the pipeline's own metrics for Prometheus, and reconciliation
on a schedule.

Flink, Pulsar and MinIO export their engine metrics; what only rva knows is served here
on ports.pipeline_metrics (infra/stack.yaml), and Prometheus scrapes it:

- rva_job_running{layer}, rva_job_restarts{layer}: each layer's job (Flink REST);
- rva_watermark_lag_seconds{layer}: wall time minus the event time each job has handed to
  its sinks (grows while a layer falls behind or a camera goes quiet; Bronze and the
  live path have no event time in their sinks);
- rva_late_events{layer, store_id, camera_id, beyond_allowed}: late events so far
  (silver_late_events, gold_late_events);
- rva_reconcile_*: runs, failures, pending camera-days, rows replaced, last run;
- the stores' figures (rva/store_metrics.py): last frame per camera, occupancy and
  capacity per zone, Iceberg commit time per table, loitering alerts.

Every reconcile_every_s (configs/pipeline.yaml) it runs `reconcile` over the pending
camera-days. `rva pipeline up` starts it in the background; `rva pipeline down` stops it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from rva import pipeline, reconcile, store_metrics
from rva.deployment import Deployment
from rva.errors import EngineError, RvaError
from rva.sql.render import LAYERS

log = logging.getLogger("rva.watch")


@dataclass
class WatchState:
    """What the loop has learnt so far; the collector reads it on every scrape."""

    late: list[reconcile.LateCount] = field(default_factory=list)
    pending: int = 0
    runs: int = 0
    failures: int = 0
    rows_replaced: Counter[str] = field(default_factory=Counter)
    last_run_at: float = 0.0
    last_run_s: float = 0.0
    last_error: str = ""


class PipelineCollector(Collector):
    """Prometheus collector: job figures fresh from Flink, the rest from WatchState."""

    def __init__(self, deployment: Deployment, state: WatchState) -> None:
        self.deployment = deployment
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        running = GaugeMetricFamily("rva_job_running", "1 while the layer's Flink job is RUNNING", labels=["layer"])
        restarts = GaugeMetricFamily("rva_job_restarts", "Restarts of the layer's current job", labels=["layer"])
        lag = GaugeMetricFamily("rva_watermark_lag_seconds",
                                "Wall time minus the event time the job has handed to its sinks", labels=["layer"])
        try:
            for s in pipeline.status(self.deployment):
                running.add_metric([s.layer], 1.0 if s.state == "RUNNING" else 0.0)
                restarts.add_metric([s.layer], s.restarts)
                if s.watermark is not None:
                    lag.add_metric([s.layer], time.time() - s.watermark.timestamp())
        except Exception as err:  # Flink down: say so through the metrics, not a 500
            log.warning("flink status: %s", err)
            for layer in LAYERS:
                running.add_metric([layer], 0.0)
        yield from (running, restarts, lag)
        late = CounterMetricFamily("rva_late_events", "Late events so far, per layer and camera",
                                   labels=["layer", "store_id", "camera_id", "beyond_allowed"])
        for c in self.state.late:
            late.add_metric([c.layer, c.store_id, c.camera_id, str(c.beyond_allowed).lower()], c.events)
        yield late
        yield GaugeMetricFamily("rva_reconcile_pending_camera_days",
                                "Camera-days with late events not yet final", value=self.state.pending)
        yield CounterMetricFamily("rva_reconcile_runs", "Reconciliation runs", value=self.state.runs)
        yield CounterMetricFamily("rva_reconcile_failures", "Failed reconciliation runs", value=self.state.failures)
        replaced = CounterMetricFamily("rva_reconcile_rows_written", "Gold rows written by reconciliation",
                                       labels=["table"])
        for table, rows in sorted(self.state.rows_replaced.items()):
            replaced.add_metric([table], rows)
        yield replaced
        yield GaugeMetricFamily("rva_reconcile_last_run_timestamp_seconds", "When the last run ended",
                                value=self.state.last_run_at)
        yield GaugeMetricFamily("rva_reconcile_last_run_seconds", "How long the last run took",
                                value=self.state.last_run_s)


def reconcile_once(deployment: Deployment, state: WatchState) -> None:
    """One scheduled run; a failure is logged and counted, never raised."""
    started = time.monotonic()
    try:
        report = reconcile.reconcile(deployment)
        state.runs += 1
        for change in report.changes:
            state.rows_replaced[change.table] += change.rows_after
        if report.camera_days:
            log.info("reconciled %d camera-day(s) up to %s: %s", len(report.camera_days), report.safe_point,
                     ", ".join(f"{c.table} {c.rows_before}->{c.rows_after}" for c in report.changes))
        state.last_error = ""
    except (RvaError, OSError, RuntimeError) as err:
        state.failures += 1
        state.last_error = str(err)
        log.error("reconcile failed: %s", err)
    state.last_run_at, state.last_run_s = time.time(), time.monotonic() - started


def refresh(deployment: Deployment, state: WatchState) -> None:
    """Late counts and pending camera-days from the tables."""
    try:
        state.late = reconcile.late_counts(deployment)
        state.pending = len(reconcile.pending(deployment))
    except Exception as err:  # the catalog or S3 is down for a moment: keep the last figures
        log.warning("late counts: %s", err)


def run(deployment: Deployment, port: int | None, stop: threading.Event | None = None,
        refresh_s: float = 30) -> None:
    """Serve metrics on ``port`` (None: none) and reconcile every reconcile_every_s until
    ``stop`` is set (or forever)."""
    stop = stop or threading.Event()
    state = WatchState()
    stores = store_metrics.StoreState()
    server = None
    if port is not None:
        registry = CollectorRegistry()  # not the global one: tests run a watch in-process
        registry.register(PipelineCollector(deployment, state))
        registry.register(store_metrics.StoreCollector(stores))
        try:
            server, _ = start_http_server(port, addr="127.0.0.1", registry=registry)
        except OSError as err:
            raise EngineError(f"cannot serve metrics on 127.0.0.1:{port}: {err.strerror} "
                              "(another `rva pipeline watch`? `--port` chooses another)") from err
        log.info("metrics on http://127.0.0.1:%d/metrics", port)
        threading.Thread(target=store_metrics.follow_live, args=(deployment, stores, stop),
                         name="live-topic", daemon=True).start()
    every_s = float(deployment.tunables()["reconcile_every_s"])
    next_run = time.monotonic() + every_s
    try:
        while not stop.is_set():
            refresh(deployment, state)
            store_metrics.refresh(deployment, stores)
            if time.monotonic() >= next_run:
                reconcile_once(deployment, state)
                next_run = time.monotonic() + every_s
            stop.wait(min(refresh_s, max(0.0, next_run - time.monotonic())))
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
