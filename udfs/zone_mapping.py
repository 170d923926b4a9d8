"""`zone_of(camera_id, x1, y1, x2, y2)`: the store zone a normalized box is in, as a
Flink UDF: the zone of the box's anchor (the camera's `anchor`, bottom centre unless
configs/zones.yaml says otherwise).

The zones file is named by the job parameter `rva.zones` (set by `rva pipeline up`),
read once per worker in open(); the wrapper only converts types.
"""

from __future__ import annotations

from pyflink.table import DataTypes
from pyflink.table.udf import FunctionContext, ScalarFunction, udf

from udfs.zones import CameraZones, load_zones_for_job


class ZoneOf(ScalarFunction):
    def __init__(self) -> None:
        self.cameras: dict[str, CameraZones] = {}

    def open(self, function_context: FunctionContext) -> None:
        self.cameras = load_zones_for_job(function_context.get_job_parameter)

    def eval(self, camera_id: str | None, x1: float | None, y1: float | None, x2: float | None,
             y2: float | None) -> str | None:
        camera = self.cameras.get(camera_id or "")
        if camera is None or None in (x1, y1, x2, y2):
            return None  # a camera without zones, or a box without its corners
        return camera.zone_of_box(x1, y1, x2, y2)


zone_of = udf(ZoneOf(), result_type=DataTypes.STRING())
