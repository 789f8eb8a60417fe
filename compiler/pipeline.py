"""The one orchestrator: check state -> load -> policies -> render -> manifest -> swap -> record.

`build(request)` is every command that renders: `render` writes the result, `render --check`
only compares it, and `obsc diff` is the same build asked to keep the files that changed,
which it then compares field by field (compiler.gitops.diff). Each stage collects every
diagnostic it finds and raises once; nothing is written unless every stage before the swap
succeeded, so a failed render leaves rendered/ untouched.

The incremental build (compiler.build) is asked whether the inputs and then the tree are
already what this build would make, before any stage runs, and told once at the end what
the build made; the render engine (compiler.render) renders, knowing nothing of caches.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.build.known import KnownInputs
from compiler.build.outputs import tree_index
from compiler.build.stat_index import Stat, stat_of
from compiler.build.state import BuildState, Loaded
from compiler.errors import Diagnostic, DiagnosticSink, Severity, SpecError, UsageError
from compiler.gc_control import cyclic_gc_paused, keep_until_exit
from compiler.output.manifest import MANIFEST_NAME, Manifest, file_digest, next_manifest
from compiler.output.out_dir import check_out_dir
from compiler.output.sink import Copied, Keep, TreeSink, write_new_file
from compiler.output.writer import carry_over, list_tree, render_lock, staged_tree, swap_in
from compiler.render.registry import registry
from compiler.spec.files import (
    SPEC_FOLDERS,
    UnreadableInput,
    list_spec_folders,
    read_input,
    report_unreadable,
)
from compiler.spec.loader import MAX_FILE_BYTES, Document, load_bytes
from compiler.version import __version__

# Loading specs and rendering import pydantic's models, the framework database and the
# renderers: 0.3 s that a build of an unchanged repository, recognised from the cache
# alone, does not need. Those imports are made where the work is (tests/test_cli.py).
if TYPE_CHECKING:
    from compiler.frameworks import FrameworkEntry
    from compiler.model import EnvironmentModel, ResolvedEstate, ResolvedService
    from compiler.output.sink import Produced
    from compiler.policies import PolicyCheck, PolicyReport
    from compiler.render.contract import RendererFn
    from compiler.render.runner import OnUnitDone
    from compiler.spec.validate import SpecSet

RENDERED_DIR = "rendered"
Settings = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Estate:
    """A validated, resolved estate and the warnings found on the way."""

    resolved: ResolvedEstate
    warnings: tuple[Diagnostic, ...]
    documents: int
    service_documents: dict[str, Document]
    project_document: Document
    inputs: Loaded  # every file the estate was built from (repo-relative)
    # Every environment the Project declares, with its targets (what the manifest records),
    # including those left unresolved by `load_estate(repo, environments)`.
    environment_targets: dict[str, list[str]]
    every_environment: bool  # all of them were resolved (and cross-checked)
    cache_warnings: tuple[Diagnostic, ...] = ()  # cache records ignored (OBSC020): not inputs'
    # The digests of services' models known from the resolve records, by the model's id
    # (compiler.build.resolved): the render's service keys need them.
    model_digests: Mapping[int, tuple[ResolvedService, str]] = field(default_factory=dict)


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
    explanation: tuple[str, ...] = ()  # why the cache was or was not used (--explain-cache)

    @property
    def differs(self) -> bool:
        """Whether rendered/ is (or was) out of date."""
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class BuildRequest:
    """One build: what to render, where, and what to do with the result."""

    repo: Path
    environments: Sequence[str] = ()
    targets: Sequence[str] = ()
    check: bool = False  # compare with the tree only; write nothing
    with_policies: bool = True
    settings: Settings = field(default_factory=dict)
    out_dir: Path | None = None  # default: <repo>/rendered
    strict: bool = False  # a warning about the specs fails like an error
    keep: Keep = Keep.NONE  # which produced files to hand back with their bytes
    on_unit_done: OnUnitDone | None = None  # progress: (done, total, "<env>/<target>")


@dataclass(frozen=True, slots=True)
class Build:
    """What a build found: warnings about the specs, the outcome, and the files kept."""

    warnings: tuple[Diagnostic, ...]
    outcome: RenderOutcome
    pairs: list[tuple[str, str]]
    kept: dict[str, bytes]  # rendered/-relative path -> bytes, as `request.keep` says
    # Of kept files: byte runs copied from the file on disk (compiler.output.sink.Copied)
    copied: dict[str, Copied] = field(default_factory=dict)


def build(request: BuildRequest) -> Build:
    """Render what `request` selects (see the module docstring)."""
    if request.settings:  # bad settings fail before any work
        from compiler.render import settings as target_options

        target_options.configured_renderers(registry(), request.settings)
    out_dir = _destination(request.repo, request.out_dir)
    partial = bool(request.environments or request.targets)
    state = BuildState(request.repo, out_dir, request.settings, partial)
    # 1. check state: inputs as last loaded, and the tree already their render?
    known = None if partial else state.check_inputs(request.with_policies)
    checked_digest = None
    if known is not None:
        if request.strict:
            refuse_warnings(known.warnings)
        pairs = all_pairs(known.environments)
        manifest = state.check_output(known.input_digest, known.environments, pairs)
        if manifest is not None:
            return _fresh(known.warnings, manifest, known.policies, pairs, state)
        checked_digest = known.input_digest
    warnings = (state.warning,) if state.warning is not None else ()
    # 2. load (resolving only the environments asked for) and 3. policies, which cue checks
    # in the background while the render goes on: the verdict is awaited before anything is
    # recorded or swapped in, and a violation is reported before any later failure
    estate = load_estate(request.repo, request.environments)
    if request.strict:
        refuse_warnings(estate.warnings)
    checking = start_policy_check(request.repo, estate) if request.with_policies else None
    with policies_first(checking):
        resolved = estate.resolved
        warnings = (*warnings, *estate.cache_warnings, *estate.warnings)
        pairs = select_pairs(estate.environment_targets, request.environments, request.targets)
        if resolved.input_digest != checked_digest:
            environments = estate.environment_targets
            manifest = state.check_output(resolved.input_digest, environments, pairs)
            if manifest is not None:
                known = _known(estate, checking)
                state.record(_loaded(estate), known, pairs, None, {}, 0, None)
                return _fresh(warnings, manifest, known.policies, pairs, state)
        # 4. render, 5. manifest, 6. swap, 7. record (under the lock: the tree recorded is ours)
        from compiler.render import engine  # not before: an unchanged repository renders nothing
        from compiler.render import settings as target_options

        targets = registry()  # nor imports the targets (only those it renders, from here)
        needed = engine.targets_needed(targets, pairs)
        renderers = target_options.configured_renderers(targets, request.settings, needed)
        memo = state.service_memo(estate.model_digests) if request.keep is not Keep.ALL else None
        with nullcontext() if request.check else render_lock(out_dir):
            with nullcontext(None) if request.check else staged_tree(out_dir) as staging:
                sink = functools.partial(TreeSink, out_dir, staging, request.keep)
                rendered = engine.render_pairs(
                    resolved,
                    pairs,
                    targets,
                    renderers,
                    sink=sink,
                    memo=memo,
                    on_unit_done=request.on_unit_done,
                )
                known = _known(estate, checking)
                outcome, manifest = _settle(out_dir, staging, rendered.files, partial, pairs, known)
            full_tree = not partial and (outcome.written or not outcome.differs)
            state.record(
                _loaded(estate),
                known,
                pairs,
                None if partial else {path: seen.digest for path, seen in rendered.files.items()},
                rendered.entries,
                rendered.reused,
                manifest.files if full_tree else None,
            )
    kept = {p: seen.content for p, seen in rendered.files.items() if seen.content is not None}
    copied = {p: seen.copied for p, seen in rendered.files.items() if seen.copied is not None}
    outcome = replace(outcome, policies=known.policies, explanation=tuple(state.explanation))
    return Build(warnings, outcome, pairs, kept, copied)


def _known(estate: Estate, checking: PolicyCheck | None) -> KnownInputs:
    """What this build concluded about its inputs, the policy verdict included (awaited)."""
    report = checking.result() if checking is not None else None
    resolved = estate.resolved
    return KnownInputs(resolved.input_digest, estate.environment_targets, estate.warnings, report)


@contextmanager
def policies_first(checking: PolicyCheck | None) -> Iterator[None]:
    """A failure while the policy check runs yields to a policy violation, if cue finds one.

    So a build reports what it reported when the check ran before everything else.
    """
    try:
        yield
    except Exception:
        if checking is not None:
            checking.result()
        raise


def render(
    repo: Path,
    environments: Sequence[str] = (),
    targets: Sequence[str] = (),
    check: bool = False,
    with_policies: bool = True,
    settings: Settings | None = None,
    out_dir: Path | None = None,
    strict: bool = False,
) -> tuple[tuple[Diagnostic, ...], RenderOutcome]:
    """Render the selected environments and targets into rendered/ (or compare, with check).

    `settings` are `--set` overrides; `out_dir` replaces rendered/ as the destination;
    with `strict`, a warning about the specs stops the render before anything is written.
    Returns the warnings about the specs, and what the render did.
    """
    request = BuildRequest(
        repo, environments, targets, check, with_policies, settings or {}, out_dir, strict
    )
    built = build(request)
    return built.warnings, built.outcome


def _loaded(estate: Estate) -> Loaded | None:
    """What the load read, for the inputs record; None when it resolved only some.

    The warnings and policy report of such a load are not a whole load's, and a later
    render of everything must not take them for one.
    """
    return estate.inputs if estate.every_environment else None


def _destination(repo: Path, out_dir: Path | None) -> Path:
    if out_dir is None or out_dir.resolve() == (repo / RENDERED_DIR).resolve():
        return repo / RENDERED_DIR
    check_out_dir(repo, out_dir)
    return out_dir


def _fresh(
    warnings: Sequence[Diagnostic],
    manifest: Manifest,
    policies: PolicyReport | None,
    pairs: list[tuple[str, str]],
    state: BuildState,
) -> Build:
    """The build of a tree that already is the render: nothing rendered, nothing kept."""
    outcome = RenderOutcome(
        render_version=manifest.render_version,
        files=len(manifest.files) + 1,
        policies=policies,
        explanation=tuple(state.explanation),
    )
    return Build(tuple(warnings), outcome, pairs, {})


def _settle(
    out_dir: Path,
    staging: Path | None,
    produced: Mapping[str, Produced],
    partial: bool,
    pairs: Sequence[tuple[str, str]],
    known: KnownInputs,
) -> tuple[RenderOutcome, Manifest]:
    """Carry over what a partial render keeps, write the manifest, and swap the tree in.

    Without `staging` (a check) only the outcome is worked out.
    """
    prefixes = [f"{env}/{target}/" for env, target in pairs] if partial else None
    digests = {path: seen.digest for path, seen in produced.items()}
    old_paths = list_tree(out_dir)
    outside = [p for p in old_paths if p != MANIFEST_NAME and not _in_scope(p, prefixes)]
    if outside:  # a partial render keeps these; their digests are mostly in the tree's index
        digests.update(carry_over(out_dir, staging, outside, tree_index(out_dir).digest))
    previous_raw = _read_if_present(out_dir / MANIFEST_NAME)
    manifest = next_manifest(
        Manifest.parse(previous_raw) if previous_raw is not None else None,
        digests,
        __version__,
        known.input_digest,
        known.environments,
    )
    manifest_raw = manifest.to_bytes()
    added = [path for path, seen in produced.items() if seen.same is None]
    changed = [path for path, seen in produced.items() if seen.same is False]
    if not (staging is None and partial):  # a partial check does not judge the manifest
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
    )
    if staging is not None and outcome.differs:
        write_new_file(f"{staging}/{MANIFEST_NAME}", manifest_raw)
        swap_in(staging, out_dir)
        outcome = replace(outcome, written=True)
    return outcome, manifest


def _in_scope(path: str, prefixes: list[str] | None) -> bool:
    return prefixes is None or any(path.startswith(p) for p in prefixes)


def _read_if_present(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


# --- Load, validate, resolve, policies ------------------------------------------------------


def load_estate(repo: Path, environments: Collection[str] = ()) -> Estate:
    """Load, validate and resolve the specs of `repo`; raises SpecError with every defect.

    With `environments` (`render --env`), every file is still loaded and validated, but
    only those environments are resolved and cross-checked: a defect that exists only in
    another one is not reported (`obsc validate` and a render of everything report it).
    An unknown name is a UsageError, raised once the files are valid.

    The estate is built with the cyclic GC paused and then frozen out of it (compiler.
    gc_control): its collections over the model took half of resolving 10,000 services, and
    later ones made reading a large render record 30 times slower.
    """
    with cyclic_gc_paused(freeze_after=True):
        estate = _load_estate(repo, environments)
    keep_until_exit(estate)  # freeing it took 0.45 s of a diff at 10,000 services
    return estate


def _load_estate(repo: Path, environments: Collection[str]) -> Estate:
    from compiler.build.resolved import records_for as resolved_records
    from compiler.frameworks import BUILTIN_PREFIX, build_database, load_builtin_frameworks
    from compiler.resolve import read_user_compose, resolve_estate

    sink = DiagnosticSink()
    digest = hashlib.sha256(f"obsc {__version__}\n".encode())
    read: list[tuple[str, bytes]] = []
    digests: dict[str, str] = {}
    stats: dict[str, Stat] = {}
    listing = list_spec_folders(repo, SPEC_FOLDERS)
    for problem in listing.unreadable:
        display = Path(problem.path).relative_to(repo).as_posix()
        report_unreadable(problem, display, sink, is_file=False)
    for path in listing.files:
        display = path.relative_to(repo).as_posix()
        try:
            stats[display] = stat_of(str(path))  # before reading: a later write changes it
            raw = read_input(path, MAX_FILE_BYTES, root=repo)
        except UnreadableInput as problem:
            report_unreadable(problem, display, sink)
            continue
        except OSError:  # vanished since listed: read_input says how
            stats.pop(display, None)
            continue
        digests[display] = file_digest(raw)
        digest.update(f"{display}\n{len(raw)}\n".encode())
        digest.update(raw)
        read.append((display, raw))
    specs, documents, cache_warnings = _spec_set(read, sink)
    builtin = load_builtin_frameworks(sink)
    for parsed in builtin:
        digest.update(BUILTIN_PREFIX.encode() + parsed.model.model_dump_json().encode())
    frameworks = build_database(builtin, specs.frameworks)
    references = _references_checked(specs, frameworks, speculate=not sink.errors)
    if sink.errors:  # a file failed already: nothing to resolve meanwhile
        sink.extend(references())
        sink.raise_if_errors("validate")
    # Meanwhile (in a forked process, for a large estate) the estate is resolved as if the
    # references were sound: any finding of theirs, or failure here, is then reported as
    # it was when they were checked first (compiler.render.runner.in_child).
    later = DiagnosticSink()
    try:
        declared = {
            env.name: list(env.targets) for env in specs.projects[0].model.spec.environments
        }
        check_environments(environments, declared)
        user_compose = read_user_compose(repo, specs.projects[0], later)
        if user_compose is not None:  # the user's compose file is an input too
            digest.update(f"compose {user_compose.file}\n{len(user_compose.raw)}\n".encode())
            digest.update(user_compose.raw)
            digests[user_compose.file] = file_digest(user_compose.raw)
        input_digest = "sha256:" + digest.hexdigest()
        compose_digest = "" if user_compose is None else digests[user_compose.file]
        memo = resolved_records(specs, digests, compose_digest)
        resolved = resolve_estate(
            specs, frameworks, input_digest, later, user_compose, environments, memo
        )
    except Exception:
        sink.extend(references())
        sink.raise_if_errors("validate")
        raise
    sink.extend(references())
    sink.raise_if_errors("validate")
    sink.extend(later.items)
    sink.raise_if_errors("resolve")
    memo.save()
    cache_warnings = (*cache_warnings, *memo.warnings)
    return Estate(
        resolved,
        tuple(sink.warnings),
        documents,
        {p.model.metadata.name: p.document for p in specs.services},
        specs.projects[0].document,
        Loaded(digests, stats),
        declared,
        every_environment=set(environments) in (set(), set(declared)),
        cache_warnings=cache_warnings,
        model_digests=memo.digests,
    )


CHECK_APART_FROM = 1000  # services; below this a forked process costs more than it saves


def _references_checked(
    specs: SpecSet, frameworks: dict[str, FrameworkEntry], speculate: bool
) -> Callable[[], list[Diagnostic]]:
    """The findings of the estate-wide checks (crossref), made meanwhile when worth it.

    They read the specs alone and took 0.3-0.5 s at 10,000 services, while resolving takes
    longer on the other CPU's behalf: with `speculate` and a large estate they run in a
    forked process (OBSC_JOBS=1 keeps them here).
    """
    from compiler.render.runner import in_child, job_count
    from compiler.spec.crossref import check_references

    targets = available_targets()

    def check() -> list[Diagnostic]:
        found = DiagnosticSink()
        check_references(specs, frameworks, targets, found)
        return found.items

    jobs = job_count(len(specs.services), CHECK_APART_FROM) if speculate else 1
    return in_child(check, jobs)


def _spec_set(
    files: Sequence[tuple[str, bytes]], sink: DiagnosticSink
) -> tuple[SpecSet, int, tuple[Diagnostic, ...]]:
    """The valid documents of `files` (display name, bytes), their count, records ignored.

    A file parsed and validated before without a diagnostic is taken from its record
    (compiler.build.spec_files); the others are parsed, then validated, in file order as
    before, so diagnostics come in the same order; those that report nothing are recorded.
    """
    from compiler.build import spec_files
    from compiler.spec.validate import SpecSet, validate_documents

    ignored: list[Diagnostic] = []
    # (bytes, the documents recalled, else those parsed and whether the parse was silent)
    loaded: list[tuple[bytes, spec_files.Validated | None, list[Document], bool]] = []
    for display, raw in files:
        recalled = spec_files.recall(raw, display)
        if recalled.warning is not None:
            ignored.append(recalled.warning)
        if recalled.documents is not None:
            loaded.append((raw, recalled.documents, [], True))
            continue
        before = len(sink.items)
        documents = load_bytes(raw, display, sink)
        loaded.append((raw, None, documents, len(sink.items) == before))
    specs, count = SpecSet(), 0
    for raw, validated, documents, silent in loaded:
        for document, model in validated or ():
            specs.add(model, document)
        count += len(validated or documents)
        before = len(sink.items)
        validate_documents(documents, sink, specs)
        if validated is None and silent and len(sink.items) == before:
            spec_files.remember(raw, documents)
    return specs, count, tuple(ignored)


def check_policies(repo: Path, estate: Estate) -> PolicyReport:
    """Run the repo's CUE policies on the resolved estate (PolicyError on violations)."""
    return start_policy_check(repo, estate).result()


