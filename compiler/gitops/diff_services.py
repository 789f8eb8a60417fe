"""Comparing two model.json files by parsing only the services whose bytes differ.

At 10,000 services model.json is about 39 MB; after one SLO objective changed, parsing both
copies whole and pruning them cost about 0.45 s of CPU per environment (this: about 0.35).
obsc writes it as canonical JSON (sorted keys, two-space indent: compiler.output.canonical),
so each service of the top-level `services` list is a run of lines of its own, and a service
whose bytes are the same in both copies is the same service. Only the others are parsed;
each unchanged one is stood in for by its name (all that labels a service in the diff:
diff_identity) and a token equal only to the same bytes, so `normalise_pair` prunes it
exactly as it prunes the parsed service.

The result is `normalise_pair` of the two parsed documents, or None when that cannot be
shown: a file not in this layout (one edited by hand), or a stand-in not pruned (two
services sharing a name). The caller then parses the files whole.

When the render copied the pieces of unchanged services from the file on disk (compiler.
output.sink.Copied), even finding them costs more than the rest: splitting and hashing two
39 MB files took about 0.3 s of the 0.36 s per environment. `normalise_copied_pair` stands
each run of copied services, on both sides, in for one small item, and compares what is left
as above: the same result, since a service identical on both sides is pruned either way and
the services of a model.json obsc wrote have unique names (a duplicate is a spec error).
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from compiler.gitops.diff_identity import normalise_pair
from compiler.output.manifest import file_digest
from compiler.output.sink import Copied

_OPEN = b'\n  "services": [\n'  # the top-level list, in canonical layout
_CLOSE = b"\n  ]"  # the first line at that indent closing a list after it: the same list
_FIRST, _LAST = b"    {\n", b"\n    }"  # an item of that list opens and closes at indent 4
_BETWEEN = _LAST + b",\n" + _FIRST  # lines deeper in an item are indented further
_NAME_LINE = b'\n      "name": '  # a key of an item: indent 6
_STAND_IN = 0  # a key no parsed JSON object has (JSON keys are strings)

Split = tuple[bytes, list[bytes]]  # the file with `"services": []`, each service's lines


def normalise_services_pair(old: bytes, new: bytes) -> tuple[Any, Any] | None:
    """`normalise_pair` of the two documents, parsing only services whose bytes differ."""
    old_split, new_split = _split(old), _split(new)
    if old_split is None or new_split is None:
        return None
    same = {piece: n for n, piece in enumerate(set(old_split[1]) & set(new_split[1]))}
    try:
        old_doc, new_doc = _document(old_split, same), _document(new_split, same)
    except ValueError:
        return None
    if old_doc is None or new_doc is None:
        return None
    old_out, new_out = normalise_pair(old_doc, new_doc)
    if _stands_in(old_out) or _stands_in(new_out):
        return None
    return old_out, new_out


def normalise_copied_pair(old: bytes, new: bytes, copied: Copied) -> tuple[Any, Any] | None:
    """`normalise_services_pair` of the two files, each copied run stood in for by one item.

    None when `copied` does not describe these files (the old file is not the one copied
    from, runs overlap or reach past the end) or the smaller files do not compare.
    """
    if file_digest(old) != copied.old:
        return None
    runs = _merged(old, new, copied.runs)
    if runs is None:
        return None
    new_runs = [(start, length, n) for n, (start, _, length) in enumerate(runs)]
    old_runs = sorted((start, length, n) for n, (_, start, length) in enumerate(runs))
    return normalise_services_pair(_stood_in(old, old_runs), _stood_in(new, new_runs))


_RUN_GAP = 64  # bytes between two copied pieces that may join them into one run


def _merged(
    old: bytes, new: bytes, runs: tuple[tuple[int, int, int], ...]
) -> list[tuple[int, int, int]] | None:
    """The runs, checked, each joined with the next when the bytes between are equal too."""
    merged: list[tuple[int, int, int]] = []
    for new_start, old_start, length in sorted(runs):
        if merged:
            last_new, last_old, last_length = merged[-1]
            new_end, old_end = last_new + last_length, last_old + last_length
            if new_start < new_end:
                return None  # overlapping in the new file
            gap = new_start - new_end
            if (
                gap <= _RUN_GAP
                and old_start - old_end == gap
                and new[new_end:new_start] == old[old_end:old_start]
            ):
                merged[-1] = (last_new, last_old, new_start + length - last_new)
                continue
        merged.append((new_start, old_start, length))
    by_old = sorted((old_start, length) for _, old_start, length in merged)
    for (start, length), (next_start, _) in pairwise(by_old):
        if next_start < start + length:
            return None  # overlapping in the old file
    # Each piece of a run was sliced from `old` (its digest was checked), so the runs are
    # the same bytes on both sides; only their bounds and the gaps joined are checked here.
    for new_start, old_start, length in merged:
        if old_start + length > len(old) or new_start + length > len(new):
            return None
    return merged


def _stood_in(content: bytes, runs: list[tuple[int, int, int]]) -> bytes:
    """`content` with each run `(start, length, n)` replaced by the item of copied run n."""
    parts, position = [], 0
    for start, length, n in runs:
        parts += [content[position:start], b'    {\n      "name": "copied run %d"\n    }' % n]
        position = start + length
    parts.append(content[position:])
    return b"".join(parts)


def _split(content: bytes) -> Split | None:
    """The file without its services, and their lines; None when not in canonical layout.

    Other top-level lists of objects (before or after) split too: they are joined back.
    """
    start = content.find(_OPEN + _FIRST)
    end = content.find(_LAST + _CLOSE, start)
    if start < 0 or end < 0 or content.find(_OPEN) != start:
        return None
    if content.find(_OPEN, start + 1, end) >= 0:  # a second list at that indent: not ours
        return None
    pieces = content.split(_BETWEEN)
    first = content.count(_BETWEEN, 0, start)
    last = len(pieces) - 1 - content.count(_BETWEEN, end)
    head, _, pieces[first] = pieces[first].partition(_OPEN + _FIRST)
    pieces[last], _, tail = pieces[last].partition(_LAST + _CLOSE)
    before, after = pieces[:first], pieces[last + 1 :]
    envelope = _BETWEEN.join([*before, head + b'\n  "services": []' + tail, *after])
    return envelope, pieces[first : last + 1]


def _document(split: Split, same: dict[bytes, int]) -> dict[str, Any] | None:
    """The parsed document, each service in `same` stood in for by its name and token."""
    envelope, pieces = split
    document = json.loads(envelope)
    if not isinstance(document, dict) or document.get("services") != []:
        return None
    services: list[Any] = []
    for piece in pieces:
        if piece in same:
            name = _name(piece)
            if name is None:
                return None
            services.append({"name": name, _STAND_IN: same[piece]})
        else:
            services.append(json.loads(b"{\n" + piece + b"\n}"))
    document["services"] = services
    return document


def _name(piece: bytes) -> Any:
    """The `name` of a service in canonical layout (its only key line `      "name": ...`)."""
    start = piece.find(_NAME_LINE)
    if start < 0 and piece.startswith(_NAME_LINE[1:]):
        start = -1
    elif start < 0:
        return None
    end = piece.find(b"\n", start + 1)
    token = piece[start + len(_NAME_LINE) : end if end >= 0 else len(piece)].rstrip(b",")
    plain = b"\\" not in token and b'"' not in token[1:-1]  # no escape: the string itself
    if len(token) >= 2 and token[:1] == b'"' == token[-1:] and plain:
        try:
            return token[1:-1].decode()  # json.loads of 40,000 names took 0.25 s
        except UnicodeDecodeError:
            return None
    try:
        return json.loads(token)
    except ValueError:
        return None


def _stands_in(document: Any) -> bool:
    """Whether a stand-in is left in a normalised, pruned document (it must all be pruned)."""
    services = document.get("services", ()) if isinstance(document, dict) else ()
    items = services.values() if isinstance(services, dict) else services
    return any(isinstance(item, dict) and _STAND_IN in item for item in items)
