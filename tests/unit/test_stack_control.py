"""control._registration_fight: Pulsar's bookie fighting its own stale registration is
recognised from the broker's log, and a healthy log is not."""

from __future__ import annotations

from pathlib import Path

from rva.stack import control
from rva.stack.process import Process

FIGHT = ("2026-12-01T15:46:55,568+0000 [metadata-store-1-1] INFO  org.apache.pulsar.metadata.coordination.impl."
         "ResourceLockImpl - Lock on resource /ledgers/available/127.0.0.1:37417 was invalidated. state Valid\n")
HEALTHY = ("2026-12-01T16:10:26,118+0000 [broker-topic-workers-OrderedExecutor-5-0] INFO  org.apache.pulsar.broker."
           "service.ServerCnx - [/127.0.0.1:47240] Created new producer\n")


def _process(tmp_path: Path, text: str) -> Process:
    log = tmp_path / "pulsar.log"
    log.write_text(text)
    return Process("pulsar", tmp_path / "pulsar.pid", log)


def test_a_log_full_of_the_lock_loop_is_a_fight(tmp_path: Path) -> None:
    assert control._registration_fight(_process(tmp_path, HEALTHY * 50 + FIGHT * 500))


def test_a_few_lock_lines_among_normal_ones_are_not(tmp_path: Path) -> None:
    assert not control._registration_fight(_process(tmp_path, (HEALTHY * 40 + FIGHT) * 5))


def test_a_fight_that_ended_long_ago_is_not(tmp_path: Path) -> None:
    # only the last 256 KB of the log count
    assert not control._registration_fight(_process(tmp_path, FIGHT * 500 + HEALTHY * 3000))


def test_no_log_is_not(tmp_path: Path) -> None:
    assert not control._registration_fight(Process("pulsar", tmp_path / "p.pid", tmp_path / "missing.log"))


def test_a_fight_before_the_last_start_is_not(tmp_path: Path) -> None:
    restarted = FIGHT * 500 + "\n==== rva starts pulsar: bin/pulsar standalone\n" + HEALTHY * 20
    assert not control._registration_fight(_process(tmp_path, restarted))