def start_policy_check(repo: Path, estate: Estate) -> PolicyCheck:
    """Start the policy check (compiler.policies.start_policies); `result()` finishes it."""
    from compiler.policies import start_policies  # lazily: cue's runner

    return start_policies(repo, estate.resolved, estate.service_documents, estate.project_document)


def validate(
    repo: Path,
    with_policies: bool = True,
    strict: bool = False,
    environments: Collection[str] = (),
) -> tuple[Estate, PolicyReport | None]:
    """Load, validate, resolve and (unless told not to) check policies.

    With `strict`, a warning about the specs fails like an error, before policies run.
    With `environments`, only those are resolved and checked (see `load_estate`).
    """
    estate = load_estate(repo, environments)
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


# --- Selections and settings ----------------------------------------------------------------


def available_targets() -> dict[str, tuple[str, ...]]:
    """Every target by name, with the targets whose output it packages."""
    from compiler.render.contract import consumes_of

    targets = registry()
    return {name: consumes_of(targets, name) for name in sorted(targets)}


def check_environments(environments: Iterable[str], declared: Mapping[str, Sequence[str]]) -> None:
    """A UsageError for the first name in `environments` that the Project does not declare."""
    for env in environments:
        if env not in declared:
            from compiler.spec.validate import did_you_mean

            raise UsageError(
                f"unknown environment {env!r} (known: {', '.join(declared)}). "
                + did_you_mean(env, list(declared))
            )


