"""The route tree and the collector pipelines, drawn as SVG boxes and lines."""

from __future__ import annotations

from markupsafe import Markup

from compiler.report.pipelines import Pipeline, SignalPipelines
from compiler.report.routing import RouteNode
from compiler.report.svg import figure, label, line, rect, text_width

LINE = 14
PAD = 6
INDENT = 28
GAP = 10


def _route_lines(node: RouteNode, number: int | None) -> list[str]:
    head = f"{number}. " if number is not None else "root: "
    lines = [head + f"receiver {node.receiver}"]
    lines.append(", ".join(map(str, node.matchers)) or "matches everything")
    if node.timing:
        lines.append(" ".join(f"{k}={v}" for k, v in node.timing))
    if node.mute:
        lines.append("muted during " + ", ".join(node.mute))
    if node.active:
        lines.append("active only during " + ", ".join(node.active))
    if node.continue_:
        lines.append("continue: later siblings are tried too")
    return lines


def _box(x: float, y: float, lines: list[str], kind: str) -> tuple[list[str], float, float]:
    width = max(text_width(t) for t in lines) + 2 * PAD
    height = len(lines) * LINE + PAD
    parts = [rect(x, y, width, height, rx=4, class_=f"box {kind}")]
    for index, text in enumerate(lines):
        parts.append(
            label(
                x + PAD, y + PAD + 9 + index * LINE, text, class_="strong" if index == 0 else None
            )
        )
    return parts, width, height


def route_tree(root: RouteNode) -> Markup:
    """The whole tree: the root, then each child route in the order Alertmanager tries them."""
    body: list[str] = []
    extent = [0.0, 0.0]

    def place(node: RouteNode, depth: int, number: int | None, y: float) -> float:
        x = depth * INDENT
        kind = "route-root" if number is None else ("route-continue" if node.continue_ else "route")
        parts, width, height = _box(x, y, _route_lines(node, number), kind)
        body.extend(parts)
        extent[0] = max(extent[0], x + width)
        below = y + height + GAP
        for index, child in enumerate(node.children, start=1):
            middle = below + LINE
            body.append(line(x + INDENT / 2, y + height, x + INDENT / 2, middle, class_="edge"))
            body.append(line(x + INDENT / 2, middle, x + INDENT, middle, class_="edge"))
            below = place(child, depth + 1, index, below)
        return below

    extent[1] = place(root, 0, None, 2)
    title = "Alertmanager route tree: the first matching route takes an alert"
    return figure(extent[0] + 2, extent[1], title, body, _tree_words(root))


def _tree_words(node: RouteNode, depth: int = 0) -> str:
    words = " ".join(_route_lines(node, None)[1:])
    own = f"{'  ' * depth}{node.receiver}: {words}."
    return " ".join([own, *(_tree_words(c, depth + 1) for c in node.children)])


def _stages(pipeline: Pipeline, steps: int) -> list[list[str]]:
    """A pipeline's boxes by column; exporters always in the last column."""
    middle = [[p] for p in pipeline.processors]
    middle += [[] for _ in range(steps - 2 - len(middle))]
    return [list(pipeline.receivers), *middle, list(pipeline.exporters)]


def _columns(rows: list[list[list[str]]]) -> list[float]:
    """The x of each column, each as wide as its widest name."""
    xs, x = [], 0.0
    for column in range(len(rows[0])):
        xs.append(x)
        names = [n for row in rows for n in row[column]]
        x += max(map(text_width, names), default=0.0) + 2 * PAD + 2 * GAP
    xs.append(x)
    return xs


def pipeline_diagram(group: SignalPipelines) -> Markup:
    """Every pipeline of a signal as a row: receivers -> processors -> exporters."""
    names = max(text_width(p.name) for p in group.pipelines) + PAD
    steps = max(len(p.processors) for p in group.pipelines) + 2
    rows = [_stages(p, steps) for p in group.pipelines]
    xs = [names + x for x in _columns(rows)]
    body: list[str] = []
    y = 2.0
    for pipeline, stages in zip(group.pipelines, rows, strict=True):
        height = max(len(s) for s in stages) * LINE + PAD
        body.append(label(0, y + 13, pipeline.name, class_="strong"))
        right = 0.0
        for index, stage in enumerate(stages):
            if not stage:
                continue
            x, width = xs[index], xs[index + 1] - xs[index] - 2 * GAP
            if index:
                body.append(line(right + 2, y + height / 2, x - 2, y + height / 2, class_="edge"))
            body += _stage_box(x, y, width, height, stage, _kind(index, stages, group.connectors))
            right = x + width
        y += height + GAP
    title = f"Collector {group.signal} pipelines: receivers, processors in order, exporters"
    desc = " ".join(
        f"{p.name}: from {', '.join(p.receivers)} through "
        f"{', '.join(p.processors) or 'no processors'} to {', '.join(p.exporters)}."
        for p in group.pipelines
    )
    return figure(xs[-1], y, title, body, desc)


def _stage_box(x: float, y: float, w: float, h: float, names: list[str], kind: str) -> list[str]:
    texts = [label(x + PAD, y + PAD + 9 + i * LINE, n) for i, n in enumerate(names)]
    return [rect(x, y, w, h, rx=4, class_=f"box {kind}"), *texts]


def _kind(index: int, stages: list[list[str]], connectors: frozenset[str]) -> str:
    if stages[index] and all(n in connectors for n in stages[index]):
        return "connector"
    if index == 0:
        return "receiver"
    return "exporter" if index == len(stages) - 1 else "processor"
