"""`docker inspect` JSON: one container object or a list of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compiler.detect.inputs import display_path, read_bytes, shape_error
from compiler.detect.observation import Observation, service_name

_HINT = "pass the output of `docker inspect CONTAINER...` (a JSON list of container objects)"


def _container(item: dict[str, Any], index: int, source: str) -> Observation:
    config = item.get("Config")
    if not isinstance(config, dict):
        config = {}
    raw_labels = config.get("Labels")
    labels: dict[str, Any] = raw_labels if isinstance(raw_labels, dict) else {}
    raw_name = str(item.get("Name") or "").lstrip("/")
    if not raw_name:
        raw_name = str(labels.get("com.docker.compose.service") or f"container-{index + 1}")
    observation = Observation(name=service_name(raw_name), source=source)
    image = config.get("Image")
    if isinstance(image, str) and image and not image.startswith("sha256:"):
        observation.images.append(image)
    for entry in config.get("Env") or []:
        observation.add_env(str(entry).split("=", 1)[0])
    words: list[str] = []
    for key in ("Entrypoint", "Cmd"):
        value = config.get(key)
        if isinstance(value, list):
            words.extend(str(v) for v in value)
        elif isinstance(value, str):
            words.append(value)
    observation.add_command(" ".join(words))
    exposed = config.get("ExposedPorts")
    for port in sorted(exposed, key=str) if isinstance(exposed, dict) else []:
        observation.add_port(port)
    observation.labels.update({str(k): str(v) for k, v in labels.items()})
    return observation


def observe_inspect(path: Path) -> list[Observation]:
    """Every container of a `docker inspect` dump."""
    raw = read_bytes(path, "inspect file")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise shape_error(path, "inspect file", f"not JSON: {exc}", _HINT) from exc
    items = data if isinstance(data, list) else [data]
    if not items or not all(
        isinstance(i, dict) and isinstance(i.get("Config"), dict) for i in items
    ):
        raise shape_error(
            path,
            "inspect file",
            "not `docker inspect` output: expected container objects with a `Config` mapping",
            _HINT,
        )
    source = f"inspect:{display_path(path)}"
    return [_container(item, index, source) for index, item in enumerate(items)]
