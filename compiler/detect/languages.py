"""The language of a source tree whose dependency manifests do not name one.

Marker files first (`main.go` is Go even without `go.mod`), then the share of each
language's source files by size, each file capped so that one bundled or generated file
cannot outweigh the hand-written code around it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_FILE_WEIGHT = 64 * 1024
EXTENSIONS = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "javascript",
    ".tsx": "javascript",
    ".java": "java",
    ".kt": "java",
    ".scala": "java",
    ".groovy": "java",
    ".go": "go",
    ".rb": "ruby",
    ".php": "php",
    ".cs": "dotnet",
    ".fs": "dotnet",
    ".vb": "dotnet",
    ".rs": "rust",
}
# Files that name a language wherever they sit in the tree, the shallowest first (the
# manifests at its top are parsed by compiler/detect/source.py and win before this
# module is asked).
MARKERS = (
    ("main.go", "go"),
    ("go.mod", "go"),
    ("Cargo.toml", "rust"),
    ("pom.xml", "java"),
    ("build.gradle", "java"),
    ("build.gradle.kts", "java"),
    ("Gemfile", "ruby"),
    ("composer.json", "php"),
    ("pyproject.toml", "python"),
    ("manage.py", "python"),
    ("settings.gradle", "java"),
    ("settings.gradle.kts", "java"),
)
_SUFFIX_MARKERS = ((".csproj", "dotnet"), (".fsproj", "dotnet"))
_GENERATED = (".min.js", ".bundle.js", ".d.ts", "_pb2.py", ".pb.go")


@dataclass(frozen=True, slots=True)
class SourceLanguage:
    """A language read from the files of a tree, and the words that say why."""

    language: str
    evidence: str


def _marker(paths: list[str]) -> SourceLanguage | None:
    """A marker at the top of the tree, else the shallowest one below it."""
    for path in sorted(paths, key=lambda p: (p.count("/"), p)):
        name = PurePosixPath(path).name
        for marker, language in MARKERS:
            if name == marker:
                return SourceLanguage(language, f"language {language} from {path}")
        for suffix, language in _SUFFIX_MARKERS:
            if name.endswith(suffix):
                return SourceLanguage(language, f"language {language} from {path}")
    return None


def source_language(files: Iterable[tuple[str, int]]) -> SourceLanguage | None:
    """The language of `(relative path, size)` pairs, or None when no source file is known."""
    listed = list(files)
    marked = _marker([path for path, _ in listed])
    if marked is not None:
        return marked
    weights: dict[str, int] = {}
    counts: dict[str, int] = {}
    for path, size in listed:
        name = PurePosixPath(path).name
        if name.endswith(_GENERATED):
            continue
        language = EXTENSIONS.get(PurePosixPath(name).suffix.lower())
        if language is not None:
            weights[language] = weights.get(language, 0) + min(max(size, 1), MAX_FILE_WEIGHT)
            counts[language] = counts.get(language, 0) + 1
    if not weights:
        return None
    total = sum(weights.values())
    language = min(weights, key=lambda name: (-weights[name], name))
    share = round(100 * weights[language] / total)
    return SourceLanguage(
        language,
        f"language {language} from its sources ({counts[language]} files, {share}% by size)",
    )
