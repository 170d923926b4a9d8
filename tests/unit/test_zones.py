"""Zone polygons and lines: validation and point-in-polygon."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from rva.config import REPO_ROOT
from tests import zone_reference
from udfs.zones import (BEYOND_ENDS, CameraZones, Line, Zone, ZoneConfigError, load_zones,
                         load_zones_for_job, parse_zones)

SQUARE = [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]


class TestZoneContains:
    @pytest.mark.parametrize(
        ("x", "y", "inside"),
        [
            pytest.param(0.25, 0.5, True, id="centre"),
            pytest.param(0.75, 0.5, False, id="right of it"),
            pytest.param(0.5, 0.5, True, id="on the edge"),
            pytest.param(0.0, 0.0, True, id="on a corner"),
            pytest.param(0.25, 1.01, False, id="below"),
        ],
    )
    def test_square(self, x: float, y: float, inside: bool) -> None:
        zone = Zone("a", ((0, 0), (0.5, 0), (0.5, 1), (0, 1)))
        assert zone.contains(x, y) is inside

    def test_concave_polygon(self) -> None:
        l_shape = Zone("l", ((0, 0), (1, 0), (1, 0.2), (0.2, 0.2), (0.2, 1), (0, 1)))
        assert l_shape.contains(0.1, 0.9)
        assert not l_shape.contains(0.6, 0.6)  # the notch


class TestCountByZone:
    def test_every_zone_listed_in_file_order_with_empty_ones_as_zero(self) -> None:
        cams = parse_zones({"cameras": {"c": {"zones": {"left": SQUARE, "right": [[0.5, 0], [1, 0], [1, 0.5], [0.5, 0.5]]}}}})
        counts = cams["c"].count_by_zone([(0.1, 0.1), (0.2, 0.9), (0.75, 0.9)])  # the last is in no zone
        assert list(counts.items()) == [("left", 2), ("right", 0)]

    def test_no_points(self) -> None:
        cams = parse_zones({"cameras": {"c": {"zones": {"left": SQUARE}}}})
        assert cams["c"].count_by_zone([]) == {"left": 0}


class TestParseZones:
    def test_first_zone_in_file_order_wins(self) -> None:
        cams = parse_zones({"cameras": {"c": {"zones": {"a": SQUARE, "b": [[0, 0], [1, 0], [1, 1], [0, 1]]}}}})
        assert cams["c"].zone_of(0.25, 0.5) == "a"
        assert cams["c"].zone_of(0.75, 0.5) == "b"

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            pytest.param({"cams": {}}, "top-level 'cameras'", id="no cameras"),
            pytest.param({"cameras": {"c": {"zones": {"e": [[0, 0], [1, 1]]}}}},
                         "cameras.c.zones.e: need >= 3 points, got 2", id="two points"),
            pytest.param({"cameras": {"c": {"zones": {"e": [[0, 0], [2, 0], [1, 1]]}}}},
                         r"cameras.c.zones.e\[1\]: coordinates are normalized", id="out of range"),
            pytest.param({"cameras": {"c": {"zones": {"e": [[0, 0], ["a", 0], [1, 1]]}}}},
                         r"cameras.c.zones.e\[1\]: need \[x, y\] numbers", id="not numbers"),
            pytest.param({"cameras": {"c": {"zones": {"e": [[0, 0], [0.5, 0.5], [1, 1]]}}}},
                         "zero area", id="collinear"),
            pytest.param({"cameras": {"c": {"lines": {"door": [[0.5, 0], [0.5, 0]]}}}},
                         "cameras.c.lines.door: need two distinct points", id="degenerate line"),
            pytest.param({"cameras": {"c": {"areas": {}}}}, "cameras.c: need a mapping", id="unknown key"),
            pytest.param({"cameras": {"c": {"zones": {"e": {"points": SQUARE, "capacity": 0}}}}},
                         "cameras.c.zones.e.capacity: need a whole number of people >= 1, got 0", id="capacity 0"),
            pytest.param({"cameras": {"c": {"zones": {"e": {"points": SQUARE, "capacity": 2.5}}}}},
                         "cameras.c.zones.e.capacity: need a whole number", id="capacity not whole"),
            pytest.param({"cameras": {"c": {"zones": {"e": {"points": SQUARE, "size": 3}}}}},
                         "cameras.c.zones.e: need 'points' and optionally 'capacity'", id="zone unknown key"),
        ],
    )
    def test_bad_config_is_named(self, data: object, message: str) -> None:
        with pytest.raises(ZoneConfigError, match=message):
            parse_zones(data)

    def test_capacity_is_optional(self) -> None:
        cams = parse_zones({"cameras": {"c": {"zones": {"a": SQUARE, "b": {"points": SQUARE, "capacity": 4}}}}})
        assert [(z.zone_id, z.capacity) for z in cams["c"].zones] == [("a", None), ("b", 4)]
        assert cams["c"].zones[0].polygon == cams["c"].zones[1].polygon

    def test_committed_zones_file_is_valid(self) -> None:
        cams = load_zones(REPO_ROOT / "configs" / "zones.yaml")
        assert set(cams) == {"cam_01", "cam_02"}

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(ZoneConfigError, match="cannot read"):
            load_zones(tmp_path / "none.yaml")


class TestLineSide:
    DOOR = Line("door", (0.3, 0.0), (0.3, 1.0))  # drawn top to bottom: left is x < 0.3

    @pytest.mark.parametrize(
        ("box", "side"),
        [
            pytest.param((0.10, 0.4, 0.20, 0.6), 1, id="wholly left"),
            pytest.param((0.35, 0.4, 0.45, 0.6), -1, id="wholly right"),
            pytest.param((0.28, 0.4, 0.32, 0.6), 0, id="straddling"),
            pytest.param((0.26, 0.4, 0.30, 0.6), 0, id="touching"),
        ],
    )
    def test_side_of_box(self, box: tuple[float, float, float, float], side: int) -> None:
        assert self.DOOR.side_of_box(*box) == side

    def test_job_parameter_missing(self) -> None:
        with pytest.raises(ZoneConfigError, match="rva.zones is not set"):
            load_zones_for_job(lambda key, default: default)


CAMERA = {"zones": {"floor": [[0, 0.5], [1, 0.5], [1, 1], [0, 1]]},
          "lines": {"door": [[0.5, 0.4], [0.5, 1]], "till": {"points": [[0.8, 0], [0.8, 1]], "in": "right"}}}


class TestAnchor:
    def test_bottom_centre_is_the_default(self) -> None:
        camera = parse_zones({"cameras": {"c": CAMERA}})["c"]
        # a person whose torso is above the floor zone and whose feet are in it
        assert camera.anchor_of(0.1, 0.2, 0.2, 0.6) == pytest.approx((0.15, 0.6))
        assert camera.zone_of_box(0.1, 0.2, 0.2, 0.6) == "floor"

    def test_centre_when_the_camera_says_so(self) -> None:
        camera = parse_zones({"cameras": {"c": {**CAMERA, "anchor": "center"}}})["c"]
        assert camera.zone_of_box(0.1, 0.2, 0.2, 0.6) is None

    def test_unknown_anchor_is_named(self) -> None:
        with pytest.raises(ZoneConfigError, match="cameras.c.anchor: need one of bottom_center, center, got 'feet'"):
            parse_zones({"cameras": {"c": {**CAMERA, "anchor": "feet"}}})


class TestLineSegment:
    def door(self) -> Line:
        return parse_zones({"cameras": {"c": CAMERA}})["c"].lines[0]

    def test_between_ends(self) -> None:
        door = self.door()
        assert door.between_ends(0.1, 0.7)
        assert door.between_ends(0.9, 0.4)  # level with the end point itself
        assert not door.between_ends(0.4, 0.3)  # above the door's top end

    def test_a_box_past_the_end_is_beyond(self) -> None:
        camera = parse_zones({"cameras": {"c": CAMERA}})["c"]
        sides = dict(camera.line_sides(0.3, 0.1, 0.35, 0.3))  # wholly left, feet above y = 0.4
        assert sides["door"] == BEYOND_ENDS

    def test_in_is_left_unless_the_line_says_right(self) -> None:
        camera = parse_zones({"cameras": {"c": CAMERA}})["c"]
        left_box = (0.3, 0.5, 0.35, 0.8)  # left of both lines, feet level with both
        assert dict(camera.line_sides(*left_box)) == {"door": 1, "till": -1}
        assert dict(camera.line_sides(0.48, 0.5, 0.52, 0.8)) == {"door": 0, "till": -1}  # on the door

    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            pytest.param({"points": [[0, 0], [1, 1]], "in": "up"}, "lines.l.in: need left or right, got 'up'", id="bad in"),
            pytest.param({"ends": [[0, 0], [1, 1]]}, "lines.l: need 'points'", id="no points"),
        ],
    )
    def test_bad_line_is_named(self, spec: object, message: str) -> None:
        with pytest.raises(ZoneConfigError, match=message):
            parse_zones({"cameras": {"c": {"lines": {"l": spec}}}})


class TestAgreesWithTheTestReference:
    """udfs/zones.py and tests/zone_reference.py, written apart, place random boxes alike."""

    @pytest.mark.parametrize("anchor", ["bottom_center", "center"])
    def test_random_boxes(self, anchor: str) -> None:
        camera = load_zones(REPO_ROOT / "configs" / "zones.yaml")["cam_01"]
        camera = CameraZones(camera.camera_id, camera.zones, camera.lines, anchor)
        rng = random.Random(3)
        for _ in range(5000):
            x, y = rng.random(), rng.random()
            box = (x, y, min(1.0, x + rng.uniform(0.01, 0.1)), min(1.0, y + rng.uniform(0.02, 0.3)))
            assert camera.zone_of_box(*box) == zone_reference.zone_of(camera, box), box
            for line_id, side in camera.line_sides(*box):
                line = next(line for line in camera.lines if line.line_id == line_id)
                expected = zone_reference.side(line, camera, box)
                assert side == (BEYOND_ENDS if expected is None else expected), (line_id, box)

    # Closer than 1e-12 to an edge the two may differ (each has its own tolerance there);
    # no detector places a box that finely.
    @pytest.mark.parametrize("offset", [-1e-5, -1e-9, 0.0, 1e-9, 1e-5])
    def test_points_next_to_an_edge(self, offset: float) -> None:
        """A walker's box centre lands a few millionths from a zone edge (the burst test
        met one at x = 0.2999921875): both sides must agree on which zone holds it."""
        camera = load_zones(REPO_ROOT / "configs" / "zones.yaml")["cam_01"]
        for x, y in [(0.3 + offset, 0.5), (0.5, 0.2 + offset), (0.7 + offset, 0.2 + offset), (offset, 0.6)]:
            for zone in camera.zones:
                assert zone.contains(x, y) == zone_reference.inside(zone, x, y), (zone.zone_id, x, y)
