"""What the chart ships under files/: the consumed targets' output, split to fit Kubernetes.

The templates read these with `.Files.Get`, so their bytes reach the cluster unchanged (and
are never run through Helm's template engine: alert annotations keep their `{{ $value }}`).
A rule file larger than CHUNK_BYTES is cut between its groups into numbered parts, each of
which becomes its own PrometheusRule or ConfigMap: an object may not exceed 1 MiB in etcd.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

# Content budget of one object; what the template adds around it (metadata, indentation
# of a ConfigMap's block scalar: 4 spaces a line) stays far below the rest of the 1 MiB.
CHUNK_BYTES = 512 * 1024
GROUPS_HEADER = b"groups:\n"

# consumed path -> path under the chart's files/ (None: not shipped)
RENAMES = {
    "collector/config.yaml": "files/collector/config.yaml",
    "alerts/alertmanager.yaml": "files/alerts/alertmanager.yaml",
    "grafana/provisioning/datasources/datasources.yaml": "files/grafana/datasources.yaml",
}
SPLIT_PREFIXES = ("alerts/rules/", "alerts/loki/")
DASHBOARDS = "grafana/dashboards/"


def split_groups(content: bytes) -> list[bytes]:
    """The groups of a canonical rule file (`groups:` then items flush at column 0)."""
    if not content.startswith(GROUPS_HEADER):
        raise ValueError("a rule file must start with 'groups:'")
    groups: list[bytes] = []
    for line in content[len(GROUPS_HEADER) :].splitlines(keepends=True):
        if line.startswith(b"- ") or not groups:
            groups.append(line)
        else:
            groups[-1] += line
    return groups


def chunk_rule_file(content: bytes, budget: int = CHUNK_BYTES) -> list[bytes]:
    """The file as one or more rule files of whole groups, each within `budget` if it can be.

    A single group larger than the budget gets a file of its own.
    """
    if len(content) <= budget:
        return [content]
    chunks: list[bytes] = []
    current = GROUPS_HEADER
    for group in split_groups(content):
        if current != GROUPS_HEADER and len(current) + len(group) > budget:
            chunks.append(current)
            current = GROUPS_HEADER
        current += group
    chunks.append(current)
    return chunks


def _part_paths(path: str, count: int) -> list[str]:
    """`a/x.rules.yaml` -> [`a/x.part-1.rules.yaml`, ...] when a file is split."""
    if count == 1:
        return [path]
    head, _, name = path.rpartition("/")
    stem, dot, suffix = name.partition(".")
    return [f"{head}/{stem}.part-{i}{dot}{suffix}" for i in range(1, count + 1)]


def _shipped(path: str, content: bytes) -> Iterator[tuple[str, bytes]]:
    if path in RENAMES:
        yield RENAMES[path], content
    elif path.startswith(SPLIT_PREFIXES):
        chunks = chunk_rule_file(content)
        yield from zip(_part_paths(f"files/{path}", len(chunks)), chunks, strict=True)
    elif path.startswith(DASHBOARDS) and path.endswith(".json"):
        yield f"files/{path}", content


def chart_files(inputs: Mapping[str, bytes]) -> dict[str, bytes]:
    """files/<...> of the chart from the consumed targets' `{"<target>/<path>": bytes}`.

    Left out: alerts/tests/ (promtool unit tests, not deployed) and Grafana's dashboard
    provider (the Grafana sidecar provisions the ConfigMaps itself).
    """
    files: dict[str, bytes] = {}
    for path, content in sorted(inputs.items()):
        files.update(_shipped(path, content))
    return files
