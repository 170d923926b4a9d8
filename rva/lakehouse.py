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


def drop_namespace(cfg: StackConfig, namespace: str, user: str) -> None:
    """Drop every table of ``namespace`` and then the namespace (for tests and benchmarks)."""
    cursor = trino_cursor(cfg, user, namespace)
    cursor.execute(f"SHOW TABLES FROM {namespace}")
    for (table,) in cursor.fetchall():
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.fetchall()
    cursor.execute(f"DROP SCHEMA IF EXISTS {namespace}")
    cursor.fetchall()
