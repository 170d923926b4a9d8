"""What each engine is: its command line, environment, config files and health check.

Config files are Jinja templates under infra/<engine>/ rendered into the state dir, so
the same templates can serve other deployments (docker-compose) with other hosts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jinja2
import yaml

from rva.config import REPO_ROOT, StackConfig
from rva.errors import ConfigError, EngineError
from rva.stack.credentials import Credentials
from rva.stack.layout import Layout

INFRA = REPO_ROOT / "infra"
LOCAL_HOST = "127.0.0.1"


@dataclass(frozen=True)
class Engine:
    """One engine process and how to tell that it serves."""

    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    healthy: Callable[[], bool]
    endpoints: dict[str, str] = field(default_factory=dict)
    after: tuple[str, ...] = ()  # engines that must be healthy before this one starts
    stop_grace_s: float = 30.0  # SIGTERM, then SIGKILL after this long


def _http_ok(url: str, accept: Callable[[httpx.Response], bool] | None = None) -> Callable[[], bool]:
    def check() -> bool:
        try:
            response = httpx.get(url, timeout=3)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and (accept is None or accept(response))

    return check


ENGINE_HOSTS = ("pulsar", "flink_jobmanager", "flink_taskmanager", "catalog", "s3", "trino", "prometheus",
                "alertmanager")
ALERT_THRESHOLDS = REPO_ROOT / "configs" / "alerts.yaml"
TELEGRAM_ENV = ("RVA_TELEGRAM_BOT_TOKEN", "RVA_TELEGRAM_CHAT_ID")


def telegram_receiver(env: dict[str, str]) -> dict[str, Any] | None:
    """Alertmanager's Telegram receiver from RVA_TELEGRAM_BOT_TOKEN and
    RVA_TELEGRAM_CHAT_ID, or None when neither is set.

    Raises:
        ConfigError: only one is set, or the chat id is not an integer.
    """
    token, chat = (env.get(name, "").strip() for name in TELEGRAM_ENV)
    if not token and not chat:
        return None
    if not token or not chat:
        missing = TELEGRAM_ENV[0] if not token else TELEGRAM_ENV[1]
        raise ConfigError(f"Telegram alerts need both {' and '.join(TELEGRAM_ENV)}: {missing} is not set")
    try:
        chat_id = int(chat)
    except ValueError:
        raise ConfigError(f"{TELEGRAM_ENV[1]}: need a Telegram chat id (an integer), got {chat!r}") from None
    return {"bot_token": token, "chat_id": chat_id}


def template_context(cfg: StackConfig, hosts: dict[str, str], dirs: dict[str, str],
                     bind_host: str, host_machine: str = LOCAL_HOST) -> dict[str, Any]:
    """Values the infra/ templates may use, for one deployment (local or compose)."""
    return {
        "ports": cfg.ports.model_dump(),
        "memory": cfg.memory.model_dump(),
        "flink": cfg.flink.model_dump(),
        "names": cfg.names.model_dump(),
        "bind_host": bind_host,
        "host_machine": host_machine,  # where processes outside the engines listen (the webhook)
        "hosts": hosts,
        "dirs": dirs,
        "alerts": yaml.safe_load(ALERT_THRESHOLDS.read_text()),
        "telegram": None,
    }


def local_context(cfg: StackConfig, layout: Layout) -> dict[str, Any]:
    """Template values for the local process stack: loopback hosts, state-dir data."""
    engines = ("flink", "pulsar", "trino", "prometheus", "catalog")
    context = template_context(
        cfg,
        hosts={name: LOCAL_HOST for name in ENGINE_HOSTS},
        dirs={f"{name}_data": str(layout.data(name)) for name in engines},
        bind_host=LOCAL_HOST,
    )
    context["flink_python"] = str(layout.flink_venv / "bin" / "python")
    context["zones_file"] = str(REPO_ROOT / "configs" / "zones.yaml")
    telegram = telegram_receiver(dict(os.environ))
    if telegram is not None:  # the token goes to a private file, never into a config
        token_file = layout.conf("alertmanager") / "telegram_bot_token"
        token_file.parent.mkdir(parents=True, exist_ok=True)
        token_file.touch(mode=0o600)
        token_file.chmod(0o600)
        token_file.write_text(telegram.pop("bot_token"))
        telegram["bot_token_file"] = str(token_file)
    context["telegram"] = telegram
    return context


def render_text(template: str, context: dict[str, Any]) -> str:
    """Render infra/``template``; a missing variable is an error, not an empty string."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(INFRA), undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template(template).render(context)


