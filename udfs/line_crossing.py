"""`line_sides(camera_id, x1, y1, x2, y2)`: for each counting line of the camera, the
side of the line the (normalized) box is on, as an array of (line_id, side) rows: +1
the 'in' side, -1 the 'out' side, 0 on the line, 2 beyond its end points
(udfs.zones.Line.crossing_side).

An array unnested in SQL, not a table function, and no MATCH_RECOGNIZE downstream:
Flink 1.20's code generation fails on both combinations with a Python function's
output. The zones file is the one zone_of() reads (job parameter `rva.zones`).
"""

from __future__ import annotations

from pyflink.table import DataTypes, Row
from pyflink.table.udf import FunctionContext, ScalarFunction, udf

from udfs.zones import CameraZones, load_zones_for_job


class LineSides(ScalarFunction):
    def __init__(self) -> None:
        self.cameras: dict[str, CameraZones] = {}

    def open(self, function_context: FunctionContext) -> None:
        self.cameras = load_zones_for_job(function_context.get_job_parameter)

    def eval(self, camera_id: str | None, x1: float | None, y1: float | None, x2: float | None,
             y2: float | None) -> list[Row]:
        camera = self.cameras.get(camera_id or "")
        if camera is None or x1 is None or y1 is None or x2 is None or y2 is None:
            return []
        return [Row(line_id, side) for line_id, side in camera.line_sides(x1, y1, x2, y2)]


line_sides = udf(
    LineSides(),
    result_type=DataTypes.ARRAY(DataTypes.ROW([
        DataTypes.FIELD("line_id", DataTypes.STRING()), DataTypes.FIELD("side", DataTypes.INT()),
    ])),
)
