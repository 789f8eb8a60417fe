"""Comparing two model.json files by parsing only the services whose bytes differ.

At 10,000 services model.json is about 35 MB; after one SLO objective changed, parsing both
copies whole was most of comparing them. obsc writes it as canonical JSON (sorted keys,
two-space indent: compiler.output.canonical), so each service of the top-level `services`
list is a run of lines of its own, and a service whose bytes are the same in both copies is
the same service. Only the others are parsed; each unchanged one is stood in for by its name
(all that labels a service in the diff: diff_identity) and a token equal only to the same
bytes, so `normalise_pair` prunes it exactly as it prunes the parsed service.

The result is `normalise_pair` of the two parsed documents, or None when that cannot be
shown: a file not in this layout (one edited by hand), or a stand-in not pruned (two
services sharing a name). The caller then parses the files whole.
"""

from __future__ import annotations

import json
import re
from typing import Any

from compiler.gitops.diff_identity import normalise_pair

_OPEN = b'\n  "services": [\n'  # the top-level list, in canonical layout
_CLOSE = b"\n  ]"  # the first line at that indent closing a list after it: the same list
_FIRST, _LAST = b"    {\n", b"\n    }"  # an item of that list opens and closes at indent 4
_BETWEEN = _LAST + b",\n" + _FIRST  # lines deeper in an item are indented further
_NAME = re.compile(rb'^      "name": ("(?:[^"\\\n]|\\.)*"),?$', re.MULTILINE)
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
    """The file without its services, and their lines; None when not in canonical layout."""
    start = content.find(_OPEN)
    if start < 0 or content.find(_OPEN, start + 1) >= 0:
        return None
    first = start + len(_OPEN)
    end = content.find(_CLOSE, first)
    if end < 0:
        return None
    body = content[first:end]  # from the first item's `    {` to the last one's `    }`
    if not (body.startswith(_FIRST) and body.endswith(_LAST)):
        return None
    envelope = content[:start] + b'\n  "services": []' + content[end + len(_CLOSE) :]
    return envelope, body[len(_FIRST) : -len(_LAST)].split(_BETWEEN)


def _document(split: Split, same: dict[bytes, int]) -> dict[str, Any] | None:
    """The parsed document, each service in `same` stood in for by its name and token."""
    envelope, pieces = split
    document = json.loads(envelope)
    if not isinstance(document, dict) or document.get("services") != []:
        return None
    services: list[Any] = []
    for piece in pieces:
        if piece in same:
            found = _NAME.search(piece)
            if found is None:
                return None
            services.append({"name": json.loads(found[1]), _STAND_IN: same[piece]})
        else:
            services.append(json.loads(b"{\n" + piece + b"\n}"))
    document["services"] = services
    return document


def _stands_in(document: Any) -> bool:
    """Whether a stand-in is left in a normalised, pruned document (it must all be pruned)."""
    services = document.get("services", ()) if isinstance(document, dict) else ()
    items = services.values() if isinstance(services, dict) else services
    return any(isinstance(item, dict) and _STAND_IN in item for item in items)
