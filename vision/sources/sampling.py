"""Which decoded frames get processed: every Nth (stride) or at most N per second."""

from __future__ import annotations

from dataclasses import dataclass, field

from vision.errors import CameraConfigError


@dataclass
class FrameSampler:
    """Keeps every ``stride``-th frame, or frames spaced at least 1/``target_fps`` apart.

    Timestamps are the frames' own (media time for files, wall clock for live streams),
    so a target FPS means the same on a file as on a camera.

    Attributes:
        stride: Keep frame indexes 0, stride, 2*stride, ... (>= 1).
        target_fps: If set, keep a frame only when 1/target_fps seconds have passed since
            the last kept one; applied after the stride.
    """

    stride: int = 1
    target_fps: float | None = None
    _next_t: float | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.stride < 1:
            raise CameraConfigError(f"stride: need >= 1, got {self.stride}")
        if self.target_fps is not None and self.target_fps <= 0:
            raise CameraConfigError(f"fps: need > 0, got {self.target_fps}")

    def keep(self, index: int, t_s: float) -> bool:
        """Whether to process frame ``index`` captured at ``t_s`` seconds."""
        if index % self.stride:
            return False
        if self.target_fps is None:
            return True
        period = 1.0 / self.target_fps
        if self._next_t is None or t_s >= self._next_t - 1e-6:
            # Schedule on a grid so rounding does not drift; skip ahead after a stall.
            base = t_s if self._next_t is None or t_s - self._next_t > period else self._next_t
            self._next_t = base + period
            return True
        return False
