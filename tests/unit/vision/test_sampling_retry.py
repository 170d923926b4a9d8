"""Frame sampling (stride, target FPS) and the backoff policy."""

from __future__ import annotations

import pytest

from vision.errors import CameraConfigError
from vision.retry import Backoff
from vision.sources.sampling import FrameSampler


class TestFrameSampler:
    def test_stride(self) -> None:
        sampler = FrameSampler(stride=3)
        assert [i for i in range(10) if sampler.keep(i, i / 25)] == [0, 3, 6, 9]

    def test_target_fps_on_25fps_video(self) -> None:
        sampler = FrameSampler(target_fps=5)
        kept = [i for i in range(50) if sampler.keep(i, i / 25)]
        assert kept == list(range(0, 50, 5))  # 2 s -> 10 frames, evenly spaced

    def test_target_fps_skips_ahead_after_a_stall(self) -> None:
        sampler = FrameSampler(target_fps=2)
        assert sampler.keep(0, 0.0)
        assert sampler.keep(1, 10.0)  # the stream stalled: take the next frame at once
        assert not sampler.keep(2, 10.1)
        assert sampler.keep(3, 10.5)

    @pytest.mark.parametrize("kwargs, message", [
        pytest.param({"stride": 0}, "stride: need >= 1, got 0", id="stride"),
        pytest.param({"target_fps": 0.0}, "fps: need > 0, got 0.0", id="fps"),
    ])
    def test_invalid(self, kwargs: dict, message: str) -> None:
        with pytest.raises(CameraConfigError, match=message):
            FrameSampler(**kwargs)


class TestBackoff:
    def test_exponential_and_capped(self) -> None:
        b = Backoff(initial_s=0.5, factor=2, max_s=3, budget=5)
        assert [b.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
        assert b.total_s() == 9.5

    def test_invalid(self) -> None:
        with pytest.raises(CameraConfigError, match="backoff.factor"):
            Backoff(factor=0.5)
