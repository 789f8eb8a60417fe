"""Host ports for the stack that never clash with the ports the user's compose file publishes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MAX_PORT = 65535


def choose_ports(requested: Mapping[str, int], taken: Iterable[int]) -> dict[str, int]:
    """Each component's host port: the one asked for, else the next free one above it.

    Components are placed in name order and each port chosen is taken for the next, so the
    result depends only on the inputs. ValueError when no port up to 65535 is free.
    """
    used = set(taken)
    chosen: dict[str, int] = {}
    for component in sorted(requested):
        port = requested[component]
        while port in used:
            port += 1
        if port > MAX_PORT:
            raise ValueError(
                f"no free host port at or above {requested[component]} for {component}"
            )
        used.add(port)
        chosen[component] = port
    return chosen
