"""Gold closes every window of a burst, whichever of the topic's partitions falls quiet last.

A Flink source's watermark is the smallest over its partitions that are not idle. One
camera's burst goes to partition 1; partition 0 gets a malformed message before the burst
and another one after it, so it holds the watermark at the epoch throughout and falls
quiet last. With Flink's own source, both partitions going idle left the reader idle at
the epoch: no window of the burst ever closed until the next message (the medallion test
met it by chance, when its partitions fell quiet in that order or in the same moment). The rva-pulsar
connector's last quiet partition hands the highest watermark on
(infra/flink/pulsar-source: QuietPartitionWatermarks), so every minute the burst's own
event time has passed is written, with nothing sent after it.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import yaml

from rva.config import REPO_ROOT
from rva.publish import publish
from rva.sql.render import PIPELINE
from rva.stack.provision import ensure_topic
from udfs.zones import load_zones

from .conftest import Stack
from .gold_reference import GoldReference, ms
from .store_scene import Scene, lines

RUN = uuid.uuid4().hex[:8]
NAMESPACE = f"it_quiet_{RUN}"
TOPIC = f"persistent://retail/metadata/it-quiet-{RUN}"
TUNABLES = yaml.safe_load(PIPELINE.read_text())
ZONES = load_zones(REPO_ROOT / "configs" / "zones.yaml")  # what the cluster's zone_of reads
WAIT_S = 420  # both partitions fall quiet (idle_timeout_s), then the hold, on a loaded machine
# Three days ago 08:00 UTC, inside max_event_age_days.
START = (datetime.now(timezone.utc) - timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)


def test_a_burst_closes_in_gold_when_a_partition_with_less_event_time_falls_quiet_last(stack: Stack) -> None:
    scene = Scene(f"quiet-{RUN}", (f"quiet-{RUN}-c00",), START, duration_s=200, fps=2)
    events = scene.events()
    burst = lines(events)
    ensure_topic(stack.cfg, TOPIC)  # two partitions, like the events topic
    job_ids: list[str] = []
    try:
        job_ids.append(stack.submit_layer("gold", NAMESPACE, TOPIC, RUN))
        assert publish(stack.pulsar_url, f"{TOPIC}-partition-0", [b"not json"]) == 1
        assert publish(stack.pulsar_url, f"{TOPIC}-partition-1", burst) == len(burst)
        time.sleep(2)  # partition 0 falls quiet after partition 1, never in the same moment
        assert publish(stack.pulsar_url, f"{TOPIC}-partition-0", [b"still not json"]) == 1

        # Everything the burst's own watermark has passed: its newest frame less the
        # out-of-orderness bound.
        closed_through = max(ms(e["capture_ts"]) for e in events) - TUNABLES["out_of_orderness_s"] * 1000
        expected = GoldReference(burst, ZONES, TUNABLES, closed_through_ms=closed_through).people_per_minute()
        assert len(expected) == 3, "the burst spans 3 whole minutes and closes them"
        rows = stack.poll(NAMESPACE, "SELECT store_id, camera_id, window_start, window_end, detections, "
                                     "unique_people FROM gold_people_per_minute", until=len(expected), wait_s=WAIT_S)
        assert set(map(tuple, rows)) == expected, f"{len(rows)} of {len(expected)} minutes written after {WAIT_S}s"
    finally:
        stack.drop_namespace(NAMESPACE, job_ids, (TOPIC,))
