"""A Trino cursor on the stack's Iceberg catalog, for the CLI's own queries."""

from __future__ import annotations

import trino

from rva.config import StackConfig
from rva.stack.engines import LOCAL_HOST


def trino_cursor(cfg: StackConfig, user: str, schema: str | None = None) -> trino.dbapi.Cursor:
    """A cursor on catalog `lakehouse`, schema ``schema`` (default: the rva namespace)."""
    conn = trino.dbapi.connect(host=LOCAL_HOST, port=cfg.ports.trino, user=user,
                               catalog=cfg.names.catalog, schema=schema or cfg.names.iceberg_namespace)
    return conn.cursor()
