"""The demo's sample is moved onto a recent day, so the one rule accepts it."""

from __future__ import annotations

import json
from datetime import date

from rva.demo import SAMPLE, recent
from udfs.events import check


def test_the_sample_moves_by_whole_days_and_stays_valid() -> None:
    lines = [ln for ln in SAMPLE.read_bytes().splitlines() if ln.strip()]
    moved = recent(lines, date(2031, 3, 4))
    before, after = json.loads(lines[-1]), json.loads(moved[-1])
    assert after["capture_ts"].startswith("2031-03-04")  # the sample spans 90 s of one morning
    assert after["capture_ts"][10:] == before["capture_ts"][10:], "time of day kept"
    assert {k: v for k, v in after.items() if k != "capture_ts"} == {k: v for k, v in before.items() if k != "capture_ts"}
    assert all(check(line, 1 << 20).event is not None for line in moved)
