"""Turn a DeepDiff of two normalised documents into one readable line per change.

Reviewers read these lines in a PR comment: a changed alert threshold must read as
`rule X (page): expr: 0.0144 → 0.0072`, not as two 400-character PromQL expressions.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from compiler.gitops.diff_identity import Keyed

SHORT = 60  # strings up to this long (and on one line) are shown whole
MAX_PAIRS = 4  # token changes shown per line before "(+N more)"
_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?%?|[A-Za-z_][\w:.\-]*|\S")


@dataclass(frozen=True, slots=True)
class ValueChange:
    """One semantic change inside a file: where, from what, to what, and the readable line."""

    path: str
    old: Any
    new: Any
    summary: str


_MISSING = object()


def describe(old: Any, new: Any) -> list[ValueChange]:
    """Every change between two normalised documents, in document order."""
    from deepdiff import DeepDiff  # here: 0.24 s to import, and a diff may find nothing

    diff = DeepDiff(_prune(old, new), _prune(new, old), ignore_order=False, view="tree")
    changes: list[ValueChange] = []
    for report, levels in diff.items():
        for level in levels:
            segments = level.path(output_format="list")
            root = new if report.endswith("added") else old
            where = render_path(root, segments)
            before = _MISSING if report.endswith("added") else level.t1
            after = _MISSING if report.endswith("removed") else level.t2
            changes.append(_change(where, before, after, _is_label(root, segments)))
    return sorted(changes, key=lambda c: c.path)


def _prune(doc: Any, other: Any) -> Any:
    """`doc` without the mapping entries that `other` has equal (same paths otherwise).

    DeepDiff walks every node and copies its path as it goes; a changed threshold in a large
    dashboard left it walking thousands of equal nodes. Equal entries produce no change, so
    dropping them first (a C-speed `==`) changes nothing in the result but its cost.
    """
    if not (isinstance(doc, dict) and isinstance(other, dict)):
        return doc
    kept = {
        k: _prune(v, other[k]) if k in other else v
        for k, v in doc.items()
        if k not in other or other[k] != v
    }
    return Keyed(kept) if isinstance(doc, Keyed) else kept


def _change(where: str, old: Any, new: Any, labelled: bool) -> ValueChange:
    old_v = None if old is _MISSING else _plain(old)
    new_v = None if new is _MISSING else _plain(new)
    if old is _MISSING:
        text = f"{where}: added" if labelled else f"{where}: added {_short(new_v)}"
    elif new is _MISSING:
        text = f"{where}: removed" if labelled else f"{where}: removed (was {_short(old_v)})"
    else:
        text = f"{where}: {value_change(old_v, new_v)}"
    return ValueChange(where, old_v, new_v, text)


def value_change(old: Any, new: Any) -> str:
    """`old → new`, or only the differing tokens when the values are long strings."""
    if isinstance(old, str) and isinstance(new, str) and not (_fits(old) and _fits(new)):
        return token_change(old, new)
    return f"{_short(old)} → {_short(new)}"


def token_change(old: str, new: str) -> str:
    """The tokens that differ between two long strings (PromQL, descriptions)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    pairs: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        pair = f"{_clip(' '.join(a[i1:i2]) or '∅')} → {_clip(' '.join(b[j1:j2]) or '∅')}"
        if pair not in pairs:
            pairs.append(pair)
    if not pairs:
        return "whitespace changed"
    more = f" (+{len(pairs) - MAX_PAIRS} more)" if len(pairs) > MAX_PAIRS else ""
    return ", ".join(pairs[:MAX_PAIRS]) + more


def render_path(root: Any, segments: list[Any]) -> str:
    """A DeepDiff path as `group G: rule R (page): expr` (labels instead of list indexes)."""
    out: list[str] = []
    run: list[str] = []
    node = root
    for seg in segments:
        if isinstance(node, Keyed):
            if run:
                run.pop()  # the field holding the keyed list: the label says what it is
            if run:
                out.append(".".join(run))
                run = []
            out.append(str(seg))
        elif isinstance(node, list):
            if run:
                run[-1] += f"[{seg}]"
            else:
                run.append(f"[{seg}]")
        else:
            run.append(str(seg))
        node = _child(node, seg)
    if run:
        out.append(".".join(run))
    return ": ".join(out) if out else "(document)"


def _is_label(root: Any, segments: list[Any]) -> bool:
    """Whether the path ends at an item of a keyed list (then `added` needs no value)."""
    node = root
    for seg in segments[:-1]:
        node = _child(node, seg)
    return isinstance(node, Keyed) and bool(segments)


def _child(node: Any, seg: Any) -> Any:
    try:
        return node[seg]
    except (KeyError, IndexError, TypeError):
        return None


def _plain(value: Any) -> Any:
    """A JSON-friendly copy (Keyed dicts stay dicts; other objects become strings)."""
    return json.loads(json.dumps(value, default=str))


def _fits(text: str) -> bool:
    return len(text) <= SHORT and "\n" not in text


def _short(value: Any) -> str:
    if isinstance(value, str):
        return _clip(value) if "\n" not in value else _clip(" ".join(value.split()))
    return _clip(json.dumps(value, sort_keys=True, default=str))


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
