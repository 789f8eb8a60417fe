"""Frameworks the database has no entry for, recognised so that they are not mistaken.

A Go service routed by gorilla/mux or chi, or a Rust service on Rocket or warp, often
also carries a weak signature of a listed framework (otelhttp, a port, a base image).
Its router is evidence as strong as gin's or axum's dependency: when it leads, or comes
within the margin of the best listed framework, the answer is `generic` with the
language, since the listed framework's metrics would be a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.detect.observation import Observation

UNLISTED = (
    ("github.com/gorilla/mux", "gorilla/mux", "go"),
    ("github.com/go-chi/chi", "chi", "go"),
    ("github.com/julienschmidt/httprouter", "httprouter", "go"),
    ("github.com/gofiber/fiber", "Fiber", "go"),
    ("github.com/beego/beego", "Beego", "go"),
    ("rocket", "Rocket", "rust"),
    ("warp", "warp", "rust"),
    ("poem", "Poem", "rust"),
    ("salvo", "Salvo", "rust"),
    ("tide", "Tide", "rust"),
)
WEIGHT = 0.95


@dataclass(frozen=True, slots=True)
class Unlisted:
    """A framework outside the database that the dependencies show."""

    name: str
    language: str
    evidence: str


def unlisted_framework(observation: Observation) -> Unlisted | None:
    """The first unlisted framework the observation's dependencies declare, if any."""
    for package, name, language in UNLISTED:
        for key, dependency in observation.dependencies.items():
            if key == package or key.startswith(package + "/"):
                return Unlisted(
                    name, language, f"dependency {dependency.name or key} in {dependency.origin}"
                )
    return None
