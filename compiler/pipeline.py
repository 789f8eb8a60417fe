"""The one orchestrator: load -> validate -> resolve -> render -> write.

Each stage collects every diagnostic it finds and raises once; nothing is written unless
every stage before `write` succeeded, so a failed render leaves rendered/ untouched.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from compiler import input_record
from compiler.errors import (
    Diagnostic,
    DiagnosticSink,
    RenderError,
    Severity,
    SpecError,
    UsageError,
)
from compiler.frameworks import BUILTIN_PREFIX, build_database, load_builtin_frameworks
from compiler.gc_control import cyclic_gc_paused
from compiler.model import EnvironmentModel, ResolvedEstate
from compiler.output import render_cache
from compiler.output.manifest import MANIFEST_NAME, Manifest, next_manifest
from compiler.output.out_dir import check_out_dir
from compiler.output.sink import write_new_file
from compiler.output.writer import (
    carry_over,
    check_relative_path,
    list_tree,
    render_lock,
    staged_tree,
    swap_in,
)
from compiler.resolve import read_user_compose, resolve_estate
from compiler.spec.crossref import check_references
from compiler.spec.files import (
    SPEC_FOLDERS,
    UnreadableInput,
    list_spec_folders,
    read_input,
    report_unreadable,
)
from compiler.spec.loader import MAX_FILE_BYTES, Document, load_bytes
from compiler.spec.validate import did_you_mean, validate_documents
from compiler.version import __version__

if TYPE_CHECKING:
    from compiler.output.sink import Keep, Produced
    from compiler.policies import PolicyReport
    from targets.base import RendererFn

RENDERED_DIR = "rendered"


@dataclass(frozen=True, slots=True)
class Estate:
    """A validated, resolved estate and the warnings found on the way."""

    resolved: ResolvedEstate
    warnings: tuple[Diagnostic, ...]
    documents: int
    service_documents: dict[str, Document]
    project_document: Document
    input_files: tuple[str, ...] = ()  # repo-relative: every file the estate was built from


@dataclass(frozen=True, slots=True)
class RenderOutcome:
    """What a render did (or, with check, would do)."""

    render_version: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    written: bool = False
    files: int = 0
    policies: PolicyReport | None = None

    @property
    def differs(self) -> bool:
        """Whether rendered/ is (or was) out of date."""
        return bool(self.added or self.changed or self.removed)


def _available_targets() -> dict[str, tuple[str, ...]]:
    """Every target by name, with the targets whose output it packages."""
    from targets import TARGETS  # the pipeline is the one place that knows the registry

    return {name: TARGETS[name].consumes for name in sorted(TARGETS)}


def load_estate(repo: Path) -> Estate:
    """Load, validate and resolve the specs of `repo`; raises SpecError with every defect.

    The estate is built with the cyclic GC paused and then frozen out of it (compiler.
    gc_control): its collections over the model took half of resolving 10,000 services, and
    later ones made reading a large render record 30 times slower.
    """
    with cyclic_gc_paused(freeze_after=True):
        return _load_estate(repo)


def _load_estate(repo: Path) -> Estate:
    sink = DiagnosticSink()
    digest = hashlib.sha256(f"obsc {__version__}\n".encode())
    documents: list[Document] = []
    read: list[str] = []
    listing = list_spec_folders(repo, SPEC_FOLDERS)
    for problem in listing.unreadable:
        display = Path(problem.path).relative_to(repo).as_posix()
        report_unreadable(problem, display, sink, is_file=False)
    for path in listing.files:
        display = path.relative_to(repo).as_posix()
        read.append(display)
        try:
            raw = read_input(path, MAX_FILE_BYTES, root=repo)
        except UnreadableInput as problem:
            report_unreadable(problem, display, sink)
            continue
        digest.update(f"{display}\n{len(raw)}\n".encode())
        digest.update(raw)
        documents.extend(load_bytes(raw, display, sink))
    specs = validate_documents(documents, sink)
    builtin = load_builtin_frameworks(sink)
    for parsed in builtin:
        digest.update(BUILTIN_PREFIX.encode() + parsed.model.model_dump_json().encode())
    frameworks = build_database(builtin, specs.frameworks)
    check_references(specs, frameworks, _available_targets(), sink)
    sink.raise_if_errors("validate")
    user_compose = read_user_compose(repo, specs.projects[0], sink)
    if user_compose is not None:  # the user's compose file is an input too
        digest.update(f"compose {user_compose.file}\n{len(user_compose.raw)}\n".encode())
        digest.update(user_compose.raw)
        read.append(user_compose.file)
    resolved = resolve_estate(specs, frameworks, "sha256:" + digest.hexdigest(), sink, user_compose)
    sink.raise_if_errors("resolve")
    return Estate(
        resolved,
        tuple(sink.warnings),
        len(documents),
        {p.model.metadata.name: p.document for p in specs.services},
        specs.projects[0].document,
        tuple(read),
    )


resolve = load_estate


def select_pairs(
    resolved: ResolvedEstate, environments: Sequence[str], targets: Sequence[str]
) -> list[tuple[str, str]]:
    """The (environment, target) pairs to render, checking the names asked for."""
    known_envs = list(resolved.environments)
    for env in environments:
        if env not in resolved.environments:
            raise UsageError(
                f"unknown environment {env!r} (known: {', '.join(known_envs)}). "
                + did_you_mean(env, known_envs)
            )
    available = _available_targets()
    for target in targets:
        if target not in available:
            raise UsageError(
                f"unknown target {target!r} (available: {', '.join(available)}). "
                + did_you_mean(target, available)
            )
    pairs = [
        (env_name, target)
        for env_name, env in resolved.environments.items()
        if not environments or env_name in environments
        for target in env.targets
        if not targets or target in targets
    ]
    if not pairs:
        raise UsageError("no environment renders the selected targets; nothing to do")
    return pairs


def target_settings() -> list[tuple[str, str]]:
    """Every `--set` key (`target.key`) with its help text."""
    from targets import TARGETS

    return [
        (f"{name}.{key}", text)
        for name, target in TARGETS.items()
        for key, text in target.settings.items()
    ]


def parse_settings(assignments: Sequence[str]) -> dict[str, dict[str, str]]:
    """`--set TARGET.KEY=VALUE` values grouped by target, checked against what targets accept."""
    from targets import TARGETS

    grouped: dict[str, dict[str, str]] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        target, dot, name = key.partition(".")
        if not sep or not dot or not target or not name:
            raise UsageError(f"--set {assignment!r}: expected TARGET.KEY=VALUE")
        accepting = sorted(t.name for t in TARGETS.values() if t.settings)
        if target not in TARGETS or not TARGETS[target].settings:
            raise UsageError(
                f"--set {assignment!r}: target {target!r} has no settings (targets with "
                f"settings: {', '.join(accepting)}). " + did_you_mean(target, accepting)
            )
        known = sorted(TARGETS[target].settings)
        if name not in known:
            raise UsageError(
                f"--set {assignment!r}: unknown setting {key!r} (known: "
                + ", ".join(f"{target}.{k}" for k in known)
                + "). "
                + did_you_mean(name, known)
            )
        grouped.setdefault(target, {})[name] = value
    return grouped


def configured_renderers(settings: Mapping[str, Mapping[str, str]]) -> dict[str, RendererFn]:
    """Every target's renderer, with `--set` overrides applied where given."""
    from targets import TARGETS

    renderers = {name: target.render for name, target in TARGETS.items()}
    for name, values in settings.items():
        configure = TARGETS[name].configure
        if configure is None:
            raise UsageError(f"target {name!r} takes no settings")
        try:
            renderers[name] = configure(values)
        except ValueError as exc:
            raise UsageError(f"--set: {exc}") from None
    return renderers


