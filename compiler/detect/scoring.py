"""Scoring an Observation against the framework database.

Each signature a framework lists (dependency, env, image, port, command, file, label)
that the observation shows contributes its weight; weights combine as a noisy-or,
confidence = 1 - Π(1 - w), so independent clues add up without ever passing 1. The best
candidate wins only when it is confident (>= THRESHOLD) and clearly ahead of the runner-up
(by MARGIN); otherwise the answer is `generic` with the language, because a wrong
confident answer costs more than an honest "don't know". Infrastructure (postgres,
redis, ...) is scored the same way but needs its image or its server command: a client's
POSTGRES_PASSWORD or port 5432 alone does not make a service a database. A server command
is a program word (`postgres -c ...`, `/usr/bin/redis-server`), never a word inside a URL
or an option (`--database-url postgres://db`). A service built from application sources
is an application unless its image is the infrastructure's: what its command mentions
is what it talks to, not what it is.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from compiler.detect.observation import Observation
from compiler.spec.models import FrameworkDocument, Signature

THRESHOLD = 0.5
MARGIN = 0.1
WORKER_DISCOUNT = 0.5
GENERIC = "generic"
WORKER_COMMANDS = (
    "celery",
    "rq worker",
    "rqworker",
    "dramatiq",
    "huey_consumer",
    "arq ",
    "sidekiq",
    "resque",
    "queue:work",
    "horizon",
    "qcluster",
)
_IMAGE_LANGUAGES = (
    (re.compile(r"(^|/)python$"), "python"),
    (re.compile(r"(^|/)(node|bun)$"), "javascript"),
    (
        re.compile(
            r"(^|/)(eclipse-temurin|openjdk|amazoncorretto|maven|gradle|ibm-semeru-runtimes|[\w-]*openjdk[\w-]*)$"
        ),
        "java",
    ),
    (re.compile(r"(^|/)golang$"), "go"),
    (re.compile(r"(^|/)(ruby|jruby)$"), "ruby"),
    (re.compile(r"(^|/)php$"), "php"),
    (re.compile(r"(^|/)dotnet/"), "dotnet"),
    (re.compile(r"(^|/)rust$"), "rust"),
)
_PY_NORMAL = re.compile(r"[-_.]+")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference split into its path components and tag."""

    parts: tuple[str, ...]
    tag: str

    @property
    def path(self) -> str:
        """The repository path without registry-implied `library/`."""
        return "/".join(self.parts)


@functools.lru_cache(maxsize=4096)
def parse_image(reference: str) -> ImageRef:
    """`docker.io/library/postgres:16@sha256:..` -> (docker.io, library, postgres), tag 16."""
    name = reference.strip().lower().split("@", 1)[0]
    tag = ""
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = name.rsplit(":", 1)
    parts = tuple(p for p in name.split("/") if p)
    return ImageRef(parts, tag)


def image_language(reference: str) -> str | None:
    """The language an official base image implies, if any."""
    ref = parse_image(reference)
    for pattern, language in _IMAGE_LANGUAGES:
        if pattern.search(ref.path):
            return language
    return None


@dataclass(frozen=True, slots=True)
class Match:
    """One signature the observation showed, worded as evidence."""

    signature: Signature
    evidence: str
    version: str = ""


@dataclass
class Candidate:
    """A framework's score for one observation."""

    name: str
    category: str
    language: str
    score: float
    matches: list[Match] = field(default_factory=list)


@functools.lru_cache(maxsize=8192)
def _normal(name: str) -> str:
    return _PY_NORMAL.sub("-", name.lower())


def _dependency(signature: Signature, observation: Observation) -> Match | None:
    wanted = signature.match.lower()
    normal = _normal(wanted)
    for name, dep in observation.dependencies.items():
        if name == wanted or _normal(name) == normal or name.startswith(wanted + "/"):
            shown = dep.name or name
            shown = f"{shown} {dep.version}" if dep.version else shown
            return Match(signature, f"dependency {shown} in {dep.origin}", dep.version)
    return None


def _image(signature: Signature, observation: Observation) -> Match | None:
    wanted = tuple(signature.match.lower().split("/"))
    for image in observation.images:
        ref = parse_image(image)
        if ref.parts[-len(wanted) :] == wanted:
            version = ref.tag if ref.tag not in ("", "latest") else ""
            return Match(signature, f"image {image}", version)
    return None


