"""What one service looks like from the outside: the facts detection scores.

An Observation holds names, not secrets: environment variables are kept by name only,
because their values may be passwords or tokens, and nothing here is ever written out
except through the evidence strings that scoring builds from these names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_INVALID = re.compile(r"[^a-z0-9-]+")
MAX_NAME = 63


def service_name(raw: str, fallback: str = "service") -> str:
    """A DNS-1123 label from a compose, container or manifest name (lower-case, `-`)."""
    name = _INVALID.sub("-", raw.strip().lower()).strip("-")
    name = re.sub(r"-{2,}", "-", name)[:MAX_NAME].strip("-")
    return name or fallback


@dataclass(frozen=True, slots=True)
class Dependency:
    """A package a service's code declares, and the file that declares it."""

    version: str
    origin: str
    name: str = ""


@dataclass
class Observation:
    """Everything static inspection found about one service."""

    name: str
    source: str
    images: list[str] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    dependencies: dict[str, Dependency] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    languages: list[str] = field(default_factory=list)
    language_reasons: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Why the service is built from application code (a manifest, its sources), or "":
    # such a service is an application unless its image says otherwise.
    application_sources: str = ""
    # Images of the build stages the built stage copies from: language hints only.
    build_images: list[str] = field(default_factory=list)
    namespace: str | None = None
    # A Kubernetes workload's (kind, metadata.name): what the instrumentation target patches.
    workload: tuple[str, str] | None = None
    # Where the prometheus.io annotations tell Prometheus to scrape, when they do.
    scrape_port: int | None = None
    scrape_path: str | None = None

    def add_port(self, port: object) -> None:
        """Record a container port given as an int or a string like `8080/tcp`."""
        text = str(port).split("/", 1)[0].strip()
        if text.isdigit() and 0 < int(text) <= 65535 and int(text) not in self.ports:
            self.ports.append(int(text))

    def add_env(self, name: str) -> None:
        """Record an environment variable by name; the value is never kept."""
        name = name.strip()
        if name and name not in self.env:
            self.env.append(name)

    def add_command(self, command: str) -> None:
        """Record a command line (entrypoint and arguments joined by spaces)."""
        command = " ".join(command.split())
        if command and command not in self.commands:
            self.commands.append(command)

    def add_language(self, language: str, reason: str = "") -> None:
        """Record a language hint, first one wins ties; `reason` words the evidence."""
        if language not in self.languages:
            self.languages.append(language)
            if reason:
                self.language_reasons[language] = reason

    def add_dependency(self, name: str, version: str, origin: str) -> None:
        """Record a declared package; the first declaration of a name is kept."""
        key = name.strip().lower()
        if key and key not in self.dependencies:
            self.dependencies[key] = Dependency(version.strip(), origin, name.strip())

    def absorb_source(self, other: Observation) -> None:
        """Take the dependencies, files and languages of a scanned source tree."""
        for key, dep in other.dependencies.items():
            self.dependencies.setdefault(key, dep)
        self.files |= other.files
        for language in other.languages:
            self.add_language(language, other.language_reasons.get(language, ""))
        self.notes.extend(other.notes)
        self.application_sources = self.application_sources or other.application_sources
