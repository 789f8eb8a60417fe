"""A compose file: each service's image, ports, env names, command, labels and build tree."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from compiler.detect.dockerfile import parse_dockerfile
from compiler.detect.inputs import (
    display_path,
    load_yaml_documents,
    nothing_left_error,
    shape_error,
    text_or_empty,
)
from compiler.detect.observation import Observation, service_name
from compiler.detect.source import scan_source

IGNORE_LABEL = "obsc.dev/ignore"


def _words(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str | int | float):
        return [str(value)]
    return []


def _ports(observation: Observation, spec: dict[str, Any]) -> None:
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            observation.add_port(port.get("target", ""))
        else:
            # "8080", "8080:80", "127.0.0.1:8080:80/tcp": the container port is last
            observation.add_port(str(port).rsplit(":", 1)[-1])
    for port in spec.get("expose") or []:
        observation.add_port(port)


def _env(observation: Observation, value: object) -> None:
    if isinstance(value, dict):
        for name in value:
            observation.add_env(str(name))
    elif isinstance(value, list):
        for item in value:
            observation.add_env(str(item).split("=", 1)[0])


def _labels(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list):
        pairs = (str(item).partition("=") for item in value)
        return {key: text for key, _, text in pairs}
    return {}


def _build_spec(build: object) -> tuple[str, str, str | None] | None:
    """The build's (context, dockerfile, target), or None when the service is not built."""
    if isinstance(build, str):
        return build, "Dockerfile", None
    if isinstance(build, dict):
        target = build.get("target")
        return (
            str(build.get("context", ".")),
            str(build.get("dockerfile", "Dockerfile")),
            str(target) if isinstance(target, str | int) and str(target) else None,
        )
    return None


def _build(observation: Observation, spec: dict[str, Any], base: Path) -> tuple[list[str], str]:
    """Scan the build context; return the built stage's ENTRYPOINT+CMD words and image.

    `build.target` names the stage compose builds: its image, instructions and command are
    the evidence (with those of the stages it is built FROM), not the Dockerfile's last
    stage, which is what runs only when no target is given.
    """
    built = _build_spec(spec.get("build"))
    if built is None:
        _mounted_source(observation, spec, base)
        return [], ""
    context, dockerfile, target = built
    if "://" in context or context.startswith("git@"):
        observation.notes.append(f"build context {context} is remote: not read")
        return [], ""
    root = (base / context).resolve()
    if not root.is_dir():
        observation.notes.append(f"build context {context} does not exist: not read")
        return [], ""
    observation.absorb_source(scan_source(root, observation.name, observation.source, context))
    parsed = parse_dockerfile(text_or_empty(root / dockerfile), target)
    clean = PurePosixPath(context).as_posix()
    prefix = "" if clean == "." else f"{clean}/"
    if parsed.missing_target:
        observation.notes.append(
            f"build target {parsed.missing_target} is not a stage of {prefix}{dockerfile}: "
            "its last stage was read"
        )
    elif target and parsed.base_image:
        observation.notes.append(
            f"build target {target}: stage {parsed.selected} of {prefix}{dockerfile} "
            f"(image {parsed.base_image}) is the evidence, not the other stages"
        )
    for name, version, language in parsed.packages:
        observation.add_dependency(name, version, f"{prefix}{dockerfile} (RUN)")
        observation.add_language(language, f"language {language} from {prefix}{dockerfile} (RUN)")
    for port in parsed.ports:
        observation.add_port(port)
    for name in parsed.env:
        observation.add_env(name)
    for key, value in parsed.labels.items():
        observation.labels.setdefault(key, value)
    observation.files.update(parsed.copies)
    observation.build_images.extend(parsed.builder_images)
    words = [*parsed.entrypoint, *parsed.cmd]
    return words, parsed.base_image or ""


def _mounted_source(observation: Observation, spec: dict[str, Any], base: Path) -> None:
    """Without a build, a relative bind mount of a source tree (`./app:/app`) is read."""
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict):
            host = str(volume.get("source", "")) if volume.get("type") == "bind" else ""
        else:
            host = str(volume).split(":", 1)[0] if ":" in str(volume) else ""
        if not host.startswith(("./", "../")) and host != ".":
            continue
        root = (base / host).resolve()
        if root.is_dir():
            scanned = scan_source(root, observation.name, observation.source, host)
            if scanned.dependencies:
                observation.absorb_source(scanned)
                observation.notes.append(f"source read from the bind mount {host}")
                return


def observe_service(raw_name: str, spec: dict[str, Any], base: Path, source: str) -> Observation:
    """One compose service as an Observation."""
    observation = Observation(name=service_name(raw_name), source=source)
    image = spec.get("image")
    if isinstance(image, str) and image:
        observation.images.append(image)
    _ports(observation, spec)
    _env(observation, spec.get("environment"))
    observation.labels.update(_labels(spec.get("labels")))
    docker_words, base_image = _build(observation, spec, base)
    if base_image:
        observation.images.append(base_image)
    entrypoint = _words(spec.get("entrypoint")) if "entrypoint" in spec else None
    command = _words(spec.get("command")) if "command" in spec else None
    if entrypoint is not None or command is not None or docker_words:
        # compose's command/entrypoint replace the image's; a build tree's Procfile or
        # package.json start script describes another process and is dropped here
        observation.commands = []
        parsed_entry = entrypoint if entrypoint is not None else []
        if entrypoint is None and command is None:
            observation.add_command(" ".join(docker_words))
        else:
            observation.add_command(" ".join([*parsed_entry, *(command or [])]))
    return observation


def observe_compose(path: Path) -> list[Observation]:
    """Every service of a compose file."""
    documents = load_yaml_documents(path, "compose file")
    data = documents[0] if len(documents) == 1 else None
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict) or not services:
        raise shape_error(
            path,
            "compose file",
            "not a compose file: expected one document with a non-empty `services` mapping",
            "pass a docker-compose.yml; for Kubernetes manifests use --k8s",
        )
    source = f"compose:{display_path(path)}"
    base = path.resolve().parent
    observations = []
    for raw_name in sorted(services, key=str):
        spec = services[raw_name] if isinstance(services[raw_name], dict) else {}
        if _labels(spec.get("labels")).get(IGNORE_LABEL, "").strip().lower() == "true":
            continue  # opted out, as Kubernetes workloads do with the same label
        observations.append(observe_service(str(raw_name), spec, base, source))
    if not observations:
        raise nothing_left_error(
            path,
            "compose file",
            f"every service is labelled {IGNORE_LABEL}: nothing to detect",
            f"remove the {IGNORE_LABEL} label from the services to detect",
        )
    return observations
