"""The zones a deployment's jobs run with: chosen at `pipeline up`, kept, never swapped silently.

`up --zones F` copies F into the deployment's state dir (content-addressed, so an edit of
F later changes nothing a job reads) and records it as applied; every later start
without `--zones`, after a `down` or a crash, resumes with the applied zones rather than
the default file. While a layer that reads zones (silver, gold, live) runs, `up --zones`
with other zones is refused with how to apply them: its state and its Python workers
hold the old ones, and starting only the stopped layers with the new ones would mix two
layouts in one deployment.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from rva.config import REPO_ROOT
from rva.deployment import Deployment
from rva.errors import ConfigError

DEFAULT_ZONES = REPO_ROOT / "configs" / "zones.yaml"
ZONE_LAYERS = ("silver", "gold", "live")  # the layers whose UDFs read zones
POINTER = "zones.applied"  # in the state dir: the name of the applied copy


def applied(deployment: Deployment) -> Path | None:
    """The copy the deployment's jobs were last started with, or None before the first `up`."""
    pointer = deployment.state_dir / POINTER
    if not pointer.exists():
        return None
    copy = deployment.state_dir / pointer.read_text().strip()
    return copy if copy.exists() else None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def choose(deployment: Deployment, requested: Path | None, running: set[str]) -> Path:
    """The zones file to start layers with: ``requested``, else the applied one, else
    configs/zones.yaml.

    Raises:
        ConfigError: ``requested`` differs from the applied zones while a layer in
            ``running`` reads zones.
    """
    current = applied(deployment)
    if requested is None:
        return current or DEFAULT_ZONES
    busy = sorted(running & set(ZONE_LAYERS))
    # jobs started before zones were recorded run with the cluster's default file
    if busy and _digest(requested) != _digest(current or DEFAULT_ZONES):
        raise ConfigError(f"--zones {requested}: {', '.join(busy)} run with other zones; to apply these, "
                          f"`rva pipeline down` then `rva pipeline up --zones {requested}` (state is kept)")
    return requested


def record(deployment: Deployment, zones: Path) -> Path:
    """Copy ``zones`` into the state dir, mark it applied; returns the copy jobs read."""
    deployment.state_dir.mkdir(parents=True, exist_ok=True)
    copy = deployment.state_dir / f"zones-{_digest(zones)}.yaml"
    if not copy.exists():
        partial = copy.with_suffix(".partial")
        shutil.copyfile(zones, partial)
        partial.replace(copy)
    pointer = deployment.state_dir / POINTER
    partial = pointer.with_suffix(".partial")
    partial.write_text(copy.name + "\n")
    partial.replace(pointer)
    return copy
