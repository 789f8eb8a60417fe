"""`obsc verify`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.cli.context import F, options, require_specs
from compiler.cli.printing import print_json

if TYPE_CHECKING:
    from compiler.verify.report import Report

_URL_OPTIONS = (
    ("prometheus", "Prometheus base URL, e.g. http://127.0.0.1:9090."),
    ("alertmanager", "Alertmanager base URL, e.g. http://127.0.0.1:9093."),
    ("loki", "Loki base URL, e.g. http://127.0.0.1:3100."),
    ("tempo", "Tempo HTTP API base URL, e.g. http://127.0.0.1:3200."),
    ("grafana", "Grafana base URL (dashboards and datasources are checked when given)."),
    ("collector", "The collector's OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 (--probe)."),
    (
        "collector-metrics",
        "The collector's own metrics base URL (port 8888); else read through Prometheus.",
    ),
)


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from compiler.verify.durations import seconds_of

    seconds = seconds_of(value)
    if seconds is None:
        raise click.BadParameter(f"{value!r} is not a duration such as 30s, 2m or 1h")
    return seconds


def _url_options(command: F) -> F:
    for name, text in reversed(_URL_OPTIONS):
        command = click.option(f"--{name}", metavar="URL", help=text)(command)
    return command


@click.command("verify")
@click.option("--env", "-e", "environment", required=True, metavar="E", help="The environment.")
@_url_options
@click.option(
    "--probe",
    is_flag=True,
    help="Also send a tagged log record, span and metric point (with a planted PII value) "
    "through --collector and wait until each arrives, masked, in Loki, Tempo and Prometheus.",
)
@click.option(
    "--wait",
    default=None,
    metavar="DURATION",
    callback=_duration,
    help="Re-run failing checks until all pass or DURATION is up (e.g. 2m; default: once; "
    "the probe always waits up to 1m).",
)
@click.option(
    "--timeout",
    default="5s",
    show_default=True,
    metavar="DURATION",
    callback=_duration,
    help="Timeout of each HTTP request.",
)
@click.option(
    "--since",
    default="5m",
    show_default=True,
    metavar="DURATION",
    callback=_duration,
    help="How recent logs, traces and collector failures must be to count.",
)
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="NAME",
    help="Check only this service (repeatable); the probe is sent as the first one.",
)
@click.option(
    "--rendered",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="The rendered tree that was deployed (default: rendered/ of the repo), e.g. the "
    "--out DIR of a local render.",
)
def verify_command(
    environment: str,
    prometheus: str | None,
    alertmanager: str | None,
    loki: str | None,
    tempo: str | None,
    grafana: str | None,
    collector: str | None,
    collector_metrics: str | None,
    probe: bool,
    wait: float | None,
    timeout: float,
    since: float,
    services: tuple[str, ...],
    rendered: Path | None,
) -> None:
    """Check a running environment against what obsc rendered for it.

    Per service: metrics arrive with its `service` label, every SLO's 5m error ratio is a
    number, logs arrive in Loki, traces in Tempo (each only where the framework database
    expects that signal). Per component: Prometheus loaded exactly the rendered rule
    groups and keeps data for the longest SLO window, Alertmanager runs the rendered
    configuration, the Loki ruler has the rendered groups, the collector reports no export
    failures or refused data, Grafana has every rendered dashboard and datasource.

    Endpoints come from the Project (environments[].endpoints, credentials by environment
    variable or file) or from the options above, which win. A check whose endpoint is not
    given is skipped, with the reason.

    \b
    Exit codes: 0 every check passed; 5 a check failed; 4 an endpoint could not be
    reached at all; 2 usage, or rendered/ is stale (run obsc render).
    """
    from compiler.verify import VerifyRequest, verify

    opts = options()
    flags = {
        "prometheus": prometheus,
        "alertmanager": alertmanager,
        "loki": loki,
        "tempo": tempo,
        "grafana": grafana,
        "collector": collector,
        "collector_metrics": collector_metrics,
    }
    request = VerifyRequest(
        repo=require_specs(opts),
        environment=environment,
        rendered=rendered,
        flags=flags,
        services=services,
        probe=probe,
        wait=wait or 0.0,
        timeout=timeout,
        since=since,
    )
    report = verify(request)
    if opts.json:
        print_json(report.as_json())
    else:
        _print_table(report, opts.quiet)
    if report.exit_code:
        raise SystemExit(report.exit_code)


def _print_table(report: Report, quiet: bool) -> None:
    from compiler.verify.report import format_table, table_rows
    from compiler.verify.results import Status

    results = [r for r in report.results if not quiet or r.status is Status.FAIL]
    color = sys.stdout.isatty()
    lines = format_table(table_rows(results))
    colours = {"pass": "green", "fail": "red", "skip": "yellow"}
    click.echo(lines[0])
    for line, result in zip(lines[1:], results, strict=True):
        if color:
            word = result.status.value
            line = line.replace(f"  {word}", "  " + click.style(word, fg=colours[word]), 1)
        click.echo(line)
    click.echo(report.summary(), err=report.exit_code != 0)
