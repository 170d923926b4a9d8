"""Silver and Gold computed in plain Python from the messages as they were published.

The integration tests compare every Silver and Gold table with this. It follows the
documented model, not the SQL: first arrival of each event_id wins; an event more than
allowed_lateness_s behind the newest earlier frame of its camera is late (kept in
Silver, counted nowhere in Gold); Gold's windows, visits and alerts are computed over
every other detection. ``closed_through_ms`` (a watermark) leaves out what Gold cannot
have written yet; None means everything is closed (the tests then end with frames far
ahead). Zones and lines are placed by tests/zone_reference.py, geometry written apart
from the UDFs' udfs/zones.py.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from tests import zone_reference
from udfs.zones import CameraZones


def ms(ts: str) -> int:
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def utc_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=timezone.utc)


@dataclass(frozen=True)
class Detection:
    event_id: str
    det_id: int
    store_id: str
    camera_id: str
    track_id: int | None
    t_ms: int
    cx: float
    cy: float
    w: float
    h: float
    conf: float
    zone_id: str | None
    is_late: bool


@dataclass(frozen=True)
class LateEvent:
    """A silver_late_events row: an event behind newer frames of its camera."""

    store_id: str
    camera_id: str
    event_id: str
    lateness_ms: int
    detections: int
    is_late: bool


def sessions(times: list[int], gap_ms: int) -> list[list[int]]:
    """Indices of ``times`` (sorted) grouped into visits split at gaps >= gap_ms."""
    groups: list[list[int]] = []
    for i, t in enumerate(times):
        if groups and t - times[groups[-1][-1]] < gap_ms:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def upgraded(event: Any) -> Any:
    """A version-0 event (no schema_version: the earlier pipeline's frame) as docs/events.md
    says rva reads it: event_id "v0-" and the 128-bit BLAKE2b of the JSON list [store_id,
    camera_id, stream_id, frame_index, capture_ts]; string det_ids become positions."""
    if not isinstance(event, dict) or "schema_version" in event:
        return event
    source = event.get("source") or {}
    key = json.dumps([source.get("store_id"), source.get("camera_id"), source.get("stream_id"),
                      event.get("frame_index"), event.get("capture_ts")])
    detections = event.get("detections") or []
    if any(not isinstance(d.get("det_id"), int) for d in detections):
        detections = [{**d, "det_id": i} for i, d in enumerate(detections)]
    return {"event_id": "v0-" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest(),
            **event, "schema_version": 1, "detections": detections}


def _valid(event: Any) -> bool:
    """What events_valid lets through (the typed source, then its checks)."""
    if not isinstance(event, dict):
        return False
    source, size = event.get("source") or {}, event.get("image_size") or {}
    return (isinstance(event.get("event_id"), str) and isinstance(source, dict)
            and isinstance(source.get("store_id"), str) and isinstance(source.get("camera_id"), str)
            and isinstance(event.get("frame_index"), int) and isinstance(event.get("capture_ts"), str)
            and isinstance(size, dict) and (size.get("width") or 0) > 0 and (size.get("height") or 0) > 0)


class GoldReference:
    """Silver and Gold from ``messages`` (in publish order, each camera's in topic order).

    Args:
        messages: What was published, valid or not, duplicates included.
        zones: The zones config the cluster's UDFs read, per camera.
        tunables: configs/pipeline.yaml values as the jobs were rendered with.
        closed_through_ms: The Gold job's watermark; None: everything has closed.
    """

    def __init__(self, messages: Iterable[bytes], zones: dict[str, CameraZones], tunables: dict[str, Any],
                 closed_through_ms: int | None = None) -> None:
        self.zones = zones
        self.tunables = tunables
        self.closed_through_ms = closed_through_ms
        self.silver: list[Detection] = []
        self.late_events: list[LateEvent] = []
        self.events: list[dict[str, Any]] = []
        seen: set[str] = set()
        newest: dict[tuple[str, str], int] = {}
        allowed_ms = tunables["allowed_lateness_s"] * 1000
        for raw in messages:
            try:
                event = upgraded(json.loads(raw))
            except ValueError:
                continue
            if not _valid(event) or event["event_id"] in seen:
                continue
            seen.add(event["event_id"])
            self.events.append(event)
            store, cam = event["source"]["store_id"], event["source"]["camera_id"]
            t = ms(event["capture_ts"])
            newest[(store, cam)] = max(newest.get((store, cam), t), t)
            lateness = newest[(store, cam)] - t
            is_late = lateness > allowed_ms
            if lateness > tunables["out_of_orderness_s"] * 1000:
                self.late_events.append(LateEvent(store, cam, event["event_id"], lateness,
                                                  len(event.get("detections") or []), is_late))
            size = event["image_size"]
            for d in event.get("detections") or []:
                b = d["bbox"]
                cx = (b["x1"] + b["x2"]) / 2 / size["width"]
                cy = (b["y1"] + b["y2"]) / 2 / size["height"]
                w = (b["x2"] - b["x1"]) / size["width"]
                h = (b["y2"] - b["y1"]) / size["height"]
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)  # as Silver rebuilds it
                self.silver.append(Detection(
                    event["event_id"], d["det_id"], store, cam, d.get("track_id"), t, cx, cy, w, h,
                    d["conf"], zone_reference.zone_of(zones.get(cam), box), is_late))
        self.counted = [d for d in self.silver if not d.is_late]

    # --- helpers ------------------------------------------------------------------------
    def _closed(self, close_ms: int) -> bool:
        return self.closed_through_ms is None or close_ms <= self.closed_through_ms

    @staticmethod
    def _minute(t_ms: int) -> tuple[datetime, datetime]:
        start = t_ms // 60_000 * 60_000
        return utc_ms(start).replace(tzinfo=None), utc_ms(start + 60_000).replace(tzinfo=None)

    def _window_closed(self, end: datetime) -> bool:
        return self._closed(int(end.replace(tzinfo=timezone.utc).timestamp() * 1000))

    def _tracks(self) -> dict[tuple[str, str, int], list[Detection]]:
        tracks: dict[tuple[str, str, int], list[Detection]] = defaultdict(list)
        for d in self.counted:
            if d.track_id is not None:
                tracks[(d.store_id, d.camera_id, d.track_id)].append(d)
        for ds in tracks.values():
            ds.sort(key=lambda d: d.t_ms)
        return tracks

    def _visits(self, key: Callable[[Detection], tuple | None], gap_s: int) -> list[tuple[tuple, list[Detection]]]:
        by_key: dict[tuple, list[Detection]] = defaultdict(list)
        for d in self.counted:
            if (k := key(d)) is not None:
                by_key[k].append(d)
        visits = []
        for k, ds in by_key.items():
            ds.sort(key=lambda d: d.t_ms)
            for group in sessions([d.t_ms for d in ds], gap_s * 1000):
                members = [ds[i] for i in group]
                if self._closed(members[-1].t_ms + gap_s * 1000):
                    visits.append((k, members))
        return visits

    # --- Gold -----------------------------------------------------------------------------
    def people_per_minute(self) -> set[tuple]:
        groups: dict[tuple, list[Detection]] = defaultdict(list)
        for d in self.counted:
            groups[(d.store_id, d.camera_id, *self._minute(d.t_ms))].append(d)
        return {(store, cam, start, end, len(ds), len({d.track_id for d in ds if d.track_id is not None}))
                for (store, cam, start, end), ds in groups.items() if self._window_closed(end)}

    def heatmap(self) -> set[tuple]:
        grid = self.tunables["heatmap_grid"]
        groups: dict[tuple, int] = defaultdict(int)
        for d in self.counted:
            cell = (min(math.floor(d.cx * grid), grid - 1), min(math.floor(d.cy * grid), grid - 1))
            groups[(d.store_id, d.camera_id, *self._minute(d.t_ms), *cell)] += 1
        return {(store, cam, start, end, x, y, hits)
                for (store, cam, start, end, x, y), hits in groups.items() if self._window_closed(end)}

    def track_summary(self) -> list[tuple]:
        rows = []
        tracked = self._visits(lambda d: (d.store_id, d.camera_id, d.track_id) if d.track_id is not None else None,
                               self.tunables["track_gap_s"])
        for (store, cam, track), ds in tracked:
            rows.append((store, cam, track, utc_ms(ds[0].t_ms), utc_ms(ds[-1].t_ms),
                         (ds[-1].t_ms - ds[0].t_ms) / 1000, len(ds), ds[-1].cx - ds[0].cx,
                         ds[-1].cy - ds[0].cy, sum(d.conf for d in ds) / len(ds)))
        return sorted(rows)

    def zone_dwell(self) -> list[tuple]:
        rows = []
        visits = self._visits(
            lambda d: (d.store_id, d.camera_id, d.track_id, d.zone_id)
            if d.track_id is not None and d.zone_id else None, self.tunables["dwell_gap_s"])
        for (store, cam, track, zone), ds in visits:
            dwell = (ds[-1].t_ms - ds[0].t_ms) / 1000
            if dwell >= self.tunables["min_visit_s"]:
                rows.append((store, cam, track, zone, utc_ms(ds[0].t_ms), utc_ms(ds[-1].t_ms), dwell))
        return sorted(rows)

    def line_crossings(self) -> set[tuple]:
        """A crossing is a change of the side a track's box was last wholly on, from one
        detection to the next within the segment's ends (a detection beyond them resets it)."""
        counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        for (store, cam, _track), ds in self._tracks().items():
            camera_zones = self.zones.get(cam)
            for line in camera_zones.lines if camera_zones else ():
                settled = 0
                for d in ds:
                    side = zone_reference.side(line, camera_zones, (d.cx - d.w / 2, d.cy - d.h / 2,
                                                                    d.cx + d.w / 2, d.cy + d.h / 2))
                    if side is None:
                        settled = 0
                        continue
                    if side and settled and side != settled:
                        counts[(store, cam, line.line_id, *self._minute(d.t_ms))][0 if side == 1 else 1] += 1
                    settled = side or settled
        return {(store, cam, line, start, end, c_in, c_out)
                for (store, cam, line, start, end), (c_in, c_out) in counts.items() if self._window_closed(end)}

    def alerts(self) -> list[tuple]:
        """Loitering: a stay is a track's run of consecutive detections in one zone (a
        detection elsewhere, in no zone, or a gap of track_gap_s ends it); an alert at its
        first detection loitering_s in, and at each further loitering_s."""
        period, gap = self.tunables["loitering_s"] * 1000, self.tunables["track_gap_s"] * 1000
        rows = []
        for (store, cam, track), ds in self._tracks().items():
            entered, previous = 0, None
            for d in ds:
                enters = previous is None or (previous.zone_id or "") != (d.zone_id or "") \
                    or d.t_ms - previous.t_ms >= gap
                if enters:
                    entered = d.t_ms
                now = (d.t_ms - entered) // period
                before = -1 if enters or previous is None else (previous.t_ms - entered) // period
                if d.zone_id and now >= 1 and now > before and self._closed(d.t_ms):
                    rows.append((store, cam, track, d.zone_id, "loitering", utc_ms(entered), utc_ms(d.t_ms)))
                previous = d
        return sorted(rows)

    def tables(self) -> dict[str, Any]:
        """Every Gold table, as the comparison in the tests takes it."""
        return {
            "gold_people_per_minute": self.people_per_minute(),
            "gold_zone_heatmap": self.heatmap(),
            "gold_track_summary": self.track_summary(),
            "gold_zone_dwell": self.zone_dwell(),
            "gold_line_crossings": self.line_crossings(),
            "gold_alerts": self.alerts(),
        }
