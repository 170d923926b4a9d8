"""`line_sides(camera_id, x1, y1, x2, y2)`: for each counting line of the camera, the
side of the line the (normalized) box is on, as an array of (line_id, side) rows.

The zones file is the one zone_of() reads (job parameter `rva.zones`).
"""

from __future__ import annotations

from pyflink.table import DataTypes, Row
from pyflink.table.udf import FunctionContext, ScalarFunction, udf

from udfs.zones import JOB_PARAMETER, CameraZones, load_zones


class LineSides(ScalarFunction):
    def __init__(self) -> None:
        self.cameras: dict[str, CameraZones] = {}

    def open(self, function_context: FunctionContext) -> None:
        path = function_context.get_job_parameter(JOB_PARAMETER, "")
        if not path:
            raise ValueError(f"job parameter {JOB_PARAMETER} is not set: submit with `rva pipeline up`")
        self.cameras = load_zones(path)

    def eval(self, camera_id: str | None, x1: float | None, y1: float | None, x2: float | None,
             y2: float | None) -> list[Row]:
        camera = self.cameras.get(camera_id or "")
        if camera is None or x1 is None or y1 is None or x2 is None or y2 is None:
            return []
        return [Row(line.line_id, line.side_of_box(x1, y1, x2, y2)) for line in camera.lines]


line_sides = udf(
    LineSides(),
    result_type=DataTypes.ARRAY(DataTypes.ROW([
        DataTypes.FIELD("line_id", DataTypes.STRING()), DataTypes.FIELD("side", DataTypes.INT()),
    ])),
)
