"""Store zones and counting lines per camera, in normalized 0..1 image coordinates.

The YAML shape (configs/zones.yaml, documented in docs/zones.md)::

    cameras:
      cam_01:
        anchor: bottom_center        # or center; the point of a box that is "where" it is
        zones:
          entrance: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]
        lines:
          door: [[0.5, 0], [0.5, 1]]                     # 'in' is towards the left side
          exit: {points: [[0.8, 0], [0.8, 1]], in: right}

A person stands where their feet are, so zones, occupancy and lines use the box's
bottom centre by default (as supervision's PolygonZone and LineZone do): in a store
camera's perspective the box centre is the torso, often above a different floor area.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Point = tuple[float, float]
# The Flink job parameter that names the zones file for zone_of() (`rva pipeline up`).
JOB_PARAMETER = "rva.zones"
ANCHORS = ("bottom_center", "center")
# line_side's answer for a box whose anchor is beyond the line's end points: neither
# side, and not "on the line" either, so a walk around the end is never a crossing.
BEYOND_ENDS = 2


class ZoneConfigError(ValueError):
    """The zones file is missing or holds an invalid camera, zone or line."""


@dataclass(frozen=True)
class Zone:
    """A named store area in one camera's normalized image coordinates."""

    zone_id: str
    polygon: tuple[Point, ...]
    capacity: int | None = None  # most people the area should hold (alerts only)

    def contains(self, x: float, y: float) -> bool:
        """True if (x, y) lies inside the polygon (even-odd rule; edges count as inside)."""
        inside = False
        points = self.polygon
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]):
            if _on_segment(x, y, x1, y1, x2, y2):
                return True
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


@dataclass(frozen=True)
class Line:
    """A counting segment from ``start`` to ``end``; 'in' is crossing to its ``in_side``.

    Left is where the cross product (end - start) x (point - start) is positive; with
    image y pointing down, a line drawn top to bottom has its left at smaller x.
    ``in_side`` is +1 for left (the default) and -1 for right.
    """

    line_id: str
    start: Point
    end: Point
    in_side: int = 1

    def side_of(self, x: float, y: float) -> float:
        (sx, sy), (ex, ey) = self.start, self.end
        return (ex - sx) * (y - sy) - (ey - sy) * (x - sx)

    def between_ends(self, x: float, y: float) -> bool:
        """True if (x, y) projects onto the segment: it is level with the door, not past it."""
        (sx, sy), (ex, ey) = self.start, self.end
        along = (x - sx) * (ex - sx) + (y - sy) * (ey - sy)
        return 0 <= along <= (ex - sx) ** 2 + (ey - sy) ** 2

    def crossing_side(self, box: tuple[float, float, float, float], anchor: Point) -> int:
        """+1 if the whole box is on the 'in' side, -1 on the 'out' side, 0 on the line,
        BEYOND_ENDS if the anchor is past the segment's end points.

        Gold counts a crossing when this turns from -1 to +1 (in) or +1 to -1 (out),
        zeros in between keeping the last side; BEYOND_ENDS breaks the run, so someone
        walking around the end of a door line is not counted.
        """
        if not self.between_ends(*anchor):
            return BEYOND_ENDS
        return self.side_of_box(*box) * self.in_side

    def side_of_box(self, x1: float, y1: float, x2: float, y2: float) -> int:
        """+1 if the whole box is left of the line, -1 if right, 0 if it straddles it.

        Counting on whole boxes means a box sitting on the line never flips a track's
        side back and forth, so each crossing is counted once.
        """
        sides = [self.side_of(x, y) for x in (x1, x2) for y in (y1, y2)]
        if all(s > 0 for s in sides):
            return 1
        if all(s < 0 for s in sides):
            return -1
        return 0


@dataclass(frozen=True)
class CameraZones:
    camera_id: str
    zones: tuple[Zone, ...]
    lines: tuple[Line, ...]
    anchor: str = "bottom_center"

    def anchor_of(self, x1: float, y1: float, x2: float, y2: float) -> Point:
        """The point of a box (normalized corners) that zones and lines place."""
        if self.anchor == "center":
            return (x1 + x2) / 2, (y1 + y2) / 2
        return (x1 + x2) / 2, max(y1, y2)

    def zone_of_box(self, x1: float, y1: float, x2: float, y2: float) -> str | None:
        """The zone of the box's anchor (see zone_of)."""
        return self.zone_of(*self.anchor_of(x1, y1, x2, y2))

    def line_sides(self, x1: float, y1: float, x2: float, y2: float) -> list[tuple[str, int]]:
        """Each line's crossing_side for the box, in file order."""
        anchor = self.anchor_of(x1, y1, x2, y2)
        return [(line.line_id, line.crossing_side((x1, y1, x2, y2), anchor)) for line in self.lines]

    def zone_of(self, x: float, y: float) -> str | None:
        """The first zone (in file order) that contains the point, or None."""
        return next((z.zone_id for z in self.zones if z.contains(x, y)), None)

    def count_by_zone(self, points: Iterable[Point]) -> dict[str, int]:
        """How many of ``points`` each zone holds: every zone, in file order, 0 when empty."""
        counts = {zone.zone_id: 0 for zone in self.zones}
        for x, y in points:
            zone_id = self.zone_of(x, y)
            if zone_id is not None:
                counts[zone_id] += 1
        return counts