def render(template: str, context: dict[str, Any], dest: Path) -> Path:
    """Render infra/``template`` to ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(render_text(template, context))
    return dest


def _base_env(java_home: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAVA_", "FLINK_", "PYTHON"))}
    if java_home is not None:
        env["JAVA_HOME"] = str(java_home)
        env["PATH"] = f"{java_home / 'bin'}:{env.get('PATH', '')}"
    return env


def java17_home() -> Path:
    """The JDK for Flink, Pulsar and the catalog (Flink 1.20 supports 11 and 17)."""
    for candidate in ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64"):
        if Path(candidate, "bin", "java").exists():
            return Path(candidate)
    raise EngineError("no JDK 17 under /usr/lib/jvm: install Debian's openjdk-17-jdk-headless")


def flink_env(cfg: StackConfig, layout: Layout, creds: Credentials) -> dict[str, str]:
    """Environment for Flink processes and for sql-client.sh run by hand."""
    return {
        **_base_env(java17_home()),
        **creds.aws_env(),
        "FLINK_HOME": str(layout.flink_home),
        "FLINK_CONF_DIR": str(layout.conf("flink")),
        "FLINK_LOG_DIR": str(layout.state / "logs" / "flink"),
        # Python UDF workers and the SQL client import `udfs` from this checkout.
        "PYTHONPATH": str(REPO_ROOT),
        "PATH": f"{layout.flink_home / 'bin'}:{java17_home() / 'bin'}:{os.environ.get('PATH', '')}",
    }


def key_values(text: str) -> dict[str, str]:
    """KEY=value lines; comments and blank lines skipped."""
    return dict(
        line.split("=", 1) for line in text.splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    )


def pulsar_overrides(ctx: dict[str, Any]) -> dict[str, str]:
    """The standalone.conf keys we change, rendered for one deployment."""
    return key_values(render_text("pulsar/standalone.overrides.j2", ctx))


def _pulsar_conf(layout: Layout, changes: dict[str, str]) -> Path:
    """The distribution's standalone.conf with our overrides applied, key by key."""
    changes = dict(changes)
    lines = []
    for line in (layout.pulsar_home / "conf" / "standalone.conf").read_text().splitlines():
        key = line.split("=", 1)[0]
        lines.append(f"{key}={changes.pop(key)}" if "=" in line and key in changes else line)
    lines += [f"{key}={value}" for key, value in changes.items()]
    dest = layout.conf("pulsar") / "standalone.conf"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n".join(lines) + "\n")
    return dest