def select_pairs(
    declared: Mapping[str, Sequence[str]], environments: Sequence[str], targets: Sequence[str]
) -> list[tuple[str, str]]:
    """The (environment, target) pairs to render, checking the names asked for.

    `declared` is every environment with its targets (`Estate.environment_targets`).
    """
    check_environments(environments, declared)
    available = available_targets()
    for target in targets:
        if target not in available:
            from compiler.spec.validate import did_you_mean

            raise UsageError(
                f"unknown target {target!r} (available: {', '.join(available)}). "
                + did_you_mean(target, available)
            )
    pairs = [
        (env_name, target)
        for env_name, env_targets in declared.items()
        if not environments or env_name in environments
        for target in env_targets
        if not targets or target in targets
    ]
    if not pairs:
        raise UsageError("no environment renders the selected targets; nothing to do")
    return pairs


def environment_targets(resolved: ResolvedEstate) -> dict[str, list[str]]:
    """The targets of each environment of `resolved` (all of them, when it resolved all)."""
    return {name: list(env.targets) for name, env in resolved.environments.items()}


def all_pairs(environments: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The pairs of a full render (what `select_pairs` gives without a selection)."""
    return [(env, target) for env, targets in environments.items() for target in targets]


def target_settings() -> list[tuple[str, str]]:
    """Every `--set` key (`target.key`) with its help text."""
    from compiler.render import settings as target_options

    return target_options.target_settings(registry())


def parse_settings(assignments: Sequence[str]) -> dict[str, dict[str, str]]:
    """`--set TARGET.KEY=VALUE` values grouped by target, checked against what targets accept."""
    if not assignments:  # the common case: no --set, and nothing of the targets to import
        return {}
    from compiler.render import settings as target_options

    return target_options.parse_settings(registry(), assignments)


def configured_renderers(settings: Settings) -> dict[str, RendererFn]:
    """Every target's renderer, with `--set` overrides applied where given."""
    from compiler.render import settings as target_options

    return target_options.configured_renderers(registry(), settings)


def render_files(
    resolved: ResolvedEstate,
    pairs: Iterable[tuple[str, str]],
    renderers: Mapping[str, RendererFn] | None = None,
) -> dict[str, bytes]:
    """Every file of `pairs` in memory, by rendered/-relative path (compiler.render.engine)."""
    from compiler.render import engine

    targets = registry()
    chosen = renderers if renderers is not None else configured_renderers({})
    return engine.render_files(resolved, pairs, targets, chosen)


def render_environment(
    model: EnvironmentModel, names: Sequence[str], renderers: Mapping[str, RendererFn]
) -> dict[str, bytes]:
    """The files of `names` for one environment (`<target>/<file>`), consumed targets first."""
    from compiler.render import units

    return units.render_environment(model, names, registry(), renderers)
