"""Which zones `pipeline up` starts layers with, and when it refuses other ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from rva import applied_zones
from rva.config import load_stack_config
from rva.deployment import Deployment
from rva.errors import ConfigError

LAYOUT_A = "cameras:\n  cam_01:\n    zones:\n      a: [[0, 0], [1, 0], [1, 1]]\n"
LAYOUT_B = "cameras:\n  cam_01:\n    zones:\n      b: [[0, 0], [1, 0], [0, 1]]\n"


@pytest.fixture
def main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    monkeypatch.setenv("RVA_STATE_DIR", str(tmp_path / "state"))
    return Deployment.main(load_stack_config())


def zones_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_first_start_without_zones_takes_the_default(main: Deployment) -> None:
    assert applied_zones.choose(main, None, set()) == applied_zones.DEFAULT_ZONES


def test_a_later_start_without_zones_resumes_the_applied_ones(main: Deployment, tmp_path: Path) -> None:
    """After a crash or a `down`, `up` alone must not fall back to the default file."""
    copy = applied_zones.record(main, zones_file(tmp_path, "a.yaml", LAYOUT_A))
    assert applied_zones.choose(main, None, set()) == copy == applied_zones.applied(main)
    assert copy.read_text() == LAYOUT_A


def test_the_applied_copy_does_not_follow_edits_of_the_file(main: Deployment, tmp_path: Path) -> None:
    source = zones_file(tmp_path, "a.yaml", LAYOUT_A)
    copy = applied_zones.record(main, source)
    source.write_text(LAYOUT_B)
    assert copy.read_text() == LAYOUT_A


def test_other_zones_are_refused_while_a_zone_layer_runs(main: Deployment, tmp_path: Path) -> None:
    applied_zones.record(main, zones_file(tmp_path, "a.yaml", LAYOUT_A))
    other = zones_file(tmp_path, "b.yaml", LAYOUT_B)
    with pytest.raises(ConfigError, match=r"--zones .*b.yaml: gold, silver run with other zones; to apply these, "
                                          r"`rva pipeline down` then `rva pipeline up --zones .*b.yaml`"):
        applied_zones.choose(main, other, {"bronze", "silver", "gold"})


def test_the_same_zones_again_are_no_change(main: Deployment, tmp_path: Path) -> None:
    applied_zones.record(main, zones_file(tmp_path, "a.yaml", LAYOUT_A))
    again = zones_file(tmp_path, "a-again.yaml", LAYOUT_A)
    assert applied_zones.choose(main, again, {"silver", "gold", "live"}) == again


def test_other_zones_apply_when_only_bronze_runs(main: Deployment, tmp_path: Path) -> None:
    """Bronze reads no zones: after `down`, the zone layers start with the new file."""
    applied_zones.record(main, zones_file(tmp_path, "a.yaml", LAYOUT_A))
    other = zones_file(tmp_path, "b.yaml", LAYOUT_B)
    assert applied_zones.choose(main, other, {"bronze"}) == other
    assert applied_zones.record(main, other).read_text() == LAYOUT_B
    assert applied_zones.applied(main).read_text() == LAYOUT_B


def test_jobs_started_before_zones_were_recorded_count_as_the_default(main: Deployment, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run with other zones"):
        applied_zones.choose(main, zones_file(tmp_path, "b.yaml", LAYOUT_B), {"live"})
