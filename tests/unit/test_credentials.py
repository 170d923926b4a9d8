"""Generated local credentials."""

from __future__ import annotations

import stat
from pathlib import Path

from rva.stack.credentials import load_or_create


class TestCredentials:
    def test_generated_once_then_reused(self, tmp_path: Path) -> None:
        path = tmp_path / "state" / "credentials.env"
        first = load_or_create(path)
        second = load_or_create(path)
        assert first == second
        assert len(first.secret_key) >= 32

    def test_private_file(self, tmp_path: Path) -> None:
        path = tmp_path / "credentials.env"
        load_or_create(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_two_machines_get_different_keys(self, tmp_path: Path) -> None:
        a = load_or_create(tmp_path / "a.env")
        b = load_or_create(tmp_path / "b.env")
        assert a.secret_key != b.secret_key

    def test_aws_env_names(self, tmp_path: Path) -> None:
        env = load_or_create(tmp_path / "c.env").aws_env()
        assert set(env) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"}
