"""Why a fast path was missed: every miss has a kind from this list, and a detail.

`obsc render --explain-cache` prints them (in the manner of `ninja -d explain`); tests assert
them. A new way to miss gets a new kind here, and a line in docs/ARCHITECTURE.md.
"""

from __future__ import annotations

from dataclasses import dataclass

# The inputs (specs, snapshots, the compose file, policies) against their last load.
NO_INPUT_RECORD = "no-input-record"  # nothing recorded for this repository yet
UNREADABLE_RECORD = "unreadable-record"  # a record that is not one this obsc wrote
COMPILER_CHANGED = "compiler-changed"  # recorded by another obsc (any source or data file)
POLICIES_NOT_CHECKED = "policies-not-checked"  # the last load ran without policies
INPUT_ADDED = "input-added"
INPUT_REMOVED = "input-removed"
INPUT_CHANGED = "input-changed"  # its bytes differ (stat changed, or racy and re-read)
INPUT_UNREADABLE = "input-unreadable"
POLICY_CHANGED = "policy-changed"  # a policy file added, removed or edited
POLICY_CHECKER_CHANGED = "policy-checker-changed"  # another cue binary
# rendered/ against the render these inputs give.
PARTIAL_RENDER = "partial-render"  # --env/--target: only a full render is recorded
NO_RENDER_RECORD = "no-render-record"  # no render of these inputs, selection and settings
MANIFEST_CHANGED = "manifest-changed"  # missing, edited, or of another render
OUTPUT_ADDED = "rendered-file-added"  # a file in the tree that the render does not produce
OUTPUT_MISSING = "rendered-file-missing"
OUTPUT_CHANGED = "rendered-file-changed"  # its bytes differ from the render's
# Against git: the tree at a ref is never recorded.
AGAINST_REF = "against-ref"


@dataclass(frozen=True, slots=True)
class Miss:
    """One fast path not taken, and why."""

    kind: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}" if self.detail else self.kind
