"""ONNX exports of ultralytics checkpoints at other input sizes, cached on disk.

The default ONNX file is fixed at 640x640. To run ONNX Runtime at another size, the
matching ``.pt`` is exported once with ultralytics (offline, no simplifier) into the
cache folder and reused afterwards.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from vision.errors import DependencyError, ModelError

CACHE_ENV = "RVA_VISION_CACHE"


def cache_dir() -> Path:
    """Where exports go: $RVA_VISION_CACHE, else ~/.cache/rva/vision."""
    return Path(os.environ.get(CACHE_ENV, Path.home() / ".cache" / "rva" / "vision")).expanduser()


def export_onnx(checkpoint: Path, imgsz: int) -> Path:
    """An ONNX file of ``checkpoint`` with a fixed ``imgsz`` x ``imgsz`` input.

    Args:
        checkpoint: An ultralytics ``.pt`` detection checkpoint.
        imgsz: The input side, a multiple of 32.

    Returns:
        The cached ``.onnx`` path (exported on first use, a few seconds on 2 cores).

    Raises:
        DependencyError: ultralytics, torch or onnx is missing.
        ModelError: The export failed.
    """
    from vision.detect.ultralytics_yolo import offline_environment

    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()[:12]
    target = cache_dir() / f"{checkpoint.stem}-{digest}-{imgsz}.onnx"
    if target.is_file():
        return target
    offline_environment()
    try:
        import onnx  # noqa: F401  (ultralytics would try to pip-install it otherwise)
        import torch
        from ultralytics import YOLO
    except ImportError as err:
        raise DependencyError("ONNX export needs ultralytics, torch and onnx (pip install 'rva-vision[ultralytics]')") from err
    torch.set_num_threads(2)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.parent / f".export-{os.getpid()}"
    work.mkdir(exist_ok=True)
    try:
        copy = work / checkpoint.name
        shutil.copyfile(checkpoint, copy)
        try:
            out = YOLO(str(copy), task="detect").export(format="onnx", imgsz=imgsz, simplify=False,
                                                       dynamic=False, device="cpu", verbose=False)
        except Exception as err:  # ultralytics raises many kinds
            reason = str(err).splitlines()[0][:160]
            raise ModelError(f"{checkpoint}: ONNX export at imgsz {imgsz} failed ({reason})") from err
        Path(out).replace(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
