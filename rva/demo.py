"""The main job on the bundled sample: stack up, pipeline running, sample in, rows out."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import trino
from rich.console import Console
from rich.table import Table

from rva import live, pipeline
from rva.config import REPO_ROOT, StackConfig
from rva.deployment import Deployment
from rva.errors import EngineError
from rva.lakehouse import trino_cursor
from rva.publish import publish
from rva.stack import control

console = Console()
SAMPLE = REPO_ROOT / "samples" / "events.ndjson"


def wait_for(cfg: StackConfig, sql: str, until: Callable[[list[tuple]], bool], what: str,
             timeout_s: float) -> list[tuple]:
    """Poll Trino with ``sql`` until ``until(rows)`` holds; the tables appear with their first commit."""
    deadline = time.monotonic() + timeout_s
    cursor = trino_cursor(cfg, "rva-demo")
    rows: list[tuple] = []
    while True:
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()
        except trino.exceptions.TrinoUserError as err:
            if "does not exist" not in str(err):
                raise
        if until(rows):
            return rows
        if time.monotonic() > deadline:
            raise EngineError(f"{what} not there after {timeout_s:.0f}s; see `rva pipeline status`")
        time.sleep(2)


def show(title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
    table = Table(*header, title=title)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    console.print(table)


def recent(lines: list[bytes], day: date) -> list[bytes]:
    """The sample's frames moved by whole days onto ``day`` (times of day kept): capture
    times must lie within max_event_age_days of the publish time (docs/events.md)."""
    events = [json.loads(line) for line in lines]
    first = datetime.fromisoformat(events[0]["capture_ts"].replace("Z", "+00:00")).date()
    shift = timedelta(days=(day - first).days)
    for event in events:
        when = datetime.fromisoformat(event["capture_ts"].replace("Z", "+00:00")) + shift
        event["capture_ts"] = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return [json.dumps(event, separators=(",", ":")).encode() for event in events]


def run(cfg: StackConfig, timeout_s: float = 300) -> None:
    report = control.up(cfg)
    jobs = pipeline.up(Deployment.main(cfg))
    console.print("pipeline: " + ", ".join(f"{layer} job {job}" for layer, job in jobs.items()))
    lines = [ln for ln in Path(SAMPLE).read_bytes().splitlines() if ln.strip()]
    # yesterday: never ahead of the broker's clock, whatever the time of day
    lines = recent(lines, (datetime.now(timezone.utc) - timedelta(days=1)).date())
    sent = publish(report["engines"]["pulsar"]["endpoints"]["service_url"], cfg.names.topic, lines)
    console.print(f"published {sent} sample events to {cfg.names.topic} (a re-run adds nothing: "
                  "events are de-duplicated on event_id)")
    bronze = wait_for(
        cfg,
        "SELECT camera_id, count(DISTINCT event_id), min(capture_ts), max(capture_ts) FROM bronze_raw "
        "WHERE stream_id LIKE '%/sample' GROUP BY camera_id ORDER BY camera_id",
        lambda rows: sum(r[1] for r in rows) >= sent, "the sample in bronze_raw", timeout_s)
    show(f"{cfg.names.catalog}.{cfg.names.iceberg_namespace}.bronze_raw (via Trino)",
         ("camera", "events", "first frame", "last frame"), bronze)
    gold = wait_for(
        cfg,
        "SELECT camera_id, window_start, detections, unique_people FROM gold_people_per_minute "
        "WHERE store_id = 'store_001' ORDER BY camera_id, window_start",
        lambda rows: len(rows) >= 2, "the sample's first minute in gold_people_per_minute", timeout_s)
    show("gold_people_per_minute", ("camera", "minute (UTC)", "detections", "people"), gold)
    dwell = wait_for(
        cfg,
        "SELECT camera_id, track_id, zone_id, enter_ts, round(dwell_s, 1) FROM gold_zone_dwell "
        "WHERE store_id = 'store_001' ORDER BY camera_id, track_id, enter_ts",
        lambda rows: len(rows) > 0, "zone visits in gold_zone_dwell", timeout_s)
    show("gold_zone_dwell", ("camera", "track", "zone", "entered", "dwell s"), dwell)
    newest = live.current(cfg.pulsar_service_url, cfg.names.live_topic, since_s=timeout_s * 2)
    console.print(live.table({cam: o for cam, o in newest.items() if o.store_id == "store_001"},
                             title=f"{cfg.names.live_topic}: the sample's last frame per camera"))
    console.print("  (follow the live topic with `rva live --follow`)")
    engines = report["engines"]
    console.print("Where to look:")
    console.print(f"  Flink UI        {engines['flink-jobmanager']['endpoints']['rest']}")
    console.print(f"  Trino           {engines['trino']['endpoints']['uri']}  (catalog {cfg.names.catalog}, "
                  f"schema {cfg.names.iceberg_namespace})")
    console.print(f"  MinIO console   {engines['minio']['endpoints']['console']}  "
                  f"(keys in {report['state_dir']}/credentials.env)")
    console.print(f"  Prometheus      {engines['prometheus']['endpoints']['url']}")
    console.print("  Stop with       rva pipeline down && rva stack down")
