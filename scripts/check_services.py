"""Tell whether the external services the second test pass needs are reachable.

Exit 0 when every named service answers, 1 otherwise (printing which one failed).
Usage: python scripts/check_services.py postgres=URL redis=URL amqp=URL
"""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit

DEFAULT_PORTS = {"postgres": 5432, "redis": 6379, "amqp": 5672}


def reachable(url: str, default_port: int, timeout: float = 2.0) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=timeout
        ):
            return True
    except OSError:
        return False


def main(argv: list[str]) -> int:
    missing = []
    for arg in argv:
        name, _, url = arg.partition("=")
        if not reachable(url, DEFAULT_PORTS.get(name, 0)):
            missing.append(f"{name} ({url})")
    if missing:
        print("unreachable: " + ", ".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
