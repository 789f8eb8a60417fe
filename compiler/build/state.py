"""`BuildState`: is rendered/ already what a render would make, and if not, why not.

A render asks it twice, once per layer (as git asks its index, then its trees):

1. `check_inputs()`, before anything is loaded: do the inputs have the bytes of the last
   load (compiler.build.inputs)? If so, what that load concluded is known without parsing
   a spec, and
2. `check_output(...)`, with the input digest (recalled, or computed by a load): is the
   tree on disk the render of these inputs, selection and settings
   (compiler.build.outputs)? If so, nothing is rendered.

A render that goes ahead gets the `service_memo()`, so that unchanged services are not
rendered again (compiler.build.services), and at the end `record(...)` writes what it
learned, once. Every answer is kept as a line of `explanation` (`obsc render
--explain-cache`): a fast path taken, or the named reason it was missed
(compiler.build.reasons).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.build import fingerprint, inputs, outputs
from compiler.build.known import KnownInputs
from compiler.build.reasons import PARTIAL_RENDER, Miss
from compiler.build.services import Entry, ServiceRecords
from compiler.build.stat_index import Stat
from compiler.errors import Diagnostic
from compiler.output.manifest import Manifest

if TYPE_CHECKING:  # not at run time: an unchanged build never loads the models
    from compiler.model import ResolvedService


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a load read, for the record: each input file's digest and its stat before."""

    digests: Mapping[str, str]
    stats: Mapping[str, Stat]


@dataclass
class BuildState:
    """The cache's view of one render of `repo` into `out_dir` (see the module docstring)."""

    repo: Path
    out_dir: Path
    settings: Mapping[str, Mapping[str, str]]
    partial: bool  # --env/--target given: only the inputs are recognised, not the tree
    explanation: list[str] = field(default_factory=list)
    warning: Diagnostic | None = None  # the inputs record could not be used (OBSC020)
    _memo: ServiceRecords | None = None

    def check_inputs(self, with_policies: bool) -> KnownInputs | None:
        """What the last load concluded, when every input still has its bytes."""
        recalled = inputs.recall(self.repo, with_policies)
        self.warning = recalled.warning
        if recalled.known is None:
            self._explain("inputs", recalled.miss)
        else:
            again = f", {recalled.reread} re-read and found the same" if recalled.reread else ""
            self.explanation.append(f"inputs: unchanged since the last load{again}")
        return recalled.known

    def check_output(
        self,
        input_digest: str,
        environments: Mapping[str, list[str]],
        pairs: Sequence[tuple[str, str]],
    ) -> Manifest | None:
        """The tree's manifest when the tree is exactly this render; else None."""
        if self.partial:
            self._explain(self._shown, Miss(PARTIAL_RENDER))
            return None
        current = outputs.current_render(
            input_digest, environments, pairs, self.out_dir, self.settings
        )
        if current.manifest is None:
            self._explain(self._shown, current.miss)
            return None
        again = f", {current.reread} re-read and found the same" if current.reread else ""
        self.explanation.append(
            f"{self._shown}: already this render (v{current.manifest.render_version}); "
            f"nothing to render{again}"
        )
        return current.manifest

    def service_memo(
        self, digests: Mapping[int, tuple[ResolvedService, str]] | None = None
    ) -> ServiceRecords:
        """What vouches for services rendered into this tree before.

        `digests`: models whose digests are known already, by id (ServiceRecords).
        """
        if self._memo is None:
            self._memo = ServiceRecords(self.out_dir, digests or {})
        return self._memo

    def record(
        self,
        loaded: Loaded | None,
        known: KnownInputs,
        pairs: Sequence[tuple[str, str]],
        digests: Mapping[str, str] | None,
        entries: Mapping[str, Mapping[str, Entry]],
        reused: int,
        tree: Mapping[str, str] | None,
    ) -> None:
        """Record what this render learned, once, at its end (each part best effort).

        `loaded` is what the load read, None when it resolved only some environments (its
        conclusions are not a whole load's: the inputs record keeps the last whole one);
        `digests` are the files the render produced (None: not a full render); `entries`
        the services it rendered or took from the tree (`reused` of them); `tree` the
        files of the tree now on disk, when it is exactly this render's.
        """
        if loaded is not None:
            inputs.remember(self.repo, loaded.digests, loaded.stats, known)
        if digests is not None:
            key = fingerprint.render_key(known.input_digest, pairs, self.settings)
            outputs.remember_render(key, digests)
        total = sum(len(keys) for keys in entries.values())
        if self._memo is not None:
            self._memo.save(entries)
        if total:
            self.explanation.append(
                f"services: {reused} of {total} taken from {self._shown} unchanged, "
                f"{total - reused} rendered"
            )
        if tree is not None:
            outputs.record_tree(self.out_dir, tree)

    @property
    def _shown(self) -> str:
        return "rendered/" if self.out_dir == self.repo / "rendered" else f"{self.out_dir}/"

    def _explain(self, layer: str, miss: Miss | None) -> None:
        self.explanation.append(f"{layer}: stale, because {miss}")
