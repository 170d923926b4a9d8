"""`rva alerts`: what fires now, from Alertmanager's API (docs/monitoring.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx
from rich.table import Table

from rva.config import StackConfig
from rva.errors import EngineError
from rva.stack.engines import LOCAL_HOST


@dataclass(frozen=True)
class Alert:
    """One active alert as Alertmanager holds it."""

    name: str
    severity: str
    summary: str
    since: datetime
    labels: dict[str, str]


def active(cfg: StackConfig) -> list[Alert]:
    """Active (not silenced or inhibited) alerts, oldest first.

    Raises:
        EngineError: Alertmanager does not answer.
    """
    url = f"http://{LOCAL_HOST}:{cfg.ports.alertmanager}/api/v2/alerts"
    try:
        response = httpx.get(url, params={"active": "true", "silenced": "false", "inhibited": "false"}, timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as err:
        raise EngineError(f"cannot read alerts from {url}: {err}; is the stack up (`rva stack up`)?") from err
    alerts = [
        Alert(name=a["labels"].get("alertname", "?"), severity=a["labels"].get("severity", ""),
              summary=a.get("annotations", {}).get("summary", ""),
              since=datetime.fromisoformat(a["startsAt"].replace("Z", "+00:00")), labels=a["labels"])
        for a in response.json()
    ]
    return sorted(alerts, key=lambda a: (a.since, a.name))


def table(alerts: list[Alert]) -> Table:
    rows = Table("since (UTC)", "alert", "severity", "summary")
    for a in alerts:
        rows.add_row(f"{a.since:%Y-%m-%d %H:%M:%S}", a.name, a.severity, a.summary)
    return rows