def engines(cfg: StackConfig, layout: Layout, creds: Credentials) -> list[Engine]:
    """Every engine in start order, with its config files rendered."""
    ctx = local_context(cfg, layout)
    p = cfg.ports
    aws = creds.aws_env()
    java17 = java17_home()
    for name in ("flink", "pulsar", "trino", "prometheus", "alertmanager", "catalog", "minio"):
        layout.data(name).mkdir(parents=True, exist_ok=True)

    minio = Engine(
        name="minio",
        command=[str(layout.minio_bin), "server", str(layout.data("minio")),
                 "--address", f"{LOCAL_HOST}:{p.s3}", "--console-address", f"{LOCAL_HOST}:{p.s3_console}"],
        env={**_base_env(), "MINIO_ROOT_USER": creds.access_key, "MINIO_ROOT_PASSWORD": creds.secret_key,
             "MINIO_BROWSER_REDIRECT": "off", "MINIO_UPDATE": "off"},
        cwd=layout.data("minio"),
        healthy=_http_ok(f"http://{LOCAL_HOST}:{p.s3}/minio/health/live"),
        endpoints={"s3_endpoint": f"http://{LOCAL_HOST}:{p.s3}", "console": f"http://{LOCAL_HOST}:{p.s3_console}"},
    )

    catalog_conf = render("catalog/catalog.env.j2", ctx, layout.conf("catalog") / "catalog.env")
    catalog_vars = key_values(catalog_conf.read_text())
    catalog = Engine(
        name="catalog",
        command=[str(java17 / "bin" / "java"), f"-Xmx{cfg.memory.catalog}", "-XX:+UseSerialGC", "-cp",
                 f"{layout.catalog_home / 'lib'}/*", "org.apache.iceberg.rest.RESTCatalogServer"],
        env={**_base_env(java17), **aws, **catalog_vars},
        cwd=layout.data("catalog"),
        healthy=_http_ok(f"http://{LOCAL_HOST}:{p.catalog}/v1/config"),
        endpoints={"uri": f"http://{LOCAL_HOST}:{p.catalog}", "warehouse": f"s3://{cfg.names.bucket}/"},
    )

    pulsar_conf = _pulsar_conf(layout, pulsar_overrides(ctx))
    pulsar = Engine(
        name="pulsar",
        command=[str(layout.pulsar_home / "bin" / "pulsar"), "standalone",
                 "--config", str(pulsar_conf),
                 "--bookkeeper-dir", str(layout.data("pulsar") / "bookkeeper"),
                 "--metadata-dir", str(layout.data("pulsar") / "metadata"),
                 "--no-functions-worker", "--no-stream-storage"],
        # The shipped defaults pre-touch a 2 GB heap and 4 GB direct memory with ZGC.
        env={**_base_env(java17), "PULSAR_MEM": f"-Xms256m -Xmx{cfg.memory.pulsar} -XX:MaxDirectMemorySize=512m",
             "PULSAR_GC": "-XX:+UseG1GC",
             "PULSAR_LOG_DIR": str(layout.state / "logs" / "pulsar-internal"),
             "PULSAR_GC_LOG": " "},
        cwd=layout.data("pulsar"),
        healthy=_http_ok(f"http://{LOCAL_HOST}:{p.pulsar_admin}/admin/v2/brokers/health"),
        # A killed standalone leaves its bookie registered (control.REGISTRATION_FIGHT):
        # give it time to close its ledgers and deregister.
        stop_grace_s=120.0,
        endpoints={"service_url": cfg.pulsar_service_url,
                   "admin_url": f"http://{LOCAL_HOST}:{p.pulsar_admin}",
                   "topic": cfg.names.topic},
    )

    render("flink/config.yaml.j2", ctx, layout.conf("flink") / "config.yaml")
    for extra in ("log4j-console.properties", "log4j-cli.properties", "log4j.properties"):
        source = layout.flink_home / "conf" / extra
        if source.exists():
            (layout.conf("flink") / extra).write_bytes(source.read_bytes())
    fenv = flink_env(cfg, layout, creds)
    flink_rest = f"http://{LOCAL_HOST}:{p.flink_rest}"
    jobmanager = Engine(
        name="flink-jobmanager",
        command=[str(layout.flink_home / "bin" / "jobmanager.sh"), "start-foreground"],
        env=fenv,
        cwd=layout.data("flink"),
        healthy=_http_ok(f"{flink_rest}/overview"),
        endpoints={"rest": flink_rest},
    )
    taskmanager = Engine(
        name="flink-taskmanager",
        command=[str(layout.flink_home / "bin" / "taskmanager.sh"), "start-foreground"],
        env=fenv,
        cwd=layout.data("flink"),
        healthy=_http_ok(f"{flink_rest}/overview", lambda r: r.json().get("taskmanagers", 0) > 0),
    )

    trino_java = layout.trino_java(cfg.java.trino_min_version)
    trino_etc = layout.conf("trino")
    for template in ("config.properties", "jvm.config", "node.properties", "log.properties",
                     "catalog/lakehouse.properties"):
        render(f"trino/{template}.j2", ctx, trino_etc / template)
    trino = Engine(
        name="trino",
        command=[str(layout.trino_home / "bin" / "launcher"), "run", f"--etc-dir={trino_etc}",
                 f"--data-dir={layout.data('trino')}"],
        env={**_base_env(trino_java.parent.parent if trino_java else None), **aws},
        cwd=layout.data("trino"),
        healthy=_http_ok(f"http://{LOCAL_HOST}:{p.trino}/v1/info", lambda r: not r.json().get("starting", True)),
        endpoints={"uri": f"http://{LOCAL_HOST}:{p.trino}", "catalog": cfg.names.catalog},
        after=("catalog",),  # Trino loads the REST catalog's config at start-up
    )

    alertmanager_conf = render("alertmanager/alertmanager.yml.j2", ctx,
                               layout.conf("alertmanager") / "alertmanager.yml")
    alertmanager = Engine(
        name="alertmanager",
        command=[str(layout.alertmanager_bin),
                 f"--config.file={alertmanager_conf}",
                 f"--storage.path={layout.data('alertmanager')}",
                 f"--web.listen-address={LOCAL_HOST}:{p.alertmanager}",
                 "--cluster.listen-address="],  # one instance: no gossip port
        env=_base_env(),
        cwd=layout.data("alertmanager"),
        healthy=_http_ok(f"http://{LOCAL_HOST}:{p.alertmanager}/-/ready"),
        endpoints={"api": f"http://{LOCAL_HOST}:{p.alertmanager}",
                   "webhook": f"http://{LOCAL_HOST}:{p.alert_webhook}/alerts"},
    )

    render("prometheus/prometheus.yml.j2", ctx, layout.conf("prometheus") / "prometheus.yml")
    render("prometheus/alerts.yml.j2", ctx, layout.conf("prometheus") / "alerts.yml")
    prometheus = Engine(
        name="prometheus",
        command=[str(layout.prometheus_home / "usr" / "bin" / "prometheus"),
                 f"--config.file={layout.conf('prometheus') / 'prometheus.yml'}",
                 f"--storage.tsdb.path={layout.data('prometheus')}",
                 f"--web.listen-address={LOCAL_HOST}:{p.prometheus}"],
        env=_base_env(),
        cwd=layout.data("prometheus"),
        healthy=_http_ok(f"http://{LOCAL_HOST}:{p.prometheus}/-/ready"),
        endpoints={"url": f"http://{LOCAL_HOST}:{p.prometheus}"},
        after=("alertmanager",),
    )
    return [minio, catalog, pulsar, jobmanager, taskmanager, trino, alertmanager, prometheus]