def render_files(
    resolved: ResolvedEstate,
    pairs: Iterable[tuple[str, str]],
    renderers: Mapping[str, RendererFn] | None = None,
) -> dict[str, bytes]:
    """Every file of `pairs` in memory, by path relative to rendered/ (`<env>/<target>/<file>`).

    For callers that want the bytes (tests, benchmarks); `render` streams to disk instead.
    `renderers` defaults to every target's plain renderer (see `configured_renderers`).
    """
    from compiler.output.sink import Keep

    produced = stream_render(resolved, pairs, renderers, keep=Keep.ALL)
    return {
        path: seen.content for path, seen in sorted(produced.items()) if seen.content is not None
    }


def stream_render(
    resolved: ResolvedEstate,
    pairs: Iterable[tuple[str, str]],
    renderers: Mapping[str, RendererFn] | None = None,
    old_root: Path | None = None,
    staging: Path | None = None,
    keep: Keep | None = None,
) -> dict[str, Produced]:
    """Render `pairs`, comparing each file with `old_root` and staging it under `staging`.

    Returns what was produced, by rendered/-relative path: digests, whether `old_root`
    holds the same bytes, and the bytes themselves as `keep` says. Large estates render in
    chunks on every CPU (`OBSC_JOBS` caps the processes; 1 turns it off); the files are the
    same either way (compiler.render_units).
    """
    from compiler.output.service_cache import ServiceCache
    from compiler.output.sink import Keep, TreeSink
    from compiler.render_parallel import run_units
    from compiler.render_units import plan_units

    if renderers is None:
        renderers = configured_renderers({})
    selected: dict[str, list[str]] = {}
    for env_name, target_name in pairs:
        selected.setdefault(env_name, []).append(target_name)
    from targets import TARGETS

    jobs = _parallel_jobs(resolved, list(selected))
    splits = {
        name: target.per_service
        for name, target in TARGETS.items()
        if target.per_service is not None and renderers[name] is target.render
    }
    units = plan_units(resolved, selected, jobs, splits, _packaged_together)
    new_sink = functools.partial(TreeSink, old_root, staging, keep or Keep.NONE)
    # Services are taken from the tree on disk when unchanged; not when the bytes are wanted.
    cache = ServiceCache(old_root) if old_root is not None and keep is not Keep.ALL else None
    produced, entries = run_units(resolved, units, renderers, splits, new_sink, jobs, cache)
    if cache is not None:
        cache.save(entries)
    return produced


