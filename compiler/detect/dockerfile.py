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
class Dockerfile:
    """The facts of one Dockerfile that detection uses."""

    base_images: list[str] = field(default_factory=list)
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    ports: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    packages: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def base_image(self) -> str | None:
        """The image of the final stage (the one that runs)."""
        return self.base_images[-1] if self.base_images else None

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


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse a Dockerfile's instructions; anything unrecognised is ignored."""
    result = Dockerfile()
    stages: dict[str, str] = {}
    for line in _logical_lines(text):
        instruction, _, argument = line.partition(" ")
        instruction = instruction.upper()
        argument = argument.strip()
        if instruction == "FROM":
            words = [w for w in argument.split() if not w.startswith("--")]
            if not words:
                continue
            image = stages.get(words[0].lower(), words[0])
            if len(words) >= 3 and words[1].lower() == "as":
                stages[words[2].lower()] = image
            result.base_images.append(image)
            result.entrypoint, result.cmd = [], []
        elif instruction == "CMD":
            result.cmd = _words(argument)
        elif instruction == "ENTRYPOINT":
            result.entrypoint = _words(argument)
        elif instruction == "EXPOSE":
            result.ports.extend(argument.split())
        elif instruction == "ENV":
            result.env.extend(k for k, _ in _key_values(argument) if k)
        elif instruction == "LABEL":
            result.labels.update((k, v) for k, v in _key_values(argument) if k)
        elif instruction == "RUN":
            result.packages.extend(_packages(" ".join(_words(argument)) if argument else ""))
    return result
