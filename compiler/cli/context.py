"""Options shared by every command, declared once and carried in click's context object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Options:
    """Global options: where the repo is and how to talk."""

    repo: Path
    quiet: bool
    output: str
    debug: bool

    @property
    def json(self) -> bool:
        """Whether results are printed as JSON."""
        return self.output == "json"


def options() -> Options:
    """The global options of the running command."""
    ctx = click.get_current_context()
    found = ctx.find_object(Options)
    if found is None:  # pragma: no cover - the group always sets it
        raise click.UsageError("internal: global options missing")
    return found


def require_specs(opts: Options) -> Path:
    """The repo directory, after checking it holds specs/."""
    from compiler.errors import UsageError

    repo = opts.repo
    if not (repo / "specs").is_dir():
        raise UsageError(
            f"no specs/ directory in {repo}: run obsc in a config repo or pass --repo DIR"
        )
    return repo


def env_option(help_text: str) -> Callable[[F], F]:
    """The repeatable `--env/-e E` option, passed to the command as `environments`."""
    return click.option("--env", "-e", "environments", multiple=True, metavar="E", help=help_text)


def strict_option() -> Callable[[F], F]:
    """`--strict`: a warning about the specs fails like an error (exit 2)."""
    return click.option(
        "--strict",
        is_flag=True,
        help="Treat warnings about the specs as errors (exit 2), e.g. in CI.",
    )


def no_policies_option() -> Callable[[F], F]:
    """`--no-policies`: skip the CUE policy check (for emergencies; said loudly)."""
    return click.option(
        "--no-policies",
        is_flag=True,
        help="Skip the policy check in policies/ (emergencies only; a warning says so).",
    )
