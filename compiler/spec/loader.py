"""Read spec files into plain Python data, remembering where every value came from.

ruamel.yaml's libyaml-backed composer builds the node graph (fast, with line and column
marks); this module turns nodes into plain dicts, lists and scalars itself so that it can
refuse duplicate keys, bound alias expansion (billion laughs) and record each value's
position in a side table keyed by its path in the document.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.errors import DiagnosticSink, Location
from compiler.spec.files import MAX_INPUT_BYTES

# A spec document that expands to more nodes than this is refused: real specs have a few
# hundred; an alias bomb would otherwise expand to billions.
MAX_NODES_PER_DOCUMENT = 50_000
MAX_FILE_BYTES = MAX_INPUT_BYTES  # the limit read_input applies to every input file
# Specs nest a few levels deep (a user Framework perhaps ten); deeper documents are refused.
MAX_NESTING = 100
# libyaml's composer recurses in C: about 25,000 nested collections overflow an 8 MiB stack
# and kill the process (SIGSEGV). Below this bound on the nesting depth, composing is safe.
_SAFE_NESTING_BOUND = 1_000

PathKey = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of a spec file: its data and the position of every path in it."""

    file: str
    index: int
    data: Any
    positions: Mapping[PathKey, tuple[int, int]] = field(repr=False)

    def location(self, path: PathKey) -> Location:
        """The position of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            pos = self.positions.get(path[:end])
            if pos is not None:
                return Location(self.file, pos[0], pos[1])
        return Location(self.file, 1, 1)

    def key_location(self, path: PathKey) -> Location:
        """The position of the key that introduces `path` (for unknown-field errors)."""
        pos = self.positions.get(("#key", *path))
        if pos is not None:
            return Location(self.file, pos[0], pos[1])
        return self.location(path)


class _TooLarge(Exception):
    """The document expanded to more than MAX_NODES_PER_DOCUMENT nodes."""


class _TooDeep(Exception):
    """A collection nested more than MAX_NESTING levels deep; `mark` is where it starts."""

    def __init__(self, mark: Any) -> None:
        super().__init__()
        self.mark = mark


class _NodeConverter:
    """Turns one composed node graph into plain data plus a position table."""

    def __init__(self, file: str, sink: DiagnosticSink) -> None:
        self.file = file
        self.sink = sink
        self.positions: dict[PathKey, tuple[int, int]] = {}
        self.count = 0

    def convert(self, node: Any, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES_PER_DOCUMENT:
            raise _TooLarge
        mark = node.start_mark
        if len(path) >= MAX_NESTING:  # the root is level 1
            raise _TooDeep(mark)
        self.positions[path] = (mark.line + 1, mark.column + 1)
        node_id = getattr(node, "id", "")
        if node_id == "mapping":
            return self._mapping(node, path)
        if node_id == "sequence":
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return _scalar(node)

    def _mapping(self, node: Any, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if getattr(key_node, "id", "") != "scalar":
                mark = key_node.start_mark
                self.sink.error(
                    "OBSC003",
                    "a mapping key must be a plain string, found a collection",
                    Location(self.file, mark.line + 1, mark.column + 1),
                    _dotted(path),
                )
                continue
            key = str(key_node.value)
            kmark = key_node.start_mark
            if key in result:
                first = self.positions.get(("#key", *path, key), (0, 0))
                self.sink.error(
                    "OBSC003",
                    f"duplicate key {key!r} (first defined at line {first[0]})",
                    Location(self.file, kmark.line + 1, kmark.column + 1),
                    _dotted(path),
                    hint="YAML keeps only one of them; remove or rename the duplicate",
                )
                continue
            self.positions[("#key", *path, key)] = (kmark.line + 1, kmark.column + 1)
            result[key] = self.convert(value_node, (*path, key))
        return result


def _tag(node: Any) -> str:
    """The node's tag; read directly where ruamel's Tag needs no handle or URI decoding.

    `node.tag` builds the string through several properties for each of the hundreds of
    thousands of scalars of a large estate.
    """
    ctag = getattr(node, "ctag", None)
    if ctag is not None and ctag.handle is None:
        suffix = ctag.suffix
        if isinstance(suffix, str) and "%" not in suffix:
            return suffix
    return str(node.tag)


def _scalar(node: Any) -> Any:
    """Construct a scalar under the YAML 1.2 core schema (so `yes` and `no` stay strings)."""
    tag = _tag(node)
    value: str = node.value
    if not tag.startswith(_TAG):
        return value
    kind = tag[len(_TAG) :]
    if kind == "null":
        return None
    if kind == "bool":
        return value.lower() == "true"
    if kind == "int":
        return _int(value)
    if kind == "float":
        return _float(value)
    return value


def _int(text: str) -> int | str:
    cleaned = text.replace("_", "")
    try:
        if cleaned.lower().startswith(("0x", "-0x", "+0x")):
            return int(cleaned, 16)
        if cleaned.lower().startswith(("0o", "-0o", "+0o")):
            return int(cleaned, 8)
        return int(cleaned, 10)
    except ValueError:
        return text


def _float(text: str) -> float | str:
    lowered = text.lower().replace("_", "")
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    try:
        return float(lowered)
    except ValueError:
        return text


def _dotted(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def dotted_path(path: PathKey) -> str:
    """Render a document path as `spec.slos[0].objective`."""
    return _dotted(path)


def decode_text(raw: bytes, file: str, sink: DiagnosticSink) -> str | None:
    """The UTF-8 text of an input file; OBSC001 (with the position) if it is not text."""
    if len(raw) > MAX_FILE_BYTES:
        sink.error(
            "OBSC001",
            f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
            Location(file, 1, 1),
            hint="split the estate into several spec files",
        )
        return None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        sink.error(
            "OBSC001",
            "binary file: found a NUL byte, expected UTF-8 YAML text",
            Location(file, line, 1),
            hint="keep binary files out of specs/, snapshots/ and policies/",
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        sink.error(
            "OBSC001",
            f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
            Location(file, line, column),
            hint="save the file as UTF-8",
        )
        return None
    return text.removeprefix("\ufeff")


def _yaml_error(exc: Exception, text: str, file: str, sink: DiagnosticSink) -> None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    message = f"YAML syntax error: {problem}"
    if context:
        context = context.replace("while parsing a ", "").replace("while scanning a ", "")
        if context_mark is not None and context_mark is not mark:
            context += f" started at {context_mark.line + 1}:{context_mark.column + 1}"
        message += f" ({context})"
    hint = "check indentation and quoting near this position"
    lines = text.splitlines()
    if (
        "\t" in problem
        or "tab" in problem.lower()
        or (
            0 < line <= len(lines)
            and "\t" in lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
        )
    ):
        hint = "YAML does not allow tabs for indentation; indent with spaces"
    sink.error("OBSC002", message, Location(file, line, column), hint=hint)


def nesting_bound(text: str) -> int:
    """An upper bound on how deep `text`'s YAML collections nest, without parsing it.

    Every flow collection starts with `[` or `{`, so their count bounds the flow depth
    (brackets inside strings only make the bound larger); a block collection needs
    indentation or a `- `/`? `/`: ` indicator before it on its line, so its depth is at
    most twice its column plus two. A file of a few hundred brackets and short lines passes
    at the cost of two counts and a split.
    """
    openers = text.count("[") + text.count("{")
    if openers > _SAFE_NESTING_BOUND:
        return openers
    return openers + 2 * max(map(len, text.split("\n"))) + 2


def _too_deep(text: str) -> Any:
    """The mark of the first collection nested deeper than MAX_NESTING, or None.

    libyaml's parser (unlike its composer) keeps its state on the heap, so reading the
    events of any document is safe; it costs about 40% of composing, hence only when the
    cheap `nesting_bound` cannot rule deep nesting out.
    """
    from ruamel.yaml.cyaml import CBaseLoader  # lazy: libyaml binding
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    parser = CBaseLoader(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    return event.start_mark
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    finally:
        parser.dispose()
    return None


def check_nesting(text: str) -> None:
    """Raise _TooDeep before a composer (C or Python) can recurse into a too-deep document."""
    if nesting_bound(text) > _SAFE_NESTING_BOUND:
        mark = _too_deep(text)
        if mark is not None:
            raise _TooDeep(mark)


def _compose_all(text: str) -> Iterator[Any]:
    from ruamel.yaml.cyaml import CSafeLoader  # lazy: libyaml binding

    check_nesting(text)
    loader = CSafeLoader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def parse_text(text: str, file: str, sink: DiagnosticSink) -> list[Document]:
    """Parse every YAML document of `text`; syntax errors go to `sink`."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    documents: list[Document] = []
    try:
        for index, node in enumerate(_compose_all(text)):
            if node is None:
                continue
            converter = _NodeConverter(file, sink)
            try:
                data = converter.convert(node, ())
            except _TooLarge:
                _too_large(node, file, sink)
                continue
            if data is not None:  # an empty document, e.g. after a trailing '---'
                documents.append(Document(file, index, data, converter.positions))
    except (MarkedYAMLError, YAMLError) as exc:
        _yaml_error(exc, text, file, sink)
    except _TooDeep as exc:
        _too_deep_error(Location(file, exc.mark.line + 1, exc.mark.column + 1), sink)
    except RecursionError:  # kept as a last guard; check_nesting stops deep documents first
        _too_deep_error(Location(file, 1, 1), sink)
    return documents


