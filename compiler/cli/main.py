"""`obsc`: the click group, global options, and the one place exceptions become exit codes.

Exit codes: 0 success; 1 `--check` found differences; 2 invalid spec or usage; 3 policy
violation; 4 environment problem (a disk full or read-only, a path obsc cannot read or
write; for `verify`: an endpoint unreachable); 5 `verify` found a check failing; 70
internal error (traceback only with --debug).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from compiler.cli.context import Options
from compiler.cli.detect_cmd import detect_command
from compiler.cli.diff_cmd import diff_command
from compiler.cli.explain_cmd import explain_command
from compiler.cli.import_cmd import import_command
from compiler.cli.init_cmd import init_command
from compiler.cli.render_cmd import render_command
from compiler.cli.report_cmd import report_command
from compiler.cli.rollback_cmd import rollback_command
from compiler.cli.schema_cmd import schema_command
from compiler.cli.validate_cmd import validate_command
from compiler.cli.verify_cmd import verify_command
from compiler.render.registry import provide as provide_registry
from compiler.version import __version__

if TYPE_CHECKING:
    from compiler.render.contract import Registry

EXIT_INTERNAL = 70


def _targets() -> Registry:
    """The target registry, handed to the compiler here at the top (and only here)."""
    from targets import TARGETS

    return TARGETS


provide_registry(_targets)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="obsc")
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default="the current directory",
    help="The config repository (holds specs/, snapshots/, rendered/).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.option(
    "--output",
    "-o",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Result format; json is for tools and CI.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, repo: Path, quiet: bool, output: str, debug: bool) -> None:
    """Obsc compiles observability specs into deterministic, reviewable config.

    Services, SLOs and PII-redaction policy are declared in specs/*.yaml; obsc validates
    them, merges framework defaults and detection snapshots, and renders collector,
    Prometheus, Grafana, Compose, Helm and GitOps files into rendered/.

    \b
    Exit codes: 0 ok, 1 differences found (--check), 2 invalid spec or usage,
    3 policy violation, 4 environment problem (verify: endpoint unreachable),
    5 verification failed (verify), 6 import skipped something (import), 70 internal error.
    """
    ctx.obj = Options(repo=repo, quiet=quiet, output=output, debug=debug)


for _command in (
    init_command,
    validate_command,
    render_command,
    diff_command,
    explain_command,
    detect_command,
    import_command,
    rollback_command,
    schema_command,
    verify_command,
    report_command,
):
    cli.add_command(_command)


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv


def _json_requested(argv: list[str]) -> bool:
    return any(
        a in ("-ojson", "--output=json")
        or (a in ("-o", "--output") and i + 1 < len(argv) and argv[i + 1] == "json")
        for i, a in enumerate(argv)
    )


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with the contract's exit code; never show a traceback by accident."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        cli.main(args=args, prog_name="obsc", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        sys.exit(_handle_error(exc, args))
    sys.exit(0)


def run() -> NoReturn:
    """The `obsc` program: `main`, then an exit that does not free the heap (gc_control).

    `main` is for in-process callers (tests): it raises SystemExit and frees as usual.
    """
    from compiler import gc_control

    gc_control.exit_fast_requested()
    try:
        main()
    except SystemExit as exc:
        gc_control.exit_now(_exit_status(exc.code))
    gc_control.exit_now(0)  # not reached: main always exits


def _exit_status(code: object) -> int:
    """The process status `sys.exit(code)` gives (a message is printed, as Python does)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    click.echo(str(code), err=True)
    return 1


def _handle_error(exc: Exception, args: list[str]) -> int:
    from compiler.cli.failures import StdoutFailed, environment_failure
    from compiler.errors import ObscError

    if isinstance(exc, OSError):  # the machine refused (disk full, read-only...): exit 4
        exc = environment_failure(exc) or exc
    if isinstance(exc, ObscError) and exc.exit_code != EXIT_INTERNAL:
        from compiler.cli.printing import print_json

        if _json_requested(args) and not isinstance(exc, StdoutFailed):
            print_json(
                {
                    "ok": False,
                    "exitCode": exc.exit_code,
                    "error": str(exc),
                    "diagnostics": [d.as_json() for d in exc.diagnostics],
                }
            )
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.render(), err=True)
        click.echo(f"obsc: {exc}", err=True)
        return exc.exit_code
    if _debug_requested(args):
        traceback.print_exception(exc)
    else:
        click.echo(
            f"obsc: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in obsc. Re-run with --debug for the traceback and report it.",
            err=True,
        )
    return EXIT_INTERNAL
