"""A source tree, read without running it: dependency manifests, entry points, files."""

from __future__ import annotations

import configparser
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from compiler.detect.languages import source_language
from compiler.detect.observation import Observation
from compiler.spec.files import UnreadableInput, read_input

MAX_FILES = 5000
MAX_DEPTH = 3
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
SKIP_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", "vendor", "target", "dist", "build"}
)
_PEP508 = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(===?|~=|>=|<=|!=|<|>)?\s*([^\s;,]*)"
)


def _pinned(operator: str | None, version: str) -> str:
    return version if operator in ("==", "===") else ""


def _pep508(observation: Observation, spec: str, origin: str) -> None:
    match = _PEP508.match(spec)
    if match and not spec.lstrip().startswith(("-", "#")):
        observation.add_dependency(match.group(1), _pinned(match.group(2), match.group(3)), origin)


_VIA = re.compile(r"^\s*#\s+via(?:\s+(.*))?$")
_VIA_MORE = re.compile(r"^\s*#\s+(\S.*)$")


def _requirements(observation: Observation, text: str, origin: str) -> None:
    """Requirement lines, except those pip-compile marks as pulled in by other packages.

    pip-compile annotates each pin with `# via ...`: `-r requirements.in` for what the
    project asked for, package names for transitive dependencies. A framework that is
    only there because another package needs it (Flask under Locust) is not the app's.
    """
    pending: tuple[str, list[str]] | None = None  # a requirement line and its `via` entries
    in_via = False

    def flush() -> None:
        if pending is not None:
            line, via = pending
            if not via or any(entry.startswith(("-r", "-c")) for entry in via):
                _pep508(observation, line, origin)

    for raw in text.splitlines():
        via = _VIA.match(raw)
        if via and pending is not None:
            in_via = True
            if via.group(1):
                pending[1].append(via.group(1).strip())
            continue
        more = _VIA_MORE.match(raw)
        if in_via and more and pending is not None:
            pending[1].append(more.group(1).strip())
            continue
        in_via = False
        code, _, comment = raw.partition("#")
        if code.strip():
            flush()
            # `--annotation-style=line` puts them on the line: `flask==3.1  # via locust`
            inline = re.match(r"\s*via\s+(.*)$", comment)
            pending = (code, [v.strip() for v in inline.group(1).split(",")] if inline else [])
    flush()


def _loose_version(value: object) -> str:
    text = value.get("version", "") if isinstance(value, dict) else value
    return str(text).lstrip("^~=v ") if isinstance(text, str | int | float) else ""


def _toml_table(observation: Observation, table: object, origin: str) -> None:
    if isinstance(table, dict):
        for name, value in table.items():
            if name != "python":
                observation.add_dependency(str(name), _loose_version(value), origin)


def _pyproject(observation: Observation, text: str, origin: str) -> None:
    data = tomllib.loads(text)
    project = data.get("project", {})
    for spec in project.get("dependencies", []) or []:
        if isinstance(spec, str):
            _pep508(observation, spec, origin)
    for group in (project.get("optional-dependencies", {}) or {}).values():
        for spec in group if isinstance(group, list) else []:
            if isinstance(spec, str):
                _pep508(observation, spec, origin)
    poetry = data.get("tool", {}).get("poetry", {})
    _toml_table(observation, poetry.get("dependencies"), origin)
    for group in (poetry.get("group", {}) or {}).values():
        if isinstance(group, dict):
            _toml_table(observation, group.get("dependencies"), origin)
    scripts = project.get("scripts", {})
    if isinstance(scripts, dict):
        for target in scripts.values():
            if isinstance(target, str):
                observation.add_command(target)


def _pipfile(observation: Observation, text: str, origin: str) -> None:
    data = tomllib.loads(text)
    _toml_table(observation, data.get("packages"), origin)
    _toml_table(observation, data.get("dev-packages"), origin)


def _setup_py(observation: Observation, text: str, origin: str) -> None:
    for block in re.findall(r"install_requires\s*=\s*\[(.*?)\]", text, re.S):
        for spec in re.findall(r"""["']([^"']+)["']""", block):
            _pep508(observation, spec, origin)


def _setup_cfg(observation: Observation, text: str, origin: str) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    if parser.has_option("options", "install_requires"):
        for line in parser.get("options", "install_requires").splitlines():
            _pep508(observation, line, origin)


