"""Imported queries select the service as obsc's stack labels it: `service`, not `job`.

Sloth's, OpenSLO's and Pyrra's examples select a service's series by the `job` label of the
user's scrape config (`{job="myservice"}`). In obsc's stack that label is something else
(`<namespace>/<service>` after the collector, the PodMonitor's job on Kubernetes), while
every series carries `service="<name>"` (docs/contracts.md). A `job="X"` matcher whose value
is the imported service's name is therefore rewritten to `service="<name>"`, and reported as
an approximation; any other `job` matcher is kept as written (and OBSC330 says why the query
may not measure the service).
"""

from __future__ import annotations

import re

from compiler.importers import ImportResult
from compiler.importers.reading import dns_name

_JOB = re.compile(r'(?<=[{,\s])job\s*=(?!~)\s*"((?:[^"\\]|\\.)*)"')


def select_by_service(query: str, service: str) -> str:
    """`query` with every `job="<service>"` matcher as `service="<service>"`."""

    def replace(match: re.Match[str]) -> str:
        return f'service="{service}"' if dns_name(match.group(1)) == service else match.group(0)

    return _JOB.sub(replace, query)


def own_service_queries(result: ImportResult) -> None:
    """Rewrite the ratio SLIs of `result` in place, noting each SLO whose queries changed."""
    for imported in result.slos:
        sli = imported.slo.get("sli", {})
        if sli.get("kind") != "ratio":
            continue
        changed = False
        for field in ("good", "total"):
            rewritten = select_by_service(sli[field], imported.service)
            changed = changed or rewritten != sli[field]
            sli[field] = rewritten
        if changed:
            result.note(
                imported.location,
                "approximated",
                f"{imported.service}/{imported.slo['name']}",
                f'job="{imported.service}" selects by the scrape job, which obsc\'s stack sets '
                f'differently: written as service="{imported.service}", the label every series '
                "of the service carries",
            )