def _program(word: str) -> str | None:
    """The program a command word names (`/usr/bin/redis-server'` -> redis-server).

    None for an option, a URL, an assignment or a host:port.
    """
    word = word.strip("'\"();&|")
    if not word or word.startswith("-") or any(c in word for c in ":=@"):
        return None
    return word.rsplit("/", 1)[-1]


def _server_command(wanted: str, observation: Observation) -> bool:
    """Whether a command runs `wanted`: its first word as a program, the rest following."""
    needle = wanted.lower().split()
    for command in observation.commands:
        words = command.lower().split()
        for position, word in enumerate(words):
            if (
                _program(word) == needle[0]
                and words[position + 1 : position + len(needle)] == (needle[1:])
            ):
                return True
    return False


def match_signature(
    signature: Signature, observation: Observation, infrastructure: bool = False
) -> Match | None:
    """The evidence for one signature, or None when the observation does not show it."""
    kind, wanted = signature.type, signature.match
    if kind == "dependency":
        return _dependency(signature, observation)
    if kind == "image":
        return _image(signature, observation)
    if kind == "env" and wanted in observation.env:
        return Match(signature, f"env {wanted} is set")
    if kind == "port" and wanted.isdigit() and int(wanted) in observation.ports:
        return Match(signature, f"port {wanted}")
    if kind == "command" and infrastructure:
        if _server_command(wanted, observation):
            return Match(signature, f"command runs `{wanted}`")
        return None
    if kind == "command" and any(wanted.lower() in c.lower() for c in observation.commands):
        return Match(signature, f"command contains `{wanted}`")
    if kind == "file" and wanted in observation.files:
        return Match(signature, f"file {wanted}")
    if kind == "label" and wanted in observation.labels:
        return Match(signature, f"label {wanted}")
    return None  # `header` needs a running service: never seen statically


def score_framework(document: FrameworkDocument, observation: Observation) -> Candidate:
    """Noisy-or of the weights of every signature the observation shows."""
    spec = document.spec
    infrastructure = spec.category == "infrastructure"
    matches = [
        m
        for s in spec.detection
        if (m := match_signature(s, observation, infrastructure)) is not None
    ]
    remaining = 1.0
    for match in matches:
        remaining *= 1.0 - match.signature.weight
    score = 1.0 - remaining
    # the evidence an infrastructure entry needs: its image, or its server command when
    # the service is not built from application code
    own = ("image",) if observation.application_sources else ("image", "command")
    if infrastructure and not any(m.signature.type in own for m in matches):
        score = 0.0  # a client's env, port or command line is not the server itself
    matches.sort(key=lambda m: (-m.signature.weight, m.evidence))
    return Candidate(document.metadata.name, spec.category, spec.language, score, matches)


def worker_command(observation: Observation) -> str | None:
    """The worker pattern of a command that runs a background worker, not a server."""
    for command in observation.commands:
        lowered = command.lower()
        for pattern in WORKER_COMMANDS:
            if pattern in lowered:
                return pattern
    return None


def rank(frameworks: list[FrameworkDocument], observation: Observation) -> list[Candidate]:
    """Every framework with detection signatures, best first (ties by name)."""
    candidates = [
        score_framework(document, observation) for document in frameworks if document.spec.detection
    ]
    worker = worker_command(observation)
    for candidate in candidates:
        if (
            worker
            and candidate.category == "application"
            and candidate.score > 0
            and not any(m.signature.type == "command" for m in candidate.matches)
        ):
            candidate.score *= WORKER_DISCOUNT
    candidates.sort(key=lambda c: (-c.score, c.name))
    return candidates


def best_language(observation: Observation, candidates: list[Candidate]) -> str:
    """The language a generic service is written in.

    From dependency files or sources, then the base image, the images it was built from,
    then the leading candidate.
    """
    if observation.languages:
        return observation.languages[0]
    for image in [*observation.images, *observation.build_images]:
        language = image_language(image)
        if language:
            return language
    for candidate in candidates:
        # a port alone (8080, 3000) is shared by frameworks of many languages
        telling = any(m.signature.type != "port" for m in candidate.matches)
        if candidate.score > 0 and candidate.language != "other" and telling:
            return candidate.language
    return "other"
