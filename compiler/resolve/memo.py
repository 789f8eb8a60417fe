"""What may recall services resolved before (compiler.build.resolved.ResolvedRecords).

Resolve knows nothing of the cache directory: it asks a memo, when given one, for a service
before resolving it, and tells it what each service resolved to and which files' services
reported a diagnostic.
"""

from __future__ import annotations

from typing import Literal, Protocol

from compiler.model import ResolvedService

DISABLED: Literal["disabled"] = "disabled"  # a service switched off in an environment


class ResolveMemo(Protocol):
    """Recalls and keeps resolved services by spec file, environment and service name."""

    def recall(
        self, file: str, environment: str, service: str
    ) -> ResolvedService | Literal["disabled"] | None:
        """The service as resolved before, DISABLED, or None to resolve it."""

    def keep(
        self, file: str, environment: str, service: str, resolved: ResolvedService | None
    ) -> None:
        """What the service resolved to (None: switched off in the environment)."""

    def spoke(self, file: str) -> None:
        """A service of `file` reported a diagnostic while it was resolved."""
