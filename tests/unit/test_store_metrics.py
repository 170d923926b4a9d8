"""The stores' metrics as Prometheus reads them, from a known state; the Telegram
receiver's settings from the environment."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from rva.errors import ConfigError
from rva.live import Occupancy
from rva.stack.engines import telegram_receiver
from rva.store_metrics import StoreCollector, StoreState

T = datetime(2026, 12, 2, 10, 0, 5, tzinfo=timezone.utc)


def scrape(state: StoreState) -> dict[str, float]:
    """The text Prometheus would read, as 'name{labels}' -> value."""
    registry = CollectorRegistry()
    registry.register(StoreCollector(state))
    samples = {}
    for line in generate_latest(registry).decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def test_newest_frame_capacity_commits_and_loitering() -> None:
    state = StoreState(live_reading=True)
    state.newest["cam_01"] = Occupancy("s1", "cam_01", 812, T, 9, {"checkout": 7, "entrance": 0}, T)
    state.capacity = {("cam_01", "checkout"): 6}
    state.commits = {"gold_alerts": 1_764_669_600.5}
    state.loitering = {("s1", "cam_01", "aisle_1"): (3, 1_764_669_000.0)}
    got = scrape(state)
    assert got['rva_camera_last_frame_timestamp_seconds{camera_id="cam_01",store_id="s1"}'] == T.timestamp()
    assert got['rva_camera_people{camera_id="cam_01",store_id="s1"}'] == 9
    assert got['rva_zone_occupancy{camera_id="cam_01",store_id="s1",zone_id="checkout"}'] == 7
    assert got['rva_zone_occupancy{camera_id="cam_01",store_id="s1",zone_id="entrance"}'] == 0
    assert got['rva_zone_capacity{camera_id="cam_01",zone_id="checkout"}'] == 6
    assert got['rva_table_last_commit_timestamp_seconds{table="gold_alerts"}'] == 1_764_669_600.5
    assert got['rva_loitering_alerts{camera_id="cam_01",store_id="s1",zone_id="aisle_1"}'] == 3
    assert got['rva_loitering_last_alert_timestamp_seconds{camera_id="cam_01",store_id="s1",zone_id="aisle_1"}'] \
        == 1_764_669_000.0
    assert got["rva_live_reading"] == 1


def test_nothing_seen_yet_is_empty_not_zero() -> None:
    got = scrape(StoreState())
    assert got == {"rva_live_reading": 0.0}  # no made-up camera or zone series


class TestTelegramReceiver:
    def test_none_without_the_variables(self) -> None:
        assert telegram_receiver({}) is None

    def test_both_set(self) -> None:
        got = telegram_receiver({"RVA_TELEGRAM_BOT_TOKEN": "123:abc", "RVA_TELEGRAM_CHAT_ID": "-10042"})
        assert got == {"bot_token": "123:abc", "chat_id": -10042}

    @pytest.mark.parametrize(("env", "message"), [
        ({"RVA_TELEGRAM_BOT_TOKEN": "123:abc"}, "RVA_TELEGRAM_CHAT_ID is not set"),
        ({"RVA_TELEGRAM_CHAT_ID": "42"}, "RVA_TELEGRAM_BOT_TOKEN is not set"),
        ({"RVA_TELEGRAM_BOT_TOKEN": "123:abc", "RVA_TELEGRAM_CHAT_ID": "@shop"}, "need a Telegram chat id"),
    ])
    def test_half_or_bad_settings_are_one_line(self, env: dict[str, str], message: str) -> None:
        with pytest.raises(ConfigError, match=message):
            telegram_receiver(env)
