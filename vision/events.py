"""The event the producer publishes: one JSON object per processed frame.

The contract is ``vision/schemas/event.schema.json``; Bronze (``templates/bronze``) reads
``event_id``, ``source.*``, ``frame_index`` and ``capture_ts`` from it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

SCHEMA_VERSION = 1


def format_capture_ts(when: datetime) -> str:
    """ISO-8601 UTC with milliseconds and a Z suffix, the only form Bronze accepts.

    Args:
        when: An aware datetime (any zone) or a naive one taken as UTC.

    Returns:
        For example ``2026-11-02T09:00:00.200Z``.
    """
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    utc = when.astimezone(timezone.utc)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def parse_capture_ts(text: str) -> datetime:
    """The inverse of :func:`format_capture_ts` (any ISO-8601 with a zone is accepted)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


END_OF_STREAM_KEY = "\x1fend-of-stream"


def make_event_id(store_id: str, camera_id: str, stream_id: str, frame_index: int) -> str:
    """A deterministic id: the same stream and frame give the same id on every run.

    Replaying a video therefore produces events that Silver can de-duplicate.

    Returns:
        32 hex characters (a 128-bit BLAKE2b digest).
    """
    key = "\x1f".join((store_id, camera_id, stream_id, str(frame_index)))
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class SourceRef:
    """Where a frame came from."""

    store_id: str
    camera_id: str
    stream_id: str


@dataclass(frozen=True)
class BBox:
    """An axis-aligned box in image pixels, (x1, y1) top-left, (x2, y2) bottom-right."""

    x1: float
    y1: float
    x2: float
    y2: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)


@dataclass(frozen=True)
class TrackedDetection:
    """One detected object in one frame, with its track id when the tracker has one."""

    det_id: int
    label: str
    bbox: BBox
    conf: float
    track_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "det_id": self.det_id,
            "class": self.label,
            "bbox": {"x1": round(self.bbox.x1, 1), "y1": round(self.bbox.y1, 1),
                     "x2": round(self.bbox.x2, 1), "y2": round(self.bbox.y2, 1)},
            "conf": round(self.conf, 4),
            "track_id": self.track_id,
        }


@dataclass(frozen=True)
class FrameEvent:
    """Everything the producer says about one frame: metadata only, never pixels."""

    source: SourceRef
    frame_index: int
    capture_ts: datetime
    width: int
    height: int
    detections: tuple[TrackedDetection, ...] = field(default_factory=tuple)
    end_of_stream: bool = False

    @property
    def event_id(self) -> str:
        # An end-of-stream frame's id is keyed apart from the frames': a later run of the
        # same stream that goes further must not lose its real frame of that index.
        stream = self.source.stream_id + (END_OF_STREAM_KEY if self.end_of_stream else "")
        return make_event_id(self.source.store_id, self.source.camera_id, stream, self.frame_index)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "event_id": self.event_id,
            "source": {"store_id": self.source.store_id, "camera_id": self.source.camera_id,
                       "stream_id": self.source.stream_id},
            "frame_index": self.frame_index,
            "capture_ts": format_capture_ts(self.capture_ts),
            "image_size": {"width": self.width, "height": self.height},
            "detections": [d.to_dict() for d in self.detections],
            **({"end_of_stream": True} if self.end_of_stream else {}),
        }

    def to_json(self) -> bytes:
        """Compact UTF-8 JSON, one line, as sent to the broker and written to NDJSON."""
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()


def end_of_stream(last: FrameEvent, close_after_s: float, now: datetime | None = None) -> FrameEvent:
    """The frame that announces the end of ``last``'s stream: no detections, stamped
    ``close_after_s`` after it, so event time moves past every window, visit and track
    the stream left open and Gold writes them without waiting for other traffic.

    ``now`` (for a live stream) caps the stamp at the wall clock: other live cameras on
    the same topic partition are at about now, and a stamp ahead of them would make
    their next frames late for Gold. A live camera that is gone has been gone a while
    (its retry budget), so its windows still close, by as much as it has been away.
    """
    ahead = last.capture_ts + timedelta(seconds=close_after_s)
    capture = min(ahead, now) if now is not None else ahead
    return FrameEvent(last.source, last.frame_index + 1, max(capture, last.capture_ts), last.width, last.height,
                      (), end_of_stream=True)
