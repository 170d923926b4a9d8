"""Pulsar -> Flink SQL (sql-client -f) -> Iceberg REST catalog on S3 -> Trino and pyiceberg.

The Bronze script is rendered into a namespace and topic of this run's own, submitted
with `sql-client.sh -f`, fed known events (valid and malformed), and read back
through Trino and pyiceberg; expected rows are computed here from the same events.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from pyiceberg.catalog import load_catalog

from rva import flink
from rva.publish import publish

from .conftest import Stack

RUN = uuid.uuid4().hex[:8]
# Yesterday: capture times must lie within max_event_age_days of the broker's receipt.
DAY = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()


def valid_event(camera: str, frame: int) -> dict[str, object]:
    return {
        "schema_version": 1,
        "event_id": f"{RUN}-{camera}-{frame:04d}",
        "source": {"store_id": "store_it", "camera_id": camera, "stream_id": f"{camera}/it"},
        "frame_index": frame,
        "capture_ts": f"{DAY}T10:00:{frame:02d}.{frame * 7 % 1000:03d}Z",
        "image_size": {"width": 640, "height": 480},
        "detections": [{"det_id": 0, "class": "person", "conf": 0.8, "track_id": frame % 3 + 1,
                        "bbox": {"x1": 1.0, "y1": 2.0, "x2": 30.0, "y2": 90.0}}],
    }


VALID = [valid_event(camera, frame) for camera in ("cam_a", "cam_b") for frame in range(12)]
# Each malformed message and the reason Bronze must give for it.
MALFORMED: list[tuple[bytes, str]] = [
    (b"this is not json", "not JSON: Expecting value: line 1 column 1 (char 0)"),
    (b"\xff\xfe\x00 binary garbage", "not UTF-8 (byte 0)"),
    (json.dumps({"event_id": f"{RUN}-x", "source": {"camera_id": "cam_a"}}).encode(), "frame_index: missing"),
    (json.dumps({**valid_event("cam_a", 50), "frame_index": "seven"}).encode(), "frame_index: not an integer"),
    (json.dumps({**valid_event("cam_a", 51), "capture_ts": f"{DAY} 10:00:00"}).encode(),
     f"capture_ts: '{DAY} 10:00:00' is not in the form 2026-11-02T09:00:00.000Z"),
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


@dataclass(frozen=True)
class BronzeRun:
    namespace: str
    job_id: str


@pytest.fixture(scope="module")
def bronze_run(stack: Stack) -> Iterator[BronzeRun]:
    namespace, topic = f"it_{RUN}", f"persistent://retail/metadata/it-{RUN}"
    job_id = stack.submit_layer("bronze", namespace, topic, RUN)
    lines = [json.dumps(e).encode() for e in VALID] + [payload for payload, _ in MALFORMED]
    assert publish(stack.pulsar_url, topic, lines) == len(lines)
    yield BronzeRun(namespace, job_id)
    stack.drop_namespace(namespace, [job_id], (topic,))


class TestBronzeRoundTrip:
    def test_valid_events_read_back_through_trino(self, stack: Stack, bronze_run: BronzeRun) -> None:
        rows = stack.poll(bronze_run.namespace,
                    "SELECT event_id, store_id, camera_id, stream_id, frame_index, capture_ts, payload "
                    "FROM bronze_raw ORDER BY event_id", until=len(VALID))
        expected = sorted(
            (e["event_id"], e["source"]["store_id"], e["source"]["camera_id"], e["source"]["stream_id"],
             e["frame_index"], utc(e["capture_ts"]), e)
            for e in VALID
        )
        got = [(r[0], r[1], r[2], r[3], r[4], r[5].astimezone(timezone.utc), json.loads(r[6])) for r in rows]
        assert got == expected

    def test_malformed_messages_kept_with_reason(self, stack: Stack, bronze_run: BronzeRun) -> None:
        rows = stack.poll(bronze_run.namespace, "SELECT reason, payload FROM bronze_rejects",
                    until=len(MALFORMED))
        assert sorted((reason, bytes(payload)) for reason, payload in rows) == sorted(
            (reason, payload) for payload, reason in MALFORMED)

    def test_same_rows_through_pyiceberg(self, stack: Stack, bronze_run: BronzeRun) -> None:
        stack.poll(bronze_run.namespace, "SELECT event_id FROM bronze_raw", until=len(VALID))
        catalog = load_catalog("rva-tests", **stack.catalog_properties())
        table = catalog.load_table((bronze_run.namespace, "bronze_raw")).scan(
            selected_fields=("event_id", "camera_id", "frame_index", "capture_ts")).to_arrow()
        got = sorted(zip(*(table.column(c).to_pylist() for c in table.column_names)))
        expected = sorted(
            (e["event_id"], e["source"]["camera_id"], e["frame_index"], utc(e["capture_ts"])) for e in VALID)
        assert got == expected

    def test_job_still_running_after_bad_messages(self, stack: Stack, bronze_run: BronzeRun) -> None:
        stack.poll(bronze_run.namespace, "SELECT reason FROM bronze_rejects", until=len(MALFORMED))
        states = {job.job_id: job.state for job in flink.jobs(stack.cfg)}
        assert states[bronze_run.job_id] == "RUNNING"
