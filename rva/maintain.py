"""`rva maintain`: compact small files, expire old snapshots, remove orphan files.

Streaming commits every checkpoint leave many small files and snapshots; Trino's
Iceberg procedures clean them up while the Flink jobs keep writing (an append never
conflicts with a rewrite). The retention must stay well above the checkpoint
interval: a file written by a checkpoint in flight is an orphan until it commits.
"""

from __future__ import annotations

from dataclasses import dataclass

import trino

from rva.config import StackConfig
from rva.lakehouse import trino_cursor


@dataclass(frozen=True)
class TableReport:
    table: str
    files_before: int
    files_after: int
    snapshots_before: int
    snapshots_after: int


def _scalar(cursor: trino.dbapi.Cursor, sql: str) -> int:
    cursor.execute(sql)
    return int(cursor.fetchall()[0][0])


def maintain(cfg: StackConfig, schema: str | None = None, retention: str = "1d") -> list[TableReport]:
    """Run optimize, expire_snapshots and remove_orphan_files on every table of ``schema``."""
    schema = schema or cfg.names.iceberg_namespace
    cursor = trino_cursor(cfg, "rva-maintain", schema)
    cursor.execute(f"SHOW TABLES FROM {schema}")
    tables = sorted(row[0] for row in cursor.fetchall())
    reports = []
    for table in tables:
        files = f'SELECT count(*) FROM "{table}$files"'
        snapshots = f'SELECT count(*) FROM "{table}$snapshots"'
        files_before, snapshots_before = _scalar(cursor, files), _scalar(cursor, snapshots)
        for procedure in ("optimize",
                          f"expire_snapshots(retention_threshold => '{retention}')",
                          f"remove_orphan_files(retention_threshold => '{retention}')"):
            cursor.execute(f"ALTER TABLE {table} EXECUTE {procedure}")
            cursor.fetchall()
        reports.append(TableReport(table, files_before, _scalar(cursor, files),
                                   snapshots_before, _scalar(cursor, snapshots)))
    return reports
