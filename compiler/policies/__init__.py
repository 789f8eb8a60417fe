"""Policies: organisation rules in CUE, checked by `cue vet` against the resolved model.

`cue vet` unifies schemas/model.cue (the exported model's closed definitions), every
policies/*.cue file and an environment's exported model. Errors are translated into
diagnostics at the spec line that set the offending value; a service's `spec.waivers` entry
turns a violation of the named rule into a reported waiver.

When every policy file constrains one service at a time (compiler.policies.classify), the
services are vetted in chunks, in parallel, and each service's errors are cached
(compiler.policies.chunked); otherwise each environment is vetted whole. Either way the
errors are those of one whole-environment `cue vet`, in its order. `start_policies` starts
the cue processes and returns; the render runs meanwhile (compiler.pipeline), and the
check's `result()` is awaited before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler.policies.verdict import PolicyReport, Waived
from compiler.spec.files import POLICY_DIR, policy_files

if TYPE_CHECKING:  # at run time from compiler.policies.check, when first asked (below)
    from compiler.policies.check import (
        PolicyCheck,
        check_policies,
        model_cue_path,
        start_policies,
    )

__all__ = [
    "POLICY_DIR",
    "PolicyCheck",
    "PolicyReport",
    "Waived",
    "check_policies",
    "model_cue_path",
    "policy_files",
    "start_policies",
]


def __getattr__(name: str) -> Any:
    """The check's names in `__all__`, imported on first use (compiler.policies.check).

    Any other name is a submodule for the import system to find.
    """
    if name not in __all__:
        raise AttributeError(f"module 'compiler.policies' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module("compiler.policies.check"), name)
