"""Clients of the stack's Iceberg catalog for the CLI's own work: Trino for queries,
pyiceberg for commits Trino cannot make atomically."""

from __future__ import annotations

from typing import TYPE_CHECKING

import trino

from rva.config import StackConfig
from rva.stack.engines import LOCAL_HOST

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog


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


def iceberg_catalog(cfg: StackConfig) -> Catalog:
    """A pyiceberg client of the stack's REST catalog, with the S3 keys of the state dir."""
    from pyiceberg.catalog import load_catalog

    from rva.stack.credentials import REGION, load_or_create
    from rva.stack.layout import Layout

    creds = load_or_create(Layout.of(cfg).credentials)
    return load_catalog(cfg.names.catalog, **{
        "type": "rest",
        "uri": f"http://{LOCAL_HOST}:{cfg.ports.catalog}",
        "s3.endpoint": f"http://{LOCAL_HOST}:{cfg.ports.s3}",
        "s3.access-key-id": creds.access_key,
        "s3.secret-access-key": creds.secret_key,
        "s3.region": REGION,
        "s3.path-style-access": "true",
    })