def _on_segment(x: float, y: float, x1: float, y1: float, x2: float, y2: float) -> bool:
    cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
    return abs(cross) < 1e-12 and min(x1, x2) <= x <= max(x1, x2) and min(y1, y2) <= y <= max(y1, y2)


def _points(where: str, value: Any, minimum: int) -> tuple[Point, ...]:
    if not isinstance(value, list) or len(value) < minimum:
        count = len(value) if isinstance(value, list) else type(value).__name__
        raise ZoneConfigError(f"{where}: need >= {minimum} points, got {count}")
    points = []
    for i, point in enumerate(value):
        if (not isinstance(point, list) or len(point) != 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in point)):
            raise ZoneConfigError(f"{where}[{i}]: need [x, y] numbers, got {point!r}")
        if not all(0 <= c <= 1 for c in point):
            raise ZoneConfigError(f"{where}[{i}]: coordinates are normalized to 0..1, got {point!r}")
        points.append((float(point[0]), float(point[1])))
    return tuple(points)


def _polygon_area(points: tuple[Point, ...]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]))) / 2


def _zone(where: str, zone_id: str, spec: Any) -> Zone:
    """A zone from ``[[x, y], ...]`` or ``{points: [[x, y], ...], capacity: N}``."""
    capacity = None
    if isinstance(spec, dict):
        if set(spec) - {"points", "capacity"} or "points" not in spec:
            raise ZoneConfigError(f"{where}: need 'points' and optionally 'capacity' (people)")
        capacity = spec.get("capacity")
        if capacity is not None and (not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1):
            raise ZoneConfigError(f"{where}.capacity: need a whole number of people >= 1, got {capacity!r}")
        spec = spec["points"]
    points = _points(where, spec, 3)
    if _polygon_area(points) == 0:
        raise ZoneConfigError(f"{where}: polygon has zero area")
    return Zone(zone_id, points, capacity)


def _line(where: str, line_id: str, spec: Any) -> Line:
    """A line from ``[[x, y], [x, y]]`` or ``{points: [[x, y], [x, y]], in: left|right}``."""
    in_side = "left"
    if isinstance(spec, dict):
        if set(spec) - {"points", "in"} or "points" not in spec:
            raise ZoneConfigError(f"{where}: need 'points' and optionally 'in' (left or right)")
        in_side = spec.get("in", "left")
        if in_side not in ("left", "right"):
            raise ZoneConfigError(f"{where}.in: need left or right, got {in_side!r}")
        spec = spec["points"]
    points = _points(where, spec, 2)
    if len(points) != 2 or points[0] == points[1]:
        raise ZoneConfigError(f"{where}: need two distinct points")
    return Line(line_id, points[0], points[1], 1 if in_side == "left" else -1)


def parse_zones(data: Any, source: str = "zones") -> dict[str, CameraZones]:
    """Validate the zones mapping and build one CameraZones per camera.

    Raises:
        ZoneConfigError: naming the key, the bad value and what was expected.
    """
    if not isinstance(data, dict) or not isinstance(data.get("cameras"), dict):
        raise ZoneConfigError(f"{source}: need a top-level 'cameras' mapping")
    cameras = {}
    for camera_id, spec in data["cameras"].items():
        where = f"{source}: cameras.{camera_id}"
        if not isinstance(spec, dict) or set(spec) - {"zones", "lines", "anchor"}:
            raise ZoneConfigError(f"{where}: need a mapping with 'zones', 'lines' and/or 'anchor'")
        anchor = spec.get("anchor", ANCHORS[0])
        if anchor not in ANCHORS:
            raise ZoneConfigError(f"{where}.anchor: need one of {', '.join(ANCHORS)}, got {anchor!r}")
        zones = []
        for zone_id, zone_spec in (spec.get("zones") or {}).items():
            zones.append(_zone(f"{where}.zones.{zone_id}", str(zone_id), zone_spec))
        lines = []
        for line_id, line_spec in (spec.get("lines") or {}).items():
            lines.append(_line(f"{where}.lines.{line_id}", str(line_id), line_spec))
        cameras[str(camera_id)] = CameraZones(str(camera_id), tuple(zones), tuple(lines), anchor)
    return cameras


def load_zones_for_job(get_job_parameter: Callable[[str, str], str]) -> dict[str, CameraZones]:
    """The zones file a Flink UDF is given through the job parameter JOB_PARAMETER."""
    path = get_job_parameter(JOB_PARAMETER, "")
    if not path:
        raise ZoneConfigError(f"job parameter {JOB_PARAMETER} is not set: submit with `rva pipeline up`")
    return load_zones(path)


def load_zones(path: str | Path) -> dict[str, CameraZones]:
    """Read and validate a zones YAML file."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as err:
        raise ZoneConfigError(f"{path}: cannot read: {err.strerror}") from err
    except yaml.YAMLError as err:
        raise ZoneConfigError(f"{path}: not valid YAML: {err}") from err
    return parse_zones(data, str(path))
