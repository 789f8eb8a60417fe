"""Parse rendered files and key their lists by identity, so that reordering is not a change.

A rule, panel or receiver is known by its name, not by its position: diffing lists by index
would report every item after an insertion as changed. Lists whose order carries meaning
(Alertmanager `routes`, `group_by`, matchers, PromQL-free scalars) are left as lists.
Keyed lists become `Keyed` dicts whose keys are readable labels ("rule X (page)").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)


class Keyed(dict[str, Any]):
    """A list normalised into label -> item; its keys are shown verbatim in diff lines."""


def parse(path: str, content: bytes) -> Any:
    """The document(s) of a YAML or JSON file; raises ValueError when it does not parse."""
    try:
        if path.endswith(JSON_SUFFIXES):
            return json.loads(content)
        loader = YAML(typ="safe")
        documents = [d for d in loader.load_all(content.decode("utf-8")) if d is not None]
    except Exception as exc:  # any parser error: the caller falls back to a byte compare
        raise ValueError(f"{type(exc).__name__}: {exc}") from exc
    if len(documents) == 1:
        return documents[0]
    return documents  # a multi-document stream (Kubernetes manifests): keyed like a list


def is_structured(path: str) -> bool:
    """Whether the file is compared by meaning rather than by bytes."""
    return path.endswith(YAML_SUFFIXES + JSON_SUFFIXES)


def normalise(value: Any, field: str | None = None) -> Any:
    """`value` with every identity-keyed list (recursively) turned into a `Keyed` dict."""
    if isinstance(value, dict):
        return {k: normalise(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        items = [normalise(v) for v in value]
        labels = _labels(field, items)
        if labels is None:
            return items
        return Keyed(zip(labels, items, strict=True))
    return value


def normalise_pair(old: Any, new: Any, field: str | None = None) -> tuple[Any, Any]:
    """`normalise` of both documents, without the entries and items equal in both.

    What is equal produces no change, so the diff's result is the same; but a changed
    objective in the model of 10,000 services no longer normalises (walks, in Python) the
    9,999 equal services of both copies. Labels are computed on whole lists, as `normalise`
    does, so pruning never changes how the remaining items are named.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        return _pruned_pairs(
            old, new, lambda key, value: normalise(value, str(key)), lambda key: str(key)
        )
    if isinstance(old, list) and isinstance(new, list):
        old_labels, new_labels = _labels(field, old), _labels(field, new)
        if old_labels is None or new_labels is None:
            return normalise(old, field), normalise(new, field)
        old_keyed, new_keyed = _pruned_pairs(
            dict(zip(old_labels, old, strict=True)),
            dict(zip(new_labels, new, strict=True)),
            lambda _label, item: normalise(item),
            lambda _label: None,
        )
        return Keyed(old_keyed), Keyed(new_keyed)
    return normalise(old, field), normalise(new, field)


def _pruned_pairs(
    old: dict[Any, Any],
    new: dict[Any, Any],
    alone: Callable[[Any, Any], Any],
    field_of: Callable[[Any], str | None],
) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Entries of `old` and `new` that differ, each side in its own order."""
    paired: dict[Any, tuple[Any, Any]] = {
        key: normalise_pair(value, new[key], field_of(key))
        for key, value in old.items()
        if key in new and new[key] != value
    }
    old_out = {
        key: paired[key][0] if key in paired else alone(key, value)
        for key, value in old.items()
        if key not in new or key in paired
    }
    new_out = {
        key: paired[key][1] if key in paired else alone(key, value)
        for key, value in new.items()
        if key not in old or key in paired
    }
    return old_out, new_out


def _labels(field: str | None, items: list[Any]) -> list[str] | None:
    """Identity labels for a list, or None when its order is its meaning (or unknown)."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    if field in _ORDERED:
        return None
    special = _BY_FIELD.get(field or "")
    if special is not None:
        labels = special(items)
        if labels is not None:
            return _unique(labels)
    kube = _kubernetes(items)
    if kube is not None:
        return _unique(kube)
    names = [i.get("name") for i in items]
    if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return [f"{field}[{n}]" if field else str(n) for n in names]
    return None


