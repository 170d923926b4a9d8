"""Every failure the vision producer reports to a user, one class per kind.

`rva vision` and ``python -m vision`` print the message of any of them on one line and
exit with code 2. Messages name the input, the problem and what was expected. The
producer imports nothing of rva's lakehouse side, errors included.
"""

from __future__ import annotations


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
