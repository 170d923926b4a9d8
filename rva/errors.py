"""Every failure rva reports to a user, one class per kind."""


class RvaError(Exception):
    """Base class: the CLI prints the message on one line and exits non-zero."""


class ConfigError(RvaError):
    """A configuration file or override holds a missing or invalid value."""


class FetchError(RvaError):
    """An engine artifact could not be downloaded, verified or unpacked."""


class EngineError(RvaError):
    """An engine failed to start, crashed, or did not become healthy in time."""