def _unique(labels: list[str]) -> list[str]:
    """Append `#n` to labels that are still ambiguous, keeping the first occurrence plain."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        count = seen.get(label, 0) + 1
        seen[label] = count
        out.append(label if count == 1 else f"{label} #{count}")
    return out


def _by(prefix: str, *keys: str) -> Callable[[list[dict[str, Any]]], list[str] | None]:
    """Labels from the first of `keys` that every item has (as a scalar)."""

    def label(items: list[dict[str, Any]]) -> list[str] | None:
        for key in keys:
            values = [i.get(key) for i in items]
            if all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
                return [f"{prefix} {v}" for v in values]
        return None

    return label


def _rules(items: list[dict[str, Any]]) -> list[str] | None:
    """Prometheus/Loki rules: by alert or record name and severity, then slo, all labels.

    Severity is always part of an alert's label (page and ticket alerts share a name), so
    removing one does not rename the other; slo and the other labels only when needed.
    """
    bases = []
    for item in items:
        name = item.get("alert", item.get("record"))
        if not isinstance(name, str):
            return None
        bases.append(f"rule {name}")
    labels = [_with_labels(b, i, ("severity",)) for b, i in zip(bases, items, strict=True)]
    for extra in (("severity", "slo"), None):
        if len(set(labels)) == len(labels):
            break
        labels = [_with_labels(b, i, extra) for b, i in zip(bases, items, strict=True)]
    return labels


def _with_labels(base: str, item: dict[str, Any], keys: tuple[str, ...] | None) -> str:
    rule_labels = item.get("labels")
    if not isinstance(rule_labels, dict):
        return base
    chosen = sorted(rule_labels) if keys is None else [k for k in keys if k in rule_labels]
    if not chosen:
        return base
    if keys is not None and len(chosen) == 1:
        return f"{base} ({rule_labels[chosen[0]]})"
    return f"{base} ({', '.join(f'{k}={rule_labels[k]}' for k in chosen)})"


def _panels(items: list[dict[str, Any]]) -> list[str] | None:
    """Grafana panels by title; a title used twice is qualified by its row, then by `#n`."""
    bases: list[str] = []
    qualified: list[str] = []
    row = ""
    for item in items:
        title = item.get("title")
        kind = "row" if item.get("type") == "row" else "panel"
        if not isinstance(title, str) or not title:
            base = f"{kind} id {item.get('id')}"
            bases.append(base)
            qualified.append(base)
            continue
        if kind == "row":
            row = title
        bases.append(f"{kind} {title}")
        qualified.append(
            f"{kind} {row} / {title}" if row and kind == "panel" else f"{kind} {title}"
        )
    counts = {b: bases.count(b) for b in bases}
    return [q if counts[b] > 1 else b for b, q in zip(bases, qualified, strict=True)]


def _kubernetes(items: list[dict[str, Any]]) -> list[str] | None:
    """Kubernetes objects by kind and namespace/name."""
    labels = []
    for item in items:
        meta = item.get("metadata")
        kind = item.get("kind")
        if not isinstance(kind, str) or not isinstance(meta, dict) or "name" not in meta:
            return None
        namespace = meta.get("namespace")
        name = f"{namespace}/{meta['name']}" if namespace else str(meta["name"])
        labels.append(f"{kind} {name}")
    return labels


_ORDERED = frozenset({"routes", "matchers", "group_by", "inhibit_rules", "input_series"})

_BY_FIELD: dict[str, Callable[[list[dict[str, Any]]], list[str] | None]] = {
    "groups": _by("group", "name"),
    "rules": _rules,
    "tests": _by("test", "name"),
    "panels": _panels,
    "list": _by("variable", "name"),  # Grafana templating.list
    "targets": _by("target", "refId"),
    "datasources": _by("datasource", "uid", "name"),
    "receivers": _by("receiver", "name"),
    "services": _by("service", "name"),
    "slos": _by("slo", "name"),
    "alert_rule_test": lambda items: _by("alert test", "alertname")(
        [{"alertname": f"{i.get('alertname')} @ {i.get('eval_time')}"} for i in items]
    ),
}


def pair_renames(old: Any, new: Any) -> Any:
    """`new` with keyed items renamed to their old label where only the label changed.

    A panel keyed by a title that contains the objective ("SLO availability: 99.9% ...")
    would otherwise read as removed and added; items that keep their `id` are the same item.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        if isinstance(old, Keyed) and isinstance(new, Keyed):
            new = _renamed(old, new)
        result = {k: pair_renames(old[k], v) if k in old else v for k, v in new.items()}
        return Keyed(result) if isinstance(new, Keyed) else result
    return new


def _renamed(old: Keyed, new: Keyed) -> Keyed:
    gone = {_item_id(old[k]): k for k in old if k not in new}
    fresh = {_item_id(new[k]): k for k in new if k not in old}
    renames = {fresh[i]: gone[i] for i in fresh if i is not None and i in gone}
    if not renames:
        return new
    return Keyed((renames.get(k, k), v) for k, v in new.items())


def _item_id(item: Any) -> Any:
    if isinstance(item, dict):
        ident = item.get("id")
        if isinstance(ident, str | int) and not isinstance(ident, bool):
            return ident
    return None
