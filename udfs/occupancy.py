"""`zone_occupancy(camera_id, width, height, detections)`: how many people one frame
shows, in the whole view and in each of the camera's zones, for the live path.

Every zone of the camera is listed, empty ones with 0, so a zone that empties is
published as 0 rather than left at its last count. People are detections of class
`person` (the producer's class map folds its model's classes into it); the zone of a
detection is the zone of its box centre, as in silver_detection. The zones file is the
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
        centres = []
        if width and height:
            for d in detections or []:
                box = d["bbox"]
                if d["class"] != PERSON or box is None or None in (box["x1"], box["y1"], box["x2"], box["y2"]):
                    continue
                centres.append(((box["x1"] + box["x2"]) / 2 / width, (box["y1"] + box["y2"]) / 2 / height))
        camera = self.cameras.get(camera_id or "")
        per_zone = camera.count_by_zone(centres) if camera else {}  # a camera without zones: none
        return Row(len(centres), [Row(zone_id, count) for zone_id, count in per_zone.items()])


zone_occupancy = udf(
    ZoneOccupancy(),
    result_type=DataTypes.ROW([
        DataTypes.FIELD("people", DataTypes.INT()),
        DataTypes.FIELD("zones", DataTypes.ARRAY(DataTypes.ROW([
            DataTypes.FIELD("zone_id", DataTypes.STRING()), DataTypes.FIELD("people", DataTypes.INT()),
        ]))),
    ]),
)