def _package_json(observation: Observation, text: str, origin: str) -> None:
    data = json.loads(text)
    if not isinstance(data, dict):
        return
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        table = data.get(key)
        if isinstance(table, dict):
            for name, version in table.items():
                observation.add_dependency(str(name), _loose_version(version), origin)
    scripts = data.get("scripts")
    if isinstance(scripts, dict) and isinstance(scripts.get("start"), str):
        observation.add_command(scripts["start"])
    if isinstance(data.get("main"), str):
        observation.add_command(f"node {data['main']}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _maven(observation: Observation, group: str, artifact: str, version: str, origin: str) -> None:
    version = "" if "$" in version else version
    if artifact:
        observation.add_dependency(artifact, version, origin)
        if group:
            observation.add_dependency(f"{group}:{artifact}", version, origin)


def _pom(observation: Observation, text: str, origin: str) -> None:
    if "<!ENTITY" in text or "<!DOCTYPE" in text:  # no entity expansion, ever
        observation.notes.append(f"{origin}: skipped (DOCTYPE declarations are not read)")
        return
    root = ET.fromstring(text)
    for element in root.iter():
        if _local(element.tag) in ("dependency", "parent", "plugin"):
            _maven(
                observation,
                _child_text(element, "groupId"),
                _child_text(element, "artifactId"),
                _child_text(element, "version"),
                origin,
            )


_GRADLE_COORD = re.compile(r"""["']([\w.-]+):([\w.-]+)(?::([\w.+-]+))?["']""")
_GRADLE_PLUGIN = re.compile(
    r"""id\s*\(?\s*["']([\w.-]+)["']\s*\)?(?:\s*version\s*["']([\w.+-]+)["'])?"""
)


def _gradle(observation: Observation, text: str, origin: str) -> None:
    for group, artifact, version in _GRADLE_COORD.findall(text):
        _maven(observation, group, artifact, version, origin)
    for plugin, version in _GRADLE_PLUGIN.findall(text):
        observation.add_dependency(plugin, version, origin)


def _go_mod(observation: Observation, text: str, origin: str) -> None:
    in_block = False
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip()
        if line.startswith("require ("):
            in_block = True
            continue
        if in_block and line == ")":
            in_block = False
            continue
        words = line.split()
        if in_block and len(words) >= 2:
            observation.add_dependency(words[0], words[1], origin)
        elif len(words) >= 3 and words[0] == "require":
            observation.add_dependency(words[1], words[2], origin)


_GEM = re.compile(r"""^\s*gem\s+["']([^"']+)["'](?:\s*,\s*["']([^"']+)["'])?""", re.M)


def _gemfile(observation: Observation, text: str, origin: str) -> None:
    for name, version in _GEM.findall(text):
        observation.add_dependency(name, version.lstrip("~>= "), origin)


def _composer(observation: Observation, text: str, origin: str) -> None:
    data = json.loads(text)
    for key in ("require", "require-dev"):
        table = data.get(key) if isinstance(data, dict) else None
        if isinstance(table, dict):
            for name, version in table.items():
                if name != "php" and not name.startswith("ext-"):
                    observation.add_dependency(str(name), _loose_version(version), origin)


def _csproj(observation: Observation, text: str, origin: str) -> None:
    sdk = re.search(r"""<Project\s[^>]*Sdk\s*=\s*["']([^"']+)["']""", text)
    if sdk:
        observation.add_dependency(sdk.group(1), "", origin)
    for tag in ("PackageReference", "FrameworkReference"):
        pattern = (
            tag
            + r"""\s[^>]*Include\s*=\s*["']([^"']+)["'](?:[^>]*Version\s*=\s*["']([^"']+)["'])?"""
        )
        for name, version in re.findall(pattern, text):
            observation.add_dependency(name, version, origin)


def _cargo(observation: Observation, text: str, origin: str) -> None:
    """`[dependencies]`, and a workspace root's `[workspace.dependencies]`.

    Workspace members inherit those with `dep.workspace = true`, so the root names the
    server crate.
    """
    data = tomllib.loads(text)
    _toml_table(observation, data.get("dependencies"), origin)
    workspace = data.get("workspace")
    if isinstance(workspace, dict):
        _toml_table(observation, workspace.get("dependencies"), origin)


def _procfile(observation: Observation, text: str, origin: str) -> None:
    for line in text.splitlines():
        _, _, command = line.partition(":")
        if command.strip():
            observation.add_command(command)


Parser = Callable[[Observation, str, str], None]
_MANIFESTS: list[tuple[re.Pattern[str], Parser, str]] = [
    (re.compile(r"^requirements[\w.-]*\.txt$"), _requirements, "python"),
    (re.compile(r"^pyproject\.toml$"), _pyproject, "python"),
    (re.compile(r"^Pipfile$"), _pipfile, "python"),
    (re.compile(r"^setup\.py$"), _setup_py, "python"),
    (re.compile(r"^setup\.cfg$"), _setup_cfg, "python"),
    (re.compile(r"^package\.json$"), _package_json, "javascript"),
    (re.compile(r"^pom\.xml$"), _pom, "java"),
    (re.compile(r"^build\.gradle(\.kts)?$"), _gradle, "java"),
    (re.compile(r"^go\.mod$"), _go_mod, "go"),
    (re.compile(r"^Gemfile$"), _gemfile, "ruby"),
    (re.compile(r"^composer\.json$"), _composer, "php"),
    (re.compile(r".+\.csproj$"), _csproj, "dotnet"),
    (re.compile(r"^Cargo\.toml$"), _cargo, "rust"),
    (re.compile(r"^Procfile$"), _procfile, ""),
]


def _walk(root: Path) -> Iterator[str]:
    count = 0
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            entries = sorted(directory.iterdir(), key=lambda p: p.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if depth + 1 < MAX_DEPTH and entry.name not in SKIP_DIRS:
                    stack.append((entry, depth + 1))
            elif entry.is_file():
                count += 1
                if count > MAX_FILES:
                    return
                yield entry.relative_to(root).as_posix()


def scan_source(root: Path, name: str, source: str, display: str = "") -> Observation:
    """Read the manifests at the top of `root` and list the files below it.

    `display` prefixes the file names in evidence (e.g. the build context as written in a
    compose file), so that evidence does not depend on where the tree sits on disk.
    """
    observation = Observation(name=name, source=source)
    clean = PurePosixPath(display).as_posix() if display else "."
    prefix = "" if clean == "." else f"{clean}/"
    sized: list[tuple[str, int]] = []
    for relative in _walk(root):
        observation.files.add(relative)
        sized.append((relative, _size(root / relative)))
        if "/" in relative:
            continue
        for pattern, parser, language in _MANIFESTS:
            if not pattern.match(relative):
                continue
            path = root / relative
            origin = prefix + relative
            try:
                raw = read_input(path, MAX_MANIFEST_BYTES)
            except UnreadableInput as problem:
                observation.notes.append(f"{origin}: skipped ({problem.message})")
                break
            try:
                parser(observation, raw.decode("utf-8", errors="replace"), origin)
            except (ValueError, ET.ParseError, configparser.Error, OSError) as exc:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                observation.notes.append(f"{origin}: could not be parsed ({reason})")
                break
            if language:
                observation.add_language(language, f"language {language} from {origin}")
            break
    _go_imports(observation, root, [path for path, _ in sized], prefix)
    _languages_from_sources(observation, sized, prefix)
    return observation


_GO_IMPORT_BLOCK = re.compile(r"^import\s*\((.*?)^\)", re.M | re.S)
_GO_IMPORT_LINE = re.compile(r"^import\s+(?:[\w.]+\s+)?\"([^\"]+)\"", re.M)
_GO_QUOTED = re.compile(r"^\s*(?:[\w.]+\s+)?\"([^\"]+)\"", re.M)
MAX_GO_FILES = 50


def _go_imports(observation: Observation, root: Path, paths: list[str], prefix: str) -> None:
    """Without a go.mod, the packages the Go files import are the dependencies.

    `go mod init && go mod tidy` in the Dockerfile builds such a tree; the imports are
    all that names its router. Standard-library imports (no dot in the host) are left out.
    """
    if "go.mod" in paths:
        return
    for relative in [p for p in paths if p.endswith(".go") and not p.endswith("_test.go")][
        :MAX_GO_FILES
    ]:
        try:
            text = read_input(root / relative, MAX_MANIFEST_BYTES).decode("utf-8", "replace")
        except UnreadableInput:
            continue
        found = _GO_IMPORT_LINE.findall(text)
        for block in _GO_IMPORT_BLOCK.findall(text):
            found.extend(_GO_QUOTED.findall(block))
        for package in found:
            if "." in package.split("/", 1)[0]:
                observation.add_dependency(package, "", f"{prefix}{relative} (import)")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _languages_from_sources(
    observation: Observation, sized: list[tuple[str, int]], prefix: str
) -> None:
    """Without a manifest naming a language, the files say it; either way it is an app."""
    if not observation.languages:
        found = source_language(sized)
        if found is not None:
            observation.add_language(found.language, found.evidence)
    if observation.languages:
        language = observation.languages[0]
        reason = observation.language_reasons.get(language, f"language {language}")
        where = f" in {prefix.rstrip('/')}" if prefix else ""
        observation.application_sources = f"built from application sources{where}: {reason}"


def observe_source(root: Path) -> Observation:
    """A source directory as one service named after the directory."""
    from compiler.detect.inputs import display_path
    from compiler.detect.observation import service_name
    from compiler.errors import UsageError

    if not root.exists():
        raise UsageError(f"source directory {root} does not exist")
    if not root.is_dir():
        raise UsageError(f"source path {root} is not a directory")
    name = service_name(root.resolve().name)
    observation = scan_source(root, name, f"source:{display_path(root)}")
    dockerfile = root / "Dockerfile"
    if dockerfile.is_file():
        from compiler.detect.dockerfile import parse_dockerfile
        from compiler.detect.inputs import text_or_empty

        parsed = parse_dockerfile(text_or_empty(dockerfile))
        if parsed.base_image:
            observation.images.append(parsed.base_image)
        observation.build_images.extend(parsed.builder_images)
        if parsed.command:
            observation.commands = [parsed.command, *observation.commands]
        for port in parsed.ports:
            observation.add_port(port)
        for env in parsed.env:
            observation.add_env(env)
        for package, version, language in parsed.packages:
            observation.add_dependency(package, version, "Dockerfile (RUN)")
            observation.add_language(language)
    return observation
