"""`rva pipeline up` checks its inputs before it submits anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rva import pipeline
from rva.config import load_stack_config
from rva.deployment import Deployment
from rva.errors import ConfigError
from rva.stack.layout import Layout


class TestZonesCheckedAtSubmit:
    def test_bad_polygon_is_one_clear_error(self, tmp_path: Path) -> None:
        zones = tmp_path / "zones.yaml"
        zones.write_text("cameras:\n  cam_01:\n    zones:\n      entrance: [[0, 0], [1, 1]]\n")
        with pytest.raises(ConfigError, match=r"cameras.cam_01.zones.entrance: need >= 3 points, got 2"):
            pipeline.up(Deployment.main(load_stack_config()), zones)  # raises before any Flink call

    def test_missing_zones_file(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="cannot read"):
            pipeline.up(Deployment.main(load_stack_config()), tmp_path / "nope.yaml")


class TestScript:
    def test_zones_override_is_prepended(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("RVA_STATE_DIR", str(tmp_path / "state"))
        zones = tmp_path / "zones.yaml"
        script = pipeline.script_for(Deployment.main(load_stack_config()), "silver", zones, None)
        first = script.read_text().splitlines()[0]
        assert first == f"SET 'pipeline.global-job-parameters' = 'rva.zones:{zones.resolve()}';"

    def test_no_override_uses_committed_sql(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("RVA_STATE_DIR", str(tmp_path / "state"))
        script = pipeline.script_for(Deployment.main(load_stack_config()), "gold", None, None)
        assert script.name == "gold.sql" and script.parent.name == "sql"


class TestSkipKept:
    def test_a_skip_is_applied_on_every_later_start(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Until the layer reads on that partition its state holds the old position."""
        monkeypatch.setenv("RVA_STATE_DIR", str(tmp_path / "state"))
        main = Deployment.main(load_stack_config())
        pipeline._skip_file(main, "silver").parent.mkdir(parents=True)
        pipeline._skip_file(main, "silver").write_text("1764583200000@1\n")
        assert "'skip-to' = '1764583200000@1'," in pipeline.script_for(main, "silver", None, None).read_text()
        assert "'skip-to'" not in pipeline.script_for(main, "gold", None, None).read_text()


