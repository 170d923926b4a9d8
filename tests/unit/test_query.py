"""`rva query`'s output formats and its errors before Trino is asked anything."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from rva.query import QueryResult, as_csv, as_json
from tests.ports import free_port

RESULT = QueryResult(["store_id", "window_start", "people", "share", "zones"], [
    ("store_001", datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc), 3, Decimal("0.25"), ["entrance", "aisle"]),
    ("store, \"2\"", datetime(2026, 11, 2, 10, 1), None, Decimal("1"), []),
])


def rva(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rva.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_csv_quotes_and_keeps_every_row() -> None:
    rows = list(csv.reader(io.StringIO(as_csv(RESULT))))
    assert rows == [RESULT.columns,
                    ["store_001", "2026-11-02T10:00:00+00:00", "3", "0.25", "['entrance', 'aisle']"],
                    ['store, "2"', "2026-11-02T10:01:00", "", "1.0", "[]"]]


def test_json_is_one_object_per_row() -> None:
    assert json.loads(as_json(RESULT)) == [
        {"store_id": "store_001", "window_start": "2026-11-02T10:00:00+00:00", "people": 3, "share": 0.25,
         "zones": ["entrance", "aisle"]},
        {"store_id": 'store, "2"', "window_start": "2026-11-02T10:01:00", "people": None, "share": 1.0,
         "zones": []},
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["select 1", "--format", "xml"], "--format xml: expected one of table, csv, json"),
    ([], "query: give either SQL or --file, not both or neither"),
    (["select 1", "--file", "q.sql"], "query: give either SQL or --file, not both or neither"),
    (["--file", "/nonexistent/q.sql"], "--file /nonexistent/q.sql: no such file"),
    (["  ;  "], "query: no SQL given"),
])
def test_bad_arguments_are_one_line(args: list[str], message: str) -> None:
    result = rva("query", *args)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {message}"


def test_an_unreachable_trino_is_one_line(tmp_path: Path) -> None:
    port = free_port()
    result = rva("query", "select 1", env={"RVA_PORTS__TRINO": str(port), "RVA_STATE_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"error: Trino at 127.0.0.1:{port} is not reachable")
    assert len(result.stderr.strip().splitlines()) == 1
