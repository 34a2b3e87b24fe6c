"""Which ``Host`` headers the server answers: a defence against DNS rebinding.

A web page the user visits can make its own host name (``evil.example``) resolve to 127.0.0.1 and then read
``http://evil.example:8000/api/search`` as same-origin — unless the server refuses requests whose Host is not
a name it is really reached by. So only the address the server is bound to, ``localhost`` and the loopback
addresses are accepted (plus, when bound to every interface, IP literals and this machine's own names, which
no outside page controls); anything else gets 400 before any route runs.
"""
from __future__ import annotations

import ipaddress
import socket
from typing import Iterable

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"", "0.0.0.0", "::"})


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_name(header: str) -> str | None:
    """The name in a Host header, lower case, without port, brackets or a final dot; None if malformed."""
    value = header.strip().lower()
    if value.startswith("["):  # [::1]:8000
        end = value.find("]")
        if end < 0 or (value[end + 1:] and not value[end + 1:].startswith(":")):
            return None
        name, port = value[1:end], value[end + 2:]
    else:
        name, _, port = value.partition(":")
    if port and not port.isdigit():
        return None
    name = name.rstrip(".")
    return name or None


class HostPolicy:
    """The Host names one server accepts (see the module docstring)."""

    def __init__(self, bound: str = "127.0.0.1", extra: Iterable[str] = ()):
        bound = bound.strip("[]").lower()
        self.names = set(LOOPBACK_NAMES) | {bound} | {n.lower().rstrip(".") for n in extra}
        self.any_ip = bound in WILDCARDS
        if self.any_ip:
            for name in (socket.gethostname(), socket.getfqdn()):
                if name:
                    self.names.add(name.lower().rstrip("."))
        self.names.discard("")

    def allows(self, header: str | None) -> bool:
        """True for a request that may be answered: no Host at all (HTTP/1.0; browsers always send one) or
        an accepted name."""
        if header is None:
            return True
        name = host_name(header)
        if name is None:
            return False
        return name in self.names or (self.any_ip and _is_ip(name))