class TestResume:
    def _layout(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
        monkeypatch.setenv("RVA_STATE_DIR", str(tmp_path / "state"))
        return Layout.of(load_stack_config())

    def _main(self) -> Deployment:
        return Deployment.main(load_stack_config())

    def test_first_start_has_no_state(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        assert pipeline.resume_path((self._layout(tmp_path, monkeypatch), self._main())[1], "silver") is None

    def test_newest_complete_checkpoint_of_the_previous_job(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        layout = self._layout(tmp_path, monkeypatch)
        (layout.state / "pipeline").mkdir(parents=True)
        (layout.state / "pipeline" / "silver.job").write_text("abc")
        root = layout.data("flink") / "checkpoints" / "abc"
        for n, complete in ((9, True), (10, True), (11, False)):  # 11 was cut off mid-write
            (root / f"chk-{n}").mkdir(parents=True)
            if complete:
                (root / f"chk-{n}" / "_metadata").write_text("x")
        assert pipeline.resume_path(self._main(), "silver") == str(root / "chk-10")
        script = pipeline.script_for(self._main(), "silver", None, pipeline.resume_path(self._main(), "silver"))
        assert f"SET 'execution.savepoint.path' = '{root / 'chk-10'}';" in script.read_text()

    @staticmethod
    def _completed(path: Path, at: float) -> Path:
        """A checkpoint or savepoint directory whose _metadata was written at ``at``."""
        path.mkdir(parents=True)
        (path / "_metadata").write_text("x")
        os.utime(path / "_metadata", (at, at))
        return path

    def _checkpoint(self, layout: Layout, job: str, n: int, at: float) -> Path:
        return self._completed(layout.data("flink") / "checkpoints" / job / f"chk-{n}", at)

    def _savepoint(self, layout: Layout, layer: str, at: float) -> str:
        path = self._completed(layout.data("flink") / "savepoints" / f"savepoint-{layer}", at)
        (layout.state / "pipeline").mkdir(parents=True, exist_ok=True)
        (layout.state / "pipeline" / f"{layer}.savepoint").write_text(f"file:{path}\n")
        return f"file:{path}"

    def test_the_savepoint_down_took_wins_over_the_stopped_jobs_checkpoints(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        layout = self._layout(tmp_path, monkeypatch)
        self._checkpoint(layout, "abc", 4, at=1000)
        savepoint = self._savepoint(layout, "gold", at=1010)
        (layout.state / "pipeline" / "gold.job").write_text("abc")
        assert pipeline.resume_path(self._main(), "gold") == savepoint

    def test_a_savepoint_that_cannot_be_read_here_is_trusted(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        layout = self._layout(tmp_path, monkeypatch)
        self._checkpoint(layout, "abc", 4, at=1000)
        (layout.state / "pipeline").mkdir(parents=True)
        (layout.state / "pipeline" / "gold.savepoint").write_text("s3://bucket/savepoint-1\n")
        (layout.state / "pipeline" / "gold.job").write_text("abc")
        assert pipeline.resume_path(self._main(), "gold") == "s3://bucket/savepoint-1"

    def test_checkpoints_past_the_savepoint_win(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A job started from the savepoint ran on (its `up` gave up waiting, or it
        crashed): resuming from the savepoint would read its messages a second time."""
        layout = self._layout(tmp_path, monkeypatch)
        self._checkpoint(layout, "old", 4, at=1000)
        self._savepoint(layout, "silver", at=1010)
        newer = self._checkpoint(layout, "new", 7, at=1100)
        (layout.state / "pipeline" / "silver.job").write_text("old\nnew\n")
        assert pipeline.resume_path(self._main(), "silver") == str(newer)

    def test_a_job_that_failed_before_its_first_checkpoint_leaves_the_one_before(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        layout = self._layout(tmp_path, monkeypatch)
        before = self._checkpoint(layout, "old", 4, at=1000)
        (layout.state / "pipeline").mkdir(parents=True)
        (layout.state / "pipeline" / "silver.job").write_text("old\nfailed\n")
        assert pipeline.resume_path(self._main(), "silver") == str(before)

    def test_jobs_that_never_checkpointed_do_not_push_out_the_state(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A layer that fails on every start, cycled more often than the jobs remembered."""
        layout = self._layout(tmp_path, monkeypatch)
        good = self._checkpoint(layout, "good", 4, at=1000)
        for n in ("good", *(f"failed{i}" for i in range(pipeline.JOBS_REMEMBERED + 2))):
            pipeline._remember_job(self._main(), "gold", n)
        assert len(pipeline._jobs(self._main(), "gold")) == pipeline.JOBS_REMEMBERED
        assert pipeline.resume_path(self._main(), "gold") == str(good)

    def test_the_last_jobs_are_remembered(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self._layout(tmp_path, monkeypatch)
        for n in range(pipeline.JOBS_REMEMBERED + 2):
            pipeline._remember_job(self._main(), "bronze", f"job{n}")
        assert pipeline._jobs(self._main(), "bronze") == [f"job{n}" for n in range(2, pipeline.JOBS_REMEMBERED + 2)]

    def test_live_layer_never_resumes(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        layout = self._layout(tmp_path, monkeypatch)
        (layout.state / "pipeline").mkdir(parents=True)
        (layout.state / "pipeline" / "live.savepoint").write_text("file:/sp/savepoint-2\n")
        (layout.state / "pipeline" / "live.job").write_text("abc")
        (layout.data("flink") / "checkpoints" / "abc" / "chk-3").mkdir(parents=True)
        (layout.data("flink") / "checkpoints" / "abc" / "chk-3" / "_metadata").write_text("x")
        assert pipeline.resume_path(self._main(), "live") is None


class TestSqlError:
    def test_reason_line_is_reported(self) -> None:
        from rva.flink import sql_error

        output = ("Flink SQL> INSERT INTO t SELECT 1\x1b[31;1m[ERROR] Could not execute SQL statement. Reason:\n"
                  "org.apache.flink.table.api.ValidationException: Object 't' not found\x1b[0m\n"
                  "Shutting down the session...\ndone.\n")
        assert sql_error(output) == "org.apache.flink.table.api.ValidationException: Object 't' not found"


class TestRebuild:
    def test_layer_tables_come_from_the_sql(self) -> None:
        assert pipeline.layer_tables("bronze") == ["bronze_raw", "bronze_rejects"]
        assert "gold_line_crossings" in pipeline.layer_tables("gold")

    def test_unknown_layer(self) -> None:
        with pytest.raises(ConfigError, match="--rebuild: unknown layer 'platinum'"):
            pipeline.up(Deployment.main(load_stack_config()), rebuild_layers=("platinum",))


class TestDeployment:
    def test_main_runs_the_committed_sql(self) -> None:
        main = Deployment.main(load_stack_config(env={}))
        assert main.job_name("gold") == "rva-gold"
        assert main.script("gold").parent.name == "sql"
        assert main.topic == "persistent://retail/metadata/events" and main.namespace == "rva"

    def test_private_copy_has_its_own_names_and_state(self, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("RVA_STATE_DIR", str(tmp_path / "state"))
        private = Deployment(load_stack_config(), run="it-x",
                             names={"topic": "persistent://retail/metadata/it-x", "iceberg_namespace": "it_x"},
                             overrides={"allowed_lateness_s": 60})
        text = private.script("silver").read_text()
        assert "'source.subscription-name' = 'rva-silver-it-x'" in text
        assert "SET 'pipeline.name' = 'rva-silver-it-x';" in text
        assert "'topics' = 'persistent://retail/metadata/it-x'" in text
        assert "lakehouse.it_x.silver_detection" in text and "lateness_ms > 60000 AS is_late" in text
        assert private.state_dir == tmp_path / "state" / "pipeline" / "private" / "it-x"
        assert private.tunables()["allowed_lateness_s"] == 60


class TestSkipPoint:
    def test_a_time_moves_every_partition(self) -> None:
        point = pipeline.skip_point(Deployment.main(load_stack_config()), "2026-12-01T10:15:00Z")
        assert point == pipeline.SkipPoint(1796120100000, None)
        assert point.option() == "1796120100000"

    def test_a_time_without_zone_is_utc(self) -> None:
        point = pipeline.skip_point(Deployment.main(load_stack_config()), "2026-12-01T10:15:00")
        assert point.time_ms == 1796120100000

    def test_a_message_id_option_names_its_partition(self) -> None:
        assert pipeline.SkipPoint(1796120100001, 3).option() == "1796120100001@3"

    def test_neither_is_one_clear_error(self) -> None:
        with pytest.raises(ConfigError, match=r"--to 'yesterday': neither an ISO-8601 time nor a message id"):
            pipeline.skip_point(Deployment.main(load_stack_config()), "yesterday")

    def test_an_unknown_layer_is_refused_before_anything_stops(self) -> None:
        with pytest.raises(ConfigError, match="unknown layer 'platinum'"):
            pipeline.skip(Deployment.main(load_stack_config()), "platinum", pipeline.SkipPoint(0))
