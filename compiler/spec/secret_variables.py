"""Secret references that would share an environment variable are an error.

A secret given by reference reaches a process as `OBSC_SECRET_<NAME>__<KEY>`
(`compiler.model.SecretRef.variable`): upper-cased, other characters as `_`. Two references
that differ only there (`api-key` and `api_key`, `Key` and `key`, `a--b`/`c` and `a`/`b--c`)
would hand one secret's value to the user of the other, silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.errors import DiagnosticSink
from compiler.model import SecretRef
from compiler.spec.loader import Document, PathKey
from compiler.spec.models import EnvFromSecret
from compiler.spec.paths import spec_path
from compiler.spec.validate import SpecSet


@dataclass(frozen=True, slots=True)
class _Use:
    ref: SecretRef
    document: Document
    path: PathKey


def _uses(specs: SpecSet) -> list[_Use]:
    uses: list[_Use] = []
    for project in specs.projects:
        for i, policy in enumerate(project.model.spec.redaction_policies):
            for j, pattern in enumerate(policy.custom):
                if pattern.secret_ref is not None:
                    ref = SecretRef(name=pattern.secret_ref.name, key=pattern.secret_ref.key)
                    where: PathKey = ("spec", "redactionPolicies", i, "custom", j, "secretRef")
                    uses.append(_Use(ref, project.document, where))
    for framework in specs.frameworks:
        for name, value in framework.model.spec.instrumentation.env.items():
            if isinstance(value, EnvFromSecret):
                ref = SecretRef(name=value.secret_ref.name, key=value.secret_ref.key)
                uses.append(_Use(ref, framework.document, ("spec", "instrumentation", "env", name)))
    return uses


def check_secret_variables(specs: SpecSet, sink: DiagnosticSink) -> None:
    """OBSC202 for every reference whose variable another, different, reference has."""
    first: dict[str, SecretRef] = {}
    for use in _uses(specs):
        seen = first.setdefault(use.ref.variable, use.ref)
        if seen == use.ref:
            continue
        sink.error(
            "OBSC202",
            f"secret {use.ref.name!r} key {use.ref.key!r} and secret {seen.name!r} key "
            f"{seen.key!r} would both be given as {use.ref.variable}",
            use.document.location(use.path),
            spec_path(use.document, use.path),
            hint="rename one secret or key so that they differ in more than case and '-', '.', '_'",
        )
