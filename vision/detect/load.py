"""The detector factory: a :class:`DetectorConfig` in, a ready :class:`Detector` out."""

from __future__ import annotations

from vision.detect.detections import DEFAULT_ONNX_IMGSZ, Detector, DetectorConfig
from vision.detect.models import Backend, ModelSpec, default_model_file, resolve_model
from vision.errors import CameraConfigError


def load_detector(cfg: DetectorConfig) -> Detector:
    """Build the detector for ``cfg``.

    Raises:
        ModelError: The model file is missing, unsupported or fails to load.
        DependencyError: The backend's package is not installed.
        CameraConfigError: A class of ``cfg.classes`` is not one the model has.
    """
    spec = resolve_model(cfg.model, cfg.backend)
    if spec.backend is Backend.ONNX and cfg.model is None and cfg.imgsz != DEFAULT_ONNX_IMGSZ:
        # The shipped ONNX file is fixed at 640; export its .pt twin at this size once.
        from vision.detect.export import export_onnx

        checkpoint = default_model_file(Backend.ULTRALYTICS)
        spec = ModelSpec(export_onnx(checkpoint, cfg.imgsz), Backend.ONNX, spec.class_map)
    detector: Detector
    if spec.backend is Backend.ONNX:
        from vision.detect.onnx_runtime import OnnxDetector

        detector = OnnxDetector(spec, cfg)
    else:
        from vision.detect.ultralytics_yolo import UltralyticsDetector

        detector = UltralyticsDetector(spec, cfg)
    unknown = [c for c in cfg.classes if c not in detector.class_names]
    if unknown:
        raise CameraConfigError(f"--classes: {', '.join(unknown)}: not a class of {spec.path.name} "
                                f"(it has {', '.join(detector.class_names) or 'no class names'})")
    return detector

