"""infra/stack.yaml loading and RVA_* overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from rva.config import STACK_FILE, Artifact, apply_env_overrides, load_stack_config
from rva.errors import ConfigError


class TestLoadStackConfig:
    def test_committed_file_is_valid(self) -> None:
        cfg = load_stack_config(env={})
        assert cfg.ports.trino == 8088
        assert cfg.names.topic == "persistent://retail/metadata/events"
        assert cfg.names.catalog == "lakehouse"

    def test_env_override_reaches_nested_key(self) -> None:
        cfg = load_stack_config(env={"RVA_PORTS__TRINO": "9088", "RVA_STATE_DIR": "/tmp/x"})
        assert cfg.ports.trino == 9088
        assert cfg.state_dir == Path("/tmp/x")

    def test_unrelated_rva_variables_are_ignored(self) -> None:
        cfg = load_stack_config(env={"RVA_TEST_STACK": "compose", "RVA_PORTS__NOPE": "1"})
        assert cfg.ports.trino == 8088

    def test_bad_port_is_named(self) -> None:
        with pytest.raises(ConfigError, match=r"ports\.trino"):
            load_stack_config(env={"RVA_PORTS__TRINO": "eighty"})

    def test_missing_file_is_one_clear_line(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="cannot read"):
            load_stack_config(tmp_path / "nope.yaml", env={})

    def test_not_yaml(self, tmp_path: Path) -> None:
        bad = tmp_path / "stack.yaml"
        bad.write_text("ports: [1, 2\n")
        with pytest.raises(ConfigError, match="not valid YAML"):
            load_stack_config(bad, env={})


class TestEnvOverrides:
    def test_does_not_mutate_input(self) -> None:
        data = {"ports": {"trino": 1}}
        merged = apply_env_overrides(data, {"RVA_PORTS__TRINO": "2"})
        assert data == {"ports": {"trino": 1}}
        assert merged == {"ports": {"trino": "2"}}

    def test_cannot_replace_a_section(self) -> None:
        merged = apply_env_overrides({"ports": {"trino": 1}}, {"RVA_PORTS": "x"})
        assert merged == {"ports": {"trino": 1}}


class TestArtifact:
    @pytest.mark.parametrize(
        ("maven", "url_tail"),
        [
            pytest.param("org.apache.flink:flink-sql-gateway:1.20.3",
                         "org/apache/flink/flink-sql-gateway/1.20.3/flink-sql-gateway-1.20.3.jar", id="jar"),
            pytest.param("io.trino:trino-iceberg:476:zip",
                         "io/trino/trino-iceberg/476/trino-iceberg-476.zip", id="ext"),
            pytest.param("org.apache.pulsar:pulsar-server-distribution:4.0.8:bin:tar.gz",
                         "org/apache/pulsar/pulsar-server-distribution/4.0.8/"
                         "pulsar-server-distribution-4.0.8-bin.tar.gz", id="classifier"),
        ],
    )
    def test_url(self, maven: str, url_tail: str) -> None:
        artifact = Artifact(maven=maven, sha256="0" * 64, into="flink-lib")
        assert artifact.url == "https://repo1.maven.org/maven2/" + url_tail

    def test_bad_digest(self) -> None:
        with pytest.raises(ValueError, match="64 lower-case hex"):
            Artifact(maven="a:b:1", sha256="abc", into="flink-lib")

    def test_every_pinned_artifact_has_a_digest(self) -> None:
        cfg = load_stack_config(STACK_FILE, env={})
        assert cfg.artifacts, "no artifacts pinned"
        assert all(len(a.sha256) == 64 for a in cfg.artifacts.values())
