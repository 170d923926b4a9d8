"""`rva pipeline up` checks its inputs before it submits anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from rva import pipeline
from rva.config import load_stack_config
from rva.errors import ConfigError


class TestZonesCheckedAtSubmit:
    def test_bad_polygon_is_one_clear_error(self, tmp_path: Path) -> None:
        zones = tmp_path / "zones.yaml"
        zones.write_text("cameras:\n  cam_01:\n    zones:\n      entrance: [[0, 0], [1, 1]]\n")
        with pytest.raises(ConfigError, match=r"cameras.cam_01.zones.entrance: need >= 3 points, got 2"):
            pipeline.up(load_stack_config(), zones)  # raises before any Flink call

    def test_missing_zones_file(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="cannot read"):
            pipeline.up(load_stack_config(), tmp_path / "nope.yaml")


class TestScript:
    def test_zones_override_is_prepended(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("RVA_STATE_DIR", str(tmp_path / "state"))
        zones = tmp_path / "zones.yaml"
        script = pipeline.script_for(load_stack_config(), "silver", zones)
        first = script.read_text().splitlines()[0]
        assert first == f"SET 'pipeline.global-job-parameters' = 'rva.zones:{zones.resolve()}';"

    def test_no_override_uses_committed_sql(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("RVA_STATE_DIR", str(tmp_path / "state"))
        script = pipeline.script_for(load_stack_config(), "gold", None)
        assert script.name == "gold.sql" and script.parent.name == "sql"
