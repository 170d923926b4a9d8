"""`rva query`: SQL on Trino's lakehouse catalog, printed as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import requests
import trino

from rva.config import StackConfig
from rva.errors import RvaError
from rva.lakehouse import trino_cursor
from rva.stack.engines import LOCAL_HOST

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_query(cfg: StackConfig, sql: str, schema: str | None = None) -> QueryResult:
    """Run one statement on catalog `lakehouse`, schema ``schema`` (default: rva's
    namespace). RvaError with Trino's own message when it refuses the query, or with
    what to do when Trino cannot be reached."""
    statement = sql.strip().rstrip(";").strip()
    if not statement:
        raise RvaError("query: no SQL given")
    cursor = trino_cursor(cfg, "rva-query", schema)
    try:
        cursor.execute(statement)
        rows = [tuple(row) for row in cursor.fetchall()]
    except trino.exceptions.TrinoUserError as e:
        raise RvaError(f"query failed: {e.error_name}: {' '.join(e.message.split())}") from None
    except trino.exceptions.TrinoQueryError as e:
        raise RvaError(f"query failed in Trino: {' '.join(e.message.split())}") from None
    except (trino.exceptions.TrinoConnectionError, trino.exceptions.HttpError,
            requests.exceptions.RequestException, OSError) as e:
        raise RvaError(f"Trino at {LOCAL_HOST}:{cfg.ports.trino} is not reachable ({type(e).__name__}): "
                       "is the stack up? (`rva stack status`)") from None
    return QueryResult([d[0] for d in cursor.description or []], rows)


def plain(value: Any) -> Any:
    """A value as JSON holds it: times in ISO 8601, decimals as numbers."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def as_csv(result: QueryResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([plain(v) for v in row] for row in result.rows)
    return out.getvalue()


def as_json(result: QueryResult) -> str:
    """One JSON array of objects, one per row, keyed by column."""
    return json.dumps([dict(zip(result.columns, (plain(v) for v in row))) for row in result.rows], indent=2)
