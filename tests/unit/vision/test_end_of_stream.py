"""The end of a stream is announced: one empty frame past the last, its id apart."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from vision.events import FrameEvent, SourceRef, end_of_stream

REF = SourceRef("store", "cam", "cam/aisle")
LAST = FrameEvent(REF, 41, datetime(2026, 12, 2, 10, 0, 0, tzinfo=timezone.utc), 1280, 720)


def test_a_file_ends_close_after_past_its_last_frame() -> None:
    end = end_of_stream(LAST, 66)
    assert (end.frame_index, end.detections, end.end_of_stream) == (42, (), True)
    assert end.capture_ts - LAST.capture_ts == timedelta(seconds=66)
    assert end.to_dict()["end_of_stream"] is True


def test_a_live_stream_ends_no_later_than_the_wall_clock() -> None:
    now = LAST.capture_ts + timedelta(seconds=20)
    assert end_of_stream(LAST, 66, now).capture_ts == now
    assert end_of_stream(LAST, 66, LAST.capture_ts + timedelta(seconds=300)).capture_ts \
        == LAST.capture_ts + timedelta(seconds=66)
    assert end_of_stream(LAST, 66, LAST.capture_ts - timedelta(seconds=5)).capture_ts == LAST.capture_ts


def test_its_id_is_not_that_of_a_real_frame_of_the_same_index() -> None:
    """A later run of the same file that goes further has a real frame 42: Silver keeps
    the first arrival of an id, so the end frame must not take that frame's id."""
    end = end_of_stream(LAST, 66)
    real = FrameEvent(REF, 42, end.capture_ts, 1280, 720)
    assert end.event_id != real.event_id
    assert end.event_id == end_of_stream(LAST, 66).event_id  # and stable, like every event id


def test_an_ordinary_frame_says_nothing_of_the_end() -> None:
    assert "end_of_stream" not in LAST.to_dict()
