"""Zone and line geometry written a second way, for the tests' references.

udfs/zones.py is what the cluster's UDFs run; the Silver/Gold references and the live
test place boxes with this instead, so a mistake in one shows up as a mismatch with the
other: containment by winding number (not even-odd ray casting), the segment test by
the angles at both end points (not a projection), sides from the line's normal.
"""

from __future__ import annotations

import math

from udfs.zones import CameraZones, Line, Zone

Box = tuple[float, float, float, float]  # x1, y1, x2, y2, normalized


def anchor(camera: CameraZones, box: Box) -> tuple[float, float]:
    """Bottom centre (the feet) or centre, as the camera's config says."""
    x1, y1, x2, y2 = box
    return ((x1 + x2) / 2, y2 if camera.anchor == "bottom_center" else (y1 + y2) / 2)


def _on_edge(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Within 1e-12 of the segment a-b: the distance to its nearest point."""
    (ax, ay), (bx, by) = a, b
    length2 = (bx - ax) ** 2 + (by - ay) ** 2
    t = max(0.0, min(1.0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / length2))
    return math.dist((x, y), (ax + t * (bx - ax), ay + t * (by - ay))) <= 1e-12


def inside(zone: Zone, x: float, y: float) -> bool:
    """Winding number != 0, edges and corners inside."""
    points = list(zone.polygon)
    total = 0.0
    for a, b in zip(points, points[1:] + points[:1]):
        if _on_edge(x, y, a, b):
            return True
        angle_a = math.atan2(a[1] - y, a[0] - x)
        angle_b = math.atan2(b[1] - y, b[0] - x)
        turn = angle_b - angle_a
        while turn > math.pi:
            turn -= 2 * math.pi
        while turn < -math.pi:
            turn += 2 * math.pi
        total += turn
    return abs(total) > math.pi


def zone_of(camera: CameraZones | None, box: Box) -> str | None:
    if camera is None:
        return None
    x, y = anchor(camera, box)
    return next((zone.zone_id for zone in camera.zones if inside(zone, x, y)), None)


def _level_with(line: Line, x: float, y: float) -> bool:
    """The point sees the segment with non-obtuse angles at both ends."""
    (sx, sy), (ex, ey) = line.start, line.end
    at_start = (ex - sx) * (x - sx) + (ey - sy) * (y - sy)
    at_end = (sx - ex) * (x - ex) + (sy - ey) * (y - ey)
    return at_start >= 0 and at_end >= 0


def side(line: Line, camera: CameraZones, box: Box) -> int | None:
    """+1 wholly on the 'in' side, -1 wholly 'out', 0 on the line, None beyond its ends."""
    if not _level_with(line, *anchor(camera, box)):
        return None
    (sx, sy), (ex, ey) = line.start, line.end
    left_normal = (sy - ey, ex - sx)  # with y down, a top-to-bottom line's left is smaller x
    heights = [(x - sx) * left_normal[0] + (y - sy) * left_normal[1] for x in (box[0], box[2]) for y in (box[1], box[3])]
    if min(heights) > 0:
        return line.in_side
    if max(heights) < 0:
        return -line.in_side
    return 0
