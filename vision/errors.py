"""Every failure the vision producer reports to a user, one class per kind.

`rva vision` and ``rva-vision`` print the message of any of them on one line and exit
with code 2 (:func:`run_reporting_errors`, the one place that rule lives). Messages name the input, the problem and what was expected. The
producer imports nothing of rva's lakehouse side, errors included.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

EXIT_BAD_INPUT = 2


class VisionError(Exception):
    """Base class for vision producer failures."""


class SourceError(VisionError):
    """A video file, image folder or camera could not be opened or read."""


class StreamUnavailableError(SourceError):
    """A live stream stayed unreachable after its whole retry budget."""


class ModelError(VisionError):
    """A model file is missing, of an unsupported kind, or could not be loaded."""


class CameraConfigError(VisionError):
    """A cameras config file or a command-line option holds an invalid value."""


class SinkError(VisionError):
    """Events could not be written to a file, the spool or the broker."""


class SchemaRefusedError(SinkError):
    """The broker answered, and will not take the event schema for the topic."""


class DependencyError(VisionError):
    """An optional package the chosen option needs is not installed."""


def run_reporting_errors(app: Callable[[], object], kinds: tuple[type[Exception], ...] = (VisionError,)) -> None:
    """Run a command-line ``app``; an exception of ``kinds`` becomes ``error: <message>``
    on one line of stderr and exit code 2, as every rva command reports bad input."""
    from rich.console import Console

    try:
        app()
    except kinds as err:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/] {err}", highlight=False)
        sys.exit(EXIT_BAD_INPUT)
