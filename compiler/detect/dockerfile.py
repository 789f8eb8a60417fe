"""A Dockerfile, read without building it: base image, CMD/ENTRYPOINT, ports, packages."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

_INSTALLERS = (
    (re.compile(r"\bpip3?\s+install\b(.*)"), "python"),
    (re.compile(r"\bpython3?\s+-m\s+pip\s+install\b(.*)"), "python"),
    (re.compile(r"\b(?:npm\s+(?:install|i)|yarn\s+add|pnpm\s+add)\b(.*)"), "javascript"),
    (re.compile(r"\bgem\s+install\b(.*)"), "ruby"),
    (re.compile(r"\bcomposer\s+require\b(.*)"), "php"),
)
_SPEC = re.compile(r"^([A-Za-z0-9@][A-Za-z0-9._/@-]*)(?:\[[^\]]*\])?(?:==|@|:)?([0-9][^\s,;]*)?")
_SEPARATORS = re.compile(r"&&|\|\||;|\|")


@dataclass
class Stage:
    """One `FROM` of a Dockerfile and the instructions under it."""

    name: str
    image: str
    parent: str | None = None
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    ports: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    packages: list[tuple[str, str, str]] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    copied_from: list[str] = field(default_factory=list)


@dataclass
class Dockerfile:
    """The facts of the stage that is built (the last one unless a target is named).

    A stage built `FROM` an earlier stage inherits that stage's image, instructions and
    command, so the facts are those of the chain from its first stage to the selected one;
    the other stages of a multi-stage build are not evidence, except that the images of
    stages it copies from (`COPY --from=build`) hint at the language it was built from.
    """

    stages: list[Stage] = field(default_factory=list)
    selected: str | None = None
    missing_target: str | None = None
    base_image: str | None = None
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    ports: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    packages: list[tuple[str, str, str]] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    builder_images: list[str] = field(default_factory=list)

    @property
    def base_images(self) -> list[str]:
        """Every stage's image, in order (earlier stages resolved to their images)."""
        return [stage.image for stage in self.stages]

    @property
    def command(self) -> str:
        """ENTRYPOINT and CMD as the container would run them."""
        return " ".join([*self.entrypoint, *self.cmd])


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") and not current:
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        if current.strip():
            lines.append(current.strip())
        current = ""
    if current.strip():
        lines.append(current.strip())
    return lines


def _words(argument: str) -> list[str]:
    if argument.startswith("["):
        try:
            value = json.loads(argument)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
    try:
        return shlex.split(argument)
    except ValueError:
        return argument.split()


def _key_values(argument: str) -> list[tuple[str, str]]:
    words = _words(argument)
    if words and "=" not in words[0]:  # legacy `ENV KEY value`
        return [(words[0], " ".join(words[1:]))]
    pairs = []
    for word in words:
        key, _, value = word.partition("=")
        pairs.append((key, value))
    return pairs


def _packages(run: str) -> list[tuple[str, str, str]]:
    found = []
    for part in _SEPARATORS.split(run):
        for pattern, language in _INSTALLERS:
            match = pattern.search(part)
            if not match:
                continue
            for word in _words(match.group(1)):
                if word.startswith("-") or ("/" in word and language == "python"):
                    continue
                spec = _SPEC.match(word)
                if spec and not word.startswith((".", "$")):
                    found.append((spec.group(1), spec.group(2) or "", language))
            break
    return found


def _copy_sources(argument: str) -> tuple[str | None, list[str]]:
    """A COPY/ADD's `--from` stage (or None) and its source paths in the build context."""
    words = _words(argument)
    origin = None
    paths = []
    for word in words:
        if word.startswith("--from="):
            origin = word.split("=", 1)[1].lower()
        elif not word.startswith("--"):
            paths.append(word)
    sources = [
        p.removeprefix("./").rstrip("/") or "."
        for p in paths[:-1]
        if "://" not in p and not p.startswith("$")
    ]
    return origin, sources


def _instruction(stage: Stage, instruction: str, argument: str) -> None:
    if instruction == "CMD":
        stage.cmd = _words(argument)
    elif instruction == "ENTRYPOINT":
        stage.entrypoint = _words(argument)
        stage.cmd = stage.cmd if stage.cmd is not None else []  # the base's CMD is reset
    elif instruction == "EXPOSE":
        stage.ports.extend(argument.split())
    elif instruction == "ENV":
        stage.env.extend(k for k, _ in _key_values(argument) if k)
    elif instruction == "LABEL":
        stage.labels.update((k, v) for k, v in _key_values(argument) if k)
    elif instruction == "RUN":
        stage.packages.extend(_packages(" ".join(_words(argument)) if argument else ""))
    elif instruction in ("COPY", "ADD"):
        origin, sources = _copy_sources(argument)
        if origin is not None:
            stage.copied_from.append(origin)
        else:
            stage.copies.extend(sources)


def parse_stages(text: str) -> list[Stage]:
    """Every stage of a Dockerfile; anything unrecognised is ignored."""
    stages: list[Stage] = []
    by_name: dict[str, Stage] = {}
    for line in _logical_lines(text):
        instruction, _, argument = line.partition(" ")
        instruction = instruction.upper()
        argument = argument.strip()
        if instruction == "FROM":
            words = [w for w in argument.split() if not w.startswith("--")]
            if not words:
                continue
            parent = by_name.get(words[0].lower())
            alias = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else ""
            stage = Stage(
                name=alias or str(len(stages)),
                image=parent.image if parent else words[0],
                parent=parent.name if parent else None,
            )
            stages.append(stage)
            by_name[stage.name] = stage
            by_name.setdefault(str(len(stages) - 1), stage)
        elif stages:
            _instruction(stages[-1], instruction, argument)
    return stages


def _chain(stages: list[Stage], selected: Stage) -> list[Stage]:
    """The selected stage and the stages it is built FROM, first stage first."""
    by_name = {stage.name: stage for stage in stages}
    chain = [selected]
    while chain[-1].parent is not None and chain[-1].parent in by_name:
        parent = by_name[chain[-1].parent]
        if parent in chain:
            break
        chain.append(parent)
    return chain[::-1]


def _builders(stages: list[Stage], chain: list[Stage]) -> list[str]:
    """Images of the stages the chain copies from (`COPY --from=build`), not in the chain."""
    by_name = {stage.name: stage for stage in stages}
    by_name.update({str(index): stage for index, stage in enumerate(stages)})
    images: list[str] = []
    for stage in chain:
        for origin in stage.copied_from:
            builder = by_name.get(origin)
            if builder is not None and builder not in chain and builder.image not in images:
                images.append(builder.image)
    return images


def parse_dockerfile(text: str, target: str | None = None) -> Dockerfile:
    """The facts of the stage `target` (compose's `build.target`), or of the last stage."""
    stages = parse_stages(text)
    result = Dockerfile(stages=stages)
    if not stages:
        return result
    selected = stages[-1]
    if target:
        named = [s for s in stages if s.name == target.lower()]
        if named:
            selected = named[0]
        else:
            result.missing_target = target
    chain = _chain(stages, selected)
    result.selected = selected.name
    result.base_image = selected.image
    for stage in chain:
        if stage.entrypoint is not None:
            result.entrypoint = stage.entrypoint
        if stage.cmd is not None:
            result.cmd = stage.cmd
        result.ports.extend(p for p in stage.ports if p not in result.ports)
        result.env.extend(e for e in stage.env if e not in result.env)
        result.labels.update(stage.labels)
        result.packages.extend(stage.packages)
        result.copies.extend(c for c in stage.copies if c not in result.copies)
    result.builder_images = _builders(stages, chain)
    return result
