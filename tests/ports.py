"""Free TCP ports on 127.0.0.1 for servers a test starts (or a port where nothing listens)."""

from __future__ import annotations

import socket


def free_port(preferred: int = 0) -> int:
    """``preferred`` if it is free, else a port the kernel picks. The port is free when
    this returns; a test that starts a server on it right away rarely loses it."""
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port on 127.0.0.1")
