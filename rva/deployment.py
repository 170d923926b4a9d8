"""Which set of layer jobs a command works on: the main pipeline or a private copy.

The main deployment is what users run: the committed sql/, the events topic, the `rva`
namespace, jobs named rva-<layer>. A private deployment (tests, benchmarks) renders its
own copy of every script with other topics, another namespace and jobs named
rva-<layer>-<run>, so the main pipeline is never touched; its saved state is kept apart.
`rva pipeline`, reconciliation and the pipeline's metrics all take a Deployment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rva.config import REPO_ROOT, StackConfig
from rva.sql.render import PIPELINE, render_script
from rva.stack.layout import Layout


@dataclass(frozen=True)
class Deployment:
    """One set of layer jobs and the names they read and write.

    Attributes:
        cfg: The stack the jobs run on.
        run: None for the main pipeline; otherwise the suffix of every job name.
        names: Overrides of infra/stack.yaml names (topic, live_topic, iceberg_namespace).
        overrides: Overrides of configs/pipeline.yaml values (thresholds).
    """

    cfg: StackConfig
    run: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def main(cls, cfg: StackConfig) -> Deployment:
        return cls(cfg)

    @property
    def topic(self) -> str:
        return self.names.get("topic", self.cfg.names.topic)

    @property
    def live_topic(self) -> str:
        return self.names.get("live_topic", self.cfg.names.live_topic)

    @property
    def namespace(self) -> str:
        return self.names.get("iceberg_namespace", self.cfg.names.iceberg_namespace)

    def job_name(self, layer: str) -> str:
        """The Flink job of ``layer``; its Pulsar subscription has the same name."""
        return f"rva-{layer}" if self.run is None else f"rva-{layer}-{self.run}"

    @property
    def state_dir(self) -> Path:
        """Where savepoint and job-id records of this deployment's layers are kept."""
        root = Layout.of(self.cfg).state / "pipeline"
        return root if self.run is None else root / "private" / self.run

    def tunables(self) -> dict[str, Any]:
        """configs/pipeline.yaml with this deployment's overrides."""
        return {**yaml.safe_load(PIPELINE.read_text()), **self.overrides}

    def script(self, layer: str, names: dict[str, str] | None = None, **context: Any) -> Path:
        """The SQL script of ``layer`` this deployment submits: the committed sql/<layer>.sql
        for the main pipeline, else (or with other ``names`` or per-run ``context`` values,
        as reconciliation has) a rendered copy."""
        names = {**self.names, **(names or {})}
        if self.run is None and not names and not self.overrides and not context:
            return REPO_ROOT / "sql" / f"{layer}.sql"
        return render_script(self.cfg, "local", layer, self.run, names, **{**self.overrides, **context})
