"""`check_event(payload, max_bytes)`: udfs/events.py's rule as a Flink table function,
for every layer (`LEFT JOIN LATERAL TABLE(CHECK_EVENT(payload, n)) AS c (problem, event)`).

Yields exactly one row per message, (problem, event): the reason a message is not a
valid event (and a NULL event), or a NULL problem and the event, normalized, in the
shape the SQL models read. It never raises: a message that breaks the rule's own code
is refused with the error, so no message can stop a job.

A table function, not a scalar one: Flink 1.20's planner fails (ClassCastException
RexFieldAccess -> RexCall, in its Python calc split) on a field of a field of a Python
scalar function's ROW result, which every model reads (event.`source`.store_id).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyflink.table import DataTypes, Row
from pyflink.table.udf import udtf

from udfs.events import check

BOX = DataTypes.ROW([DataTypes.FIELD(k, DataTypes.DOUBLE()) for k in ("x1", "y1", "x2", "y2")])
DETECTION = DataTypes.ROW([
    DataTypes.FIELD("det_id", DataTypes.INT()),
    DataTypes.FIELD("class", DataTypes.STRING()),
    DataTypes.FIELD("bbox", BOX),
    DataTypes.FIELD("conf", DataTypes.DOUBLE()),
    DataTypes.FIELD("track_id", DataTypes.BIGINT()),
])
EVENT = DataTypes.ROW([
    DataTypes.FIELD("event_id", DataTypes.STRING()),
    DataTypes.FIELD("source", DataTypes.ROW([
        DataTypes.FIELD("store_id", DataTypes.STRING()),
        DataTypes.FIELD("camera_id", DataTypes.STRING()),
        DataTypes.FIELD("stream_id", DataTypes.STRING()),
    ])),
    DataTypes.FIELD("frame_index", DataTypes.BIGINT()),
    DataTypes.FIELD("image_size", DataTypes.ROW([
        DataTypes.FIELD("width", DataTypes.INT()), DataTypes.FIELD("height", DataTypes.INT()),
    ])),
    DataTypes.FIELD("detections", DataTypes.ARRAY(DETECTION)),
])


def as_row(event: dict[str, Any]) -> Row:
    source, size = event["source"], event["image_size"]
    return Row(
        event["event_id"],
        Row(source["store_id"], source["camera_id"], source.get("stream_id")),
        event["frame_index"],
        Row(size["width"], size["height"]),
        [Row(d["det_id"], d["class"], Row(*(float(d["bbox"][k]) for k in ("x1", "y1", "x2", "y2"))),
             float(d["conf"]), d["track_id"]) for d in event["detections"]],
    )


def outcome(payload: bytes | None, max_bytes: int) -> tuple[str | None, Row | None]:
    """(problem, event) for one message; never raises."""
    try:
        checked = check(payload, max_bytes)
        return checked.problem, as_row(checked.event) if checked.event else None
    except Exception as err:  # a bug here must not fail the job: the message is refused instead
        return f"internal error checking the event: {type(err).__name__}: {err}", None


@udtf(result_types=[DataTypes.STRING(), EVENT])
def check_event(payload: bytes | None, max_bytes: int) -> Iterator[tuple[str | None, Row | None]]:
    yield outcome(payload, max_bytes)
