"""sql/ is the rendered templates/, and it passes sqlfluff."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

from rva.config import REPO_ROOT, load_stack_config
from rva.errors import ConfigError
from rva.sql.render import LAYERS, RECONCILE, render_all, render_context


class TestRender:
    def test_committed_sql_matches_templates(self, tmp_path: Path) -> None:
        for path in render_all(load_stack_config(env={}), "local", tmp_path):
            committed = REPO_ROOT / "sql" / path.name
            assert committed.read_text() == path.read_text(), (
                f"sql/{path.name} is stale: run `rva sql render`")

    def test_every_environment_renders(self, tmp_path: Path) -> None:
        for env in ("local", "compose"):
            written = render_all(load_stack_config(env={}), env, tmp_path / env)
            assert [p.stem for p in written] == [*LAYERS, RECONCILE]

    def test_compose_uses_service_names(self, tmp_path: Path) -> None:
        context = render_context(load_stack_config(env={}), "compose")
        assert context["catalog_uri"] == "http://iceberg-rest:8181"
        assert context["pulsar_service_url"] == "pulsar://pulsar:6650"

    def test_unknown_environment(self) -> None:
        with pytest.raises(ConfigError, match="unknown environment 'prod'"):
            render_context(load_stack_config(env={}), "prod")

    def test_no_secret_in_rendered_sql(self) -> None:
        text = "\n".join(p.read_text() for p in (REPO_ROOT / "sql").rglob("*.sql"))
        assert "'s3.access-key-id'" not in text and "'s3.secret-access-key'" not in text


class TestLint:
    @pytest.mark.parametrize("path", sorted((REPO_ROOT / "sql").rglob("*.sql")), ids=lambda p: p.name)
    def test_sqlfluff_clean(self, path: Path) -> None:
        config = FluffConfig.from_path(str(path.parent))
        result = Linter(config=config).lint_paths((str(path),))
        violations = [f"L{v['start_line_no']} {v['code']}: {v['description']}"
                      for record in result.as_records() for v in record["violations"]]
        assert violations == []
