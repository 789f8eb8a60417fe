"""Healthchecks that the pinned images can run, and why the others have none.

Prometheus and Alertmanager are busybox-based (`wget`). Grafana's images have a shell with
`wget` (Alpine) or `curl` (Ubuntu). Loki up to 3.5 ships busybox (a shell and `wget`);
from 3.6 on its image has no tools at all (grafana/loki#20149). The collector-contrib
image is distroless (no shell, no HTTP client), and Tempo's is distroless without a shell
(grafana/tempo#5352, #6536). A service without a healthcheck says why in an
`x-obsc-healthcheck` field, and whatever depends on it waits for `service_started`.
"""

from __future__ import annotations

from compiler.model import EnvironmentModel
from targets.compose import names

Healthcheck = dict[str, object]

_TIMING = {"interval": "10s", "timeout": "5s", "retries": 10, "start_period": "20s"}
_WAIT = "; dependants wait for service_started"
NO_HEALTHCHECK = {
    names.COLLECTOR: "none: the collector-contrib image is distroless (no shell, no HTTP "
    "client to run a check)" + _WAIT,
    names.TEMPO: "none: Tempo's image is distroless (no shell to run a check)" + _WAIT,
    names.LOKI: "none: Loki's image has no shell or HTTP client from 3.6 on" + _WAIT,
}
#: The first Loki release whose image has no busybox.
LOKI_WITHOUT_BUSYBOX = (3, 6)


def _wget(url: str) -> Healthcheck:
    return {"test": ["CMD", "wget", "-q", "--spider", url], **_TIMING}


def _shell(url: str) -> Healthcheck:
    command = f"wget -q --spider {url} || curl -fsS -o /dev/null {url} || exit 1"
    return {"test": ["CMD-SHELL", command], **_TIMING}


def _release(version: str) -> tuple[int, ...]:
    numbers: list[int] = []
    for part in version.split("-", 1)[0].split(".")[:2]:
        if not part.isdigit():
            break
        numbers.append(int(part))
    return tuple(numbers)


def healthchecks(model: EnvironmentModel) -> dict[str, Healthcheck]:
    """The healthcheck of each stack service that can have one."""
    checks = {
        names.PROMETHEUS: _wget(f"http://localhost:{names.PROMETHEUS_PORT}/-/ready"),
        names.ALERTMANAGER: _wget(f"http://localhost:{names.ALERTMANAGER_PORT}/-/ready"),
        names.GRAFANA: _shell(f"http://localhost:{names.GRAFANA_PORT}/api/health"),
    }
    if _release(model.stack.loki.version) < LOKI_WITHOUT_BUSYBOX:
        checks[names.LOKI] = _shell(f"http://localhost:{names.LOKI_PORT}/ready")
    return checks
