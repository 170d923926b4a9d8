"""`zone_occupancy(camera_id, width, height, detections)`: how many people one frame
shows, in the whole view and in each of the camera's zones, for the live path.

Every zone of the camera is listed, empty ones with 0, so a zone that empties is
published as 0 rather than left at its last count. People are detections of class
`person` (the producer's class map folds its model's classes into it); the zone of a
detection is the zone of its box's anchor (bottom centre by default), as in
silver_detection. The zones file is the
one zone_of() reads (job parameter `rva.zones`).
"""

from __future__ import annotations

from pyflink.table import DataTypes, Row
from pyflink.table.udf import FunctionContext, ScalarFunction, udf

from udfs.zones import CameraZones, load_zones_for_job

PERSON = "person"


class ZoneOccupancy(ScalarFunction):
    def __init__(self) -> None:
        self.cameras: dict[str, CameraZones] = {}

    def open(self, function_context: FunctionContext) -> None:
        self.cameras = load_zones_for_job(function_context.get_job_parameter)

    def eval(self, camera_id: str | None, width: int | None, height: int | None,
             detections: list[Row] | None) -> Row:
        boxes = []
        if width and height:
            for d in detections or []:
                box = d["bbox"]
                if d["class"] != PERSON or box is None or None in (box["x1"], box["y1"], box["x2"], box["y2"]):
                    continue
                boxes.append((box["x1"] / width, box["y1"] / height, box["x2"] / width, box["y2"] / height))
        camera = self.cameras.get(camera_id or "")
        # a camera without zones: people in view, no zones
        per_zone = camera.count_by_zone(camera.anchor_of(*b) for b in boxes) if camera else {}
        return Row(len(boxes), [Row(zone_id, count) for zone_id, count in per_zone.items()])


zone_occupancy = udf(
    ZoneOccupancy(),
    result_type=DataTypes.ROW([
        DataTypes.FIELD("people", DataTypes.INT()),
        DataTypes.FIELD("zones", DataTypes.ARRAY(DataTypes.ROW([
            DataTypes.FIELD("zone_id", DataTypes.STRING()), DataTypes.FIELD("people", DataTypes.INT()),
        ]))),
    ]),
)
