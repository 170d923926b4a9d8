"""The cameras config file: several cameras, and optionally detector/tracker settings.

.. code-block:: yaml

    store_id: store_001            # default for every camera
    tracker: bytetrack             # optional; else --tracker
    detector: {imgsz: 416, conf: 0.3, classes: [person]}   # optional; else the options
    cameras:
      - camera_id: cam_01
        src: rtsp://10.0.0.5/stream1
        fps: 5
      - camera_id: cam_02
        src: videos/aisle.mp4
        stride: 2

Values in the file win over command-line options; anything the file leaves out comes
from the options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vision.errors import CameraConfigError
from vision.track.trackers import TrackerKind


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CameraEntry(_Strict):
    """One camera of the file."""

    camera_id: str = Field(min_length=1)
    src: str = Field(min_length=1)
    store_id: str | None = None
    stream_id: str | None = None
    stride: int = Field(default=1, ge=1)
    fps: float | None = Field(default=None, gt=0)
    folder_fps: float | None = Field(default=None, gt=0)
    max_frames: int | None = Field(default=None, ge=1)

    @field_validator("src", mode="before")
    @classmethod
    def _src_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value  # a webcam number


class DetectorEntry(_Strict):
    """Detector settings of the file."""

    model: str | None = None
    backend: Literal["onnx", "ultralytics"] | None = None
    conf: float | None = Field(default=None, ge=0, le=1)
    iou: float | None = Field(default=None, gt=0, le=1)
    imgsz: int | None = Field(default=None, ge=32, multiple_of=32)
    classes: list[str] | None = None


class CamerasFile(_Strict):
    """The whole file."""

    store_id: str | None = None
    tracker: TrackerKind | None = None
    detector: DetectorEntry = DetectorEntry()
    cameras: list[CameraEntry] = Field(min_length=1)

    @field_validator("cameras")
    @classmethod
    def _unique_ids(cls, cameras: list[CameraEntry]) -> list[CameraEntry]:
        seen: set[str] = set()
        for cam in cameras:
            if cam.camera_id in seen:
                raise ValueError(f"camera_id {cam.camera_id!r} appears twice")
            seen.add(cam.camera_id)
        return cameras


def load_cameras(path: Path) -> CamerasFile:
    """Read and validate a cameras file.

    Raises:
        CameraConfigError: Missing, unreadable, not YAML, or an invalid value; the
            message names the file, the key path and what was expected.
    """
    try:
        text = path.read_text()
    except FileNotFoundError as err:
        raise CameraConfigError(f"{path}: no such cameras config file") from err
    except OSError as err:
        raise CameraConfigError(f"{path}: cannot read ({err.strerror})") from err
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CameraConfigError(f"{path}: not valid YAML{where}") from err
    if not isinstance(raw, dict):
        raise CameraConfigError(f"{path}: need a mapping with a 'cameras' list, got {type(raw).__name__}")
    try:
        parsed = CamerasFile.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise CameraConfigError(f"{path}: {key}: {first['msg']}") from err
    missing = [c.camera_id for c in parsed.cameras if not (c.store_id or parsed.store_id)]
    if missing:
        raise CameraConfigError(f"{path}: cameras {', '.join(missing)}: no store_id (set it per camera or at the top)")
    return parsed
