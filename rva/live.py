"""Read the live occupancy topic that sql/live.sql publishes: the newest figures per camera.

One JSON message per camera frame, keyed by camera::

    {"store_id": "store_001", "camera_id": "cam_01", "frame_index": 812,
     "capture_ts": "2026-11-23T18:30:11.199Z", "people": 3,
     "zones": [{"zone_id": "entrance", "people": 2}, {"zone_id": "aisle_1", "people": 1}],
     "published_ts": "2026-11-23T18:30:11.39Z"}
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pulsar
from rich.table import Table

from rva.errors import EngineError

# The client's own log lines would repeat, less clearly, the one-line errors raised here.
_CLIENT_LOG = logging.getLogger("rva.live.pulsar")
_CLIENT_LOG.setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Occupancy:
    """People in one camera's view and in each of its zones at one frame."""

    store_id: str
    camera_id: str
    frame_index: int
    capture_ts: datetime
    people: int
    zones: dict[str, int]
    published_ts: datetime

    @classmethod
    def from_json(cls, data: bytes) -> Occupancy:
        body = json.loads(data)
        return cls(
            store_id=body["store_id"], camera_id=body["camera_id"], frame_index=body["frame_index"],
            capture_ts=_timestamp(body["capture_ts"]), people=body["people"],
            zones={z["zone_id"]: z["people"] for z in body["zones"]},
            published_ts=_timestamp(body["published_ts"]),
        )


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def messages(service_url: str, topic: str, since_s: float, follow: bool = False,
             stop: threading.Event | None = None) -> Iterator[Occupancy]:
    """The topic's messages published in the last ``since_s`` seconds, in order per
    camera; with ``follow``, then every new one until the caller stops or ``stop`` is set."""
    client = pulsar.Client(service_url, logger=_CLIENT_LOG, operation_timeout_seconds=10)
    try:
        try:
            reader = client.create_reader(topic, pulsar.MessageId.earliest)
            reader.seek(int((time.time() - since_s) * 1000))
        except pulsar.PulsarException as err:
            raise EngineError(f"cannot read {topic} at {service_url}: {err}; is the stack up (`rva stack up`)?") from err
        while (follow and not (stop and stop.is_set())) or reader.has_message_available():
            try:
                yield Occupancy.from_json(reader.read_next(timeout_millis=1000).data())
            except pulsar.Timeout:
                continue
    finally:
        client.close()


def keep_newest(newest: dict[str, Occupancy], occupancy: Occupancy) -> bool:
    """Put ``occupancy`` in ``newest`` (camera -> figures) unless that camera has newer
    ones; returns whether it did."""
    known = newest.get(occupancy.camera_id)
    if known is not None and occupancy.capture_ts < known.capture_ts:
        return False
    newest[occupancy.camera_id] = occupancy
    return True


def current(service_url: str, topic: str, since_s: float = 10) -> dict[str, Occupancy]:
    """The newest figures per camera among the last ``since_s`` seconds of messages."""
    newest: dict[str, Occupancy] = {}
    for occupancy in messages(service_url, topic, since_s):
        keep_newest(newest, occupancy)
    return newest


def table(newest: dict[str, Occupancy], title: str | None = None) -> Table:
    """One row per camera: its newest frame's people in view and per zone."""
    rows = Table("store", "camera", "frame", "captured (UTC)", "people", "per zone", "published (UTC)", title=title)
    for cam in sorted(newest):
        o = newest[cam]
        zones = ", ".join(f"{zone} {people}" for zone, people in o.zones.items()) or "-"
        rows.add_row(o.store_id, cam, str(o.frame_index), f"{o.capture_ts:%Y-%m-%d %H:%M:%S}", str(o.people),
                     zones, f"{o.published_ts:%H:%M:%S.%f}"[:-3])
    return rows

