"""Time `rva stack up` from cold: no engine running, engines already in the cache.

Two figures per run: a fresh state dir (first start: Pulsar formats its bookie, MinIO
its drive) and a restart over existing data. Each run starts the real stack in a
temporary state dir and stops it again. Needs the default ports free (`rva stack down`).

    python benchmarks/stack_up.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HEALTHY = re.compile(r"(\S+) healthy after ([0-9.]+)s")


def timed_up(env: dict[str, str]) -> tuple[float, dict[str, float]]:
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "rva.cli", "stack", "up", "--no-fetch"],
                            env={**env, "COLUMNS": "200"}, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        sys.exit(f"stack up failed:\n{result.stderr[-2000:]}")
    return elapsed, {m[0]: float(m[1]) for m in HEALTHY.findall(result.stderr)}


def down(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "rva.cli", "stack", "down"], env=env,
                   capture_output=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"fresh state": [], "restart": []}
    engines: dict[str, list[float]] = {}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="rva-bench-") as state:
            env = {**os.environ, "RVA_STATE_DIR": state}
            for label in ("fresh state", "restart"):
                elapsed, per_engine = timed_up(env)
                down(env)
                results[label].append(elapsed)
                if label == "fresh state":
                    for name, seconds in per_engine.items():
                        engines.setdefault(name, []).append(seconds)
                print(f"run {run + 1}: {label}: {elapsed:.1f}s", flush=True)
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
          f"{platform.system()} {platform.release()}")
    print(f"{'rva stack up (cold)':<28}{'median s':>10}{'min s':>8}{'max s':>8}")
    for label, values in results.items():
        print(f"{label:<28}{statistics.median(values):>10.1f}{min(values):>8.1f}{max(values):>8.1f}")
    print("\nper engine, fresh state (seconds until healthy, from the first start):")
    for name, values in sorted(engines.items(), key=lambda kv: statistics.median(kv[1])):
        print(f"  {name:<26}{statistics.median(values):>8.1f}")


if __name__ == "__main__":
    main()
