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
"""

from __future__ import annotations

import json
from typing import Any

from compiler.gitops.diff_identity import normalise_pair

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
