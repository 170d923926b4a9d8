"""`zone_of(camera_id, x, y)`: the store zone a normalized point falls in, as a Flink UDF.

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

    def eval(self, camera_id: str | None, x: float | None, y: float | None) -> str | None:
        camera = self.cameras.get(camera_id or "")
        if camera is None or x is None or y is None:
            return None  # a camera without zones, or a box without a centre
        return camera.zone_of(x, y)


zone_of = udf(ZoneOf(), result_type=DataTypes.STRING())
