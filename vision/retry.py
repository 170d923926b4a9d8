"""Exponential backoff with a retry budget, for live streams and the broker."""

from __future__ import annotations

from dataclasses import dataclass

from vision.errors import CameraConfigError


@dataclass(frozen=True)
class Backoff:
    """Wait ``initial_s``, then ``factor`` times longer each try, never over ``max_s``.

    Attributes:
        initial_s: The first delay.
        factor: Growth of the delay per failed try (>= 1).
        max_s: The cap on one delay.
        budget: How many failed tries in a row are allowed before giving up; a success
            resets the count. 0 means no retries.
    """

    initial_s: float = 0.5
    factor: float = 2.0
    max_s: float = 30.0
    budget: int = 8

    def __post_init__(self) -> None:
        if self.initial_s < 0 or self.max_s < self.initial_s:
            raise CameraConfigError(f"backoff: need 0 <= initial_s <= max_s, got {self.initial_s}, {self.max_s}")
        if self.factor < 1:
            raise CameraConfigError(f"backoff.factor: need >= 1, got {self.factor}")
        if self.budget < 0:
            raise CameraConfigError(f"backoff.budget: need >= 0, got {self.budget}")

    def delay(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (1-based)."""
        return min(self.max_s, self.initial_s * self.factor ** max(0, attempt - 1))

    def total_s(self) -> float:
        """The longest time the whole budget can spend waiting."""
        return sum(self.delay(n) for n in range(1, self.budget + 1))