def _packaged_together(names: Sequence[str]) -> set[str]:
    """Targets among `names` that package others, and everything they package."""
    from targets import TARGETS

    together: set[str] = set()
    for name in render_order(names):
        if TARGETS[name].assemble is not None:
            together.update(render_order([name]))
    return together


# Below this many service-environments, starting processes costs more than it saves.
_PARALLEL_THRESHOLD = 400


def _parallel_jobs(resolved: ResolvedEstate, environments: list[str]) -> int:
    import os

    size = sum(len(resolved.environments[env].services) for env in environments)
    if size < _PARALLEL_THRESHOLD:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    limit = os.environ.get("OBSC_JOBS", "")
    jobs = cpus or 1
    return min(jobs, int(limit)) if limit.isdigit() and int(limit) > 0 else jobs


def render_environment(
    model: EnvironmentModel, names: Sequence[str], renderers: Mapping[str, RendererFn]
) -> dict[str, bytes]:
    """The files of `names` for one environment (`<target>/<file>`), consumed targets first."""
    from targets import TARGETS
    from targets.base import Assembly

    produced: dict[str, bytes] = {}  # "<target>/<file>" of this environment
    for target_name in render_order(names):
        target = TARGETS[target_name]
        renderer = renderers[target_name]
        try:
            if target.assemble is not None:
                inputs = {
                    path: content
                    for path, content in produced.items()
                    if path.split("/", 1)[0] in target.consumes
                }
                assemble = renderer.assemble if isinstance(renderer, Assembly) else target.assemble
                output = assemble(model, inputs)
            else:
                output = renderer(model)
        except UsageError:  # a `--set` value that does not fit this environment
            raise
        except Exception as exc:  # a renderer bug: report which one
            raise RenderError(
                f"target {target_name!r} failed for environment {model.environment!r}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        for rel, content in output.items():
            check_relative_path(rel)
            produced[f"{target_name}/{rel}"] = content
    return {path: content for path, content in produced.items() if path.split("/", 1)[0] in names}


def render_order(names: Iterable[str]) -> list[str]:
    """`names` and every target they consume (transitively), consumed ones first."""
    from targets import TARGETS

    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for dependency in TARGETS[name].consumes:
            visit(dependency)
        order.append(name)

    for name in names:
        visit(name)
    return order


def _in_scope(path: str, prefixes: list[str] | None) -> bool:
    return prefixes is None or any(path.startswith(p) for p in prefixes)


def check_policies(repo: Path, estate: Estate) -> PolicyReport:
    """Run the repo's CUE policies on the resolved estate (PolicyError on violations)."""
    from compiler.policies import check_policies as run_policies  # lazily: cue's runner

    return run_policies(repo, estate.resolved, estate.service_documents, estate.project_document)


def validate(
    repo: Path, with_policies: bool = True, strict: bool = False
) -> tuple[Estate, PolicyReport | None]:
    """Load, validate, resolve and (unless told not to) check policies.

    With `strict`, a warning about the specs fails like an error, before policies run.
    """
    estate = load_estate(repo)
    if strict:
        refuse_warnings(estate.warnings)
    report = check_policies(repo, estate) if with_policies else None
    return estate, report


def refuse_warnings(warnings: Sequence[Diagnostic]) -> None:
    """`--strict`: raise a SpecError (exit 2) carrying every warning as an error."""
    if warnings:
        noun = "warning" if len(warnings) == 1 else "warnings"
        errors = [replace(w, severity=Severity.ERROR) for w in warnings]
        raise SpecError(f"--strict: {len(warnings)} {noun}", errors)


def render(
    repo: Path,
    environments: Sequence[str] = (),
    targets: Sequence[str] = (),
    check: bool = False,
    with_policies: bool = True,
    settings: Mapping[str, Mapping[str, str]] | None = None,
    out_dir: Path | None = None,
    strict: bool = False,
) -> tuple[tuple[Diagnostic, ...], RenderOutcome]:
    """Render the selected environments and targets into rendered/ (or compare, with check).

    `settings` are `--set` overrides; `out_dir` replaces rendered/ as the destination;
    with `strict`, a warning about the specs stops the render before anything is written.
    Returns the warnings about the specs, and what the render did.
    """
    renderers = configured_renderers(settings or {})  # bad settings fail before any work
    partial = bool(environments or targets)
    if out_dir is None:
        out_dir = repo / RENDERED_DIR
    elif out_dir.resolve() != (repo / RENDERED_DIR).resolve():
        check_out_dir(repo, out_dir)
    if not partial:  # inputs and rendered/ both as a render left them: nothing to load
        recalled = input_record.recall(repo, with_policies)
        known = recalled.known
        if known is not None and strict:
            refuse_warnings(known.warnings)
        if known is not None:
            unchanged = unchanged_render(
                known.input_digest,
                known.environments,
                all_pairs(known.environments),
                out_dir,
                settings,
            )
            if unchanged is not None:
                return known.warnings, replace(unchanged, policies=known.policies)
        cache_warnings = (recalled.warning,) if recalled.warning else ()
    else:
        cache_warnings = ()
    estate, report = validate(repo, with_policies, strict)
    resolved = estate.resolved
    targets_of = environment_targets(resolved)
    input_record.remember(
        repo,
        estate.input_files,
        input_record.KnownInputs(resolved.input_digest, targets_of, estate.warnings, report),
    )
    pairs = select_pairs(resolved, environments, targets)
    prefixes = [f"{env}/{target}/" for env, target in pairs] if partial else None
    if not partial:
        unchanged = unchanged_render(resolved.input_digest, targets_of, pairs, out_dir, settings)
        if unchanged is not None:
            return (*cache_warnings, *estate.warnings), replace(unchanged, policies=report)
    with nullcontext() if check else render_lock(out_dir):
        with nullcontext(None) if check else staged_tree(out_dir) as staging:
            produced = stream_render(resolved, pairs, renderers, out_dir, staging)
            digests = {path: seen.digest for path, seen in produced.items()}
            key = render_cache.render_key(resolved.input_digest, pairs, settings or {})
            render_cache.remember(key, digests)
            old_paths = list_tree(out_dir)
            outside = [p for p in old_paths if p != MANIFEST_NAME and not _in_scope(p, prefixes)]
            digests.update(carry_over(out_dir, staging, outside, render_cache.TreeDigests(out_dir)))
            previous_raw = _read_if_present(out_dir / MANIFEST_NAME)
            manifest = next_manifest(
                Manifest.parse(previous_raw) if previous_raw is not None else None,
                digests,
                __version__,
                resolved.input_digest,
                targets_of,
            )
            manifest_raw = manifest.to_bytes()
            added = [path for path, seen in produced.items() if seen.same is None]
            changed = [path for path, seen in produced.items() if seen.same is False]
            if not (check and partial):  # a partial check does not judge the manifest
                if previous_raw is None:
                    added.append(MANIFEST_NAME)
                elif previous_raw != manifest_raw:
                    changed.append(MANIFEST_NAME)
            in_scope = {p for p in old_paths if p != MANIFEST_NAME and _in_scope(p, prefixes)}
            outcome = RenderOutcome(
                render_version=manifest.render_version,
                added=sorted(added),
                changed=sorted(changed),
                removed=sorted(in_scope - produced.keys()),
                files=len(digests) + 1,
                policies=report,
            )
            if staging is not None and outcome.differs:
                write_new_file(f"{staging}/{MANIFEST_NAME}", manifest_raw)
                swap_in(staging, out_dir)
                outcome = replace(outcome, written=True)
        if not partial and (outcome.written or not outcome.differs):
            render_cache.record_tree(out_dir, manifest.files)
    return (*cache_warnings, *estate.warnings), outcome


def _read_if_present(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def environment_targets(resolved: ResolvedEstate) -> dict[str, list[str]]:
    """What the manifest records under `environments`."""
    return {name: list(env.targets) for name, env in resolved.environments.items()}


def all_pairs(environments: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The pairs of a full render (what `select_pairs` gives without a selection)."""
    return [(env, target) for env, targets in environments.items() for target in targets]


def unchanged_render(
    input_digest: str,
    environments: dict[str, list[str]],
    pairs: Sequence[tuple[str, str]],
    out_dir: Path,
    settings: Mapping[str, Mapping[str, str]] | None = None,
) -> RenderOutcome | None:
    """The outcome of a full render that would change nothing, or None.

    `environments` are the targets of each environment (as the manifest records them).
    Found without reading the tree (compiler.output.render_cache.tree_is_current); None
    whenever that cannot be shown, and the caller renders.
    """
    key = render_cache.render_key(input_digest, pairs, settings or {})
    found: list[Manifest] = []

    def manifest_ok(raw: bytes, digests: Mapping[str, str]) -> bool:
        manifest = Manifest.parse(raw)
        ok = (
            manifest is not None
            and manifest.to_bytes() == raw
            and manifest.files == dict(digests)
            and manifest.compiler_version == __version__
            and manifest.input_digest == input_digest
            and manifest.environments == environments
        )
        if ok and manifest is not None:
            found.append(manifest)
        return ok

    if not render_cache.tree_is_current(key, out_dir, manifest_ok):
        return None
    (manifest,) = found
    return RenderOutcome(render_version=manifest.render_version, files=len(manifest.files) + 1)