def _too_deep_error(where: Location, sink: DiagnosticSink) -> None:
    sink.error(
        "OBSC002",
        f"YAML nesting is too deep: more than {MAX_NESTING} levels of collections",
        where,
        hint="spec documents are a few levels deep; this file is not a spec",
    )


def _distinct_nodes(root: Any, limit: int) -> int:
    """How many distinct nodes the graph under `root` has, counting up to `limit` + 1."""
    seen: set[int] = set()
    stack = [root]
    while stack and len(seen) <= limit:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if getattr(node, "id", "") == "mapping":
            stack.extend(item for pair in node.value for item in pair)
        elif getattr(node, "id", "") == "sequence":
            stack.extend(node.value)
    return len(seen)


def _too_large(node: Any, file: str, sink: DiagnosticSink) -> None:
    """OBSC004, saying whether aliases multiplied the document or it is simply that large."""
    where = Location(file, node.start_mark.line + 1, node.start_mark.column + 1)
    if _distinct_nodes(node, MAX_NODES_PER_DOCUMENT) > MAX_NODES_PER_DOCUMENT:
        sink.error(
            "OBSC004",
            f"document has more than {MAX_NODES_PER_DOCUMENT} nodes (mappings, lists and values)",
            where,
            hint="no spec is that large: split it into one document per service, "
            "separated by '---'",
        )
        return
    sink.error(
        "OBSC004",
        f"document expands to more than {MAX_NODES_PER_DOCUMENT} nodes through anchors and aliases",
        where,
        hint="this looks like an alias bomb; write the values out instead",
    )


def load_bytes(raw: bytes, display: str, sink: DiagnosticSink) -> list[Document]:
    """Decode and parse one spec file's bytes; `display` is the name used in messages."""
    text = decode_text(raw, display, sink)
    if text is None:
        return []
    return parse_text(text, display, sink)
