"""`obsc detect`."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli.context import options
from compiler.cli.printing import print_json, say
from compiler.cli.progress import ProgressReporter


@click.command("detect")
@click.option(
    "--compose",
    "compose",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A docker-compose file (build contexts are read too).",
)
@click.option(
    "--inspect",
    "inspect",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="`docker inspect` JSON of one or many containers.",
)
@click.option(
    "--k8s",
    "k8s",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Kubernetes manifests: a file (multi-document) or a directory.",
)
@click.option(
    "--source",
    "source",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="A source directory (dependency manifests, Dockerfile, entry points).",
)
@click.option(
    "--namespace",
    "-n",
    "namespaces",
    multiple=True,
    metavar="NAME",
    help="With --k8s: only workloads of this namespace (repeatable). Workloads without "
    "metadata.namespace are always read: they go wherever they are applied.",
)
@click.option(
    "--all-namespaces",
    "-A",
    "all_namespaces",
    is_flag=True,
    help="With --k8s: workloads of every namespace (the default without --namespace).",
)
@click.option("--write", is_flag=True, help="Write snapshots/<service>.yaml into the repo.")
@click.option("--force", is_flag=True, help="With --write: overwrite hand-edited snapshots.")
def detect_command(
    compose: Path | None,
    inspect: Path | None,
    k8s: Path | None,
    source: Path | None,
    namespaces: tuple[str, ...],
    all_namespaces: bool,
    write: bool,
    force: bool,
) -> None:
    """Find frameworks, languages and infrastructure without running anything.

    Reads exactly one input and scores every service against the framework database's
    weighted signatures. A service gets a framework only when the evidence is confident
    (>= 0.5) and clearly ahead of the runner-up; otherwise it is `generic` with its
    language. Infrastructure (postgres, redis, ...) is named with the exporter to scrape.
    Environment variable values are never read into the output.

    Compose services are read from the stage `build.target` builds and from the sources
    of their build context. Kubernetes input may be manifests, `kubectl get -o yaml`
    output or `helm template` output; workloads labelled `obsc.dev/ignore: "true"` are
    left out (compose services too), and `prometheus.io/*` annotations are reported.

    \b
    Examples:
      obsc detect --compose docker-compose.yml
      obsc -o json detect --k8s deploy/
      kubectl get deploy,sts -A -o yaml > cluster.yaml
      obsc detect --k8s cluster.yaml --namespace shop
      obsc detect --source ./app --write
    """
    from compiler.detect import InputKind, detect
    from compiler.errors import UsageError

    choices: tuple[tuple[InputKind, Path | None], ...] = (
        ("compose", compose),
        ("inspect", inspect),
        ("k8s", k8s),
        ("source", source),
    )
    given = [(kind, path) for kind, path in choices if path is not None]
    if len(given) != 1:
        raise UsageError("give exactly one of --compose, --inspect, --k8s or --source")
    if force and not write:
        raise UsageError("--force only makes sense with --write")
    if (namespaces or all_namespaces) and k8s is None:
        raise UsageError("--namespace and --all-namespaces only make sense with --k8s")
    if namespaces and all_namespaces:
        raise UsageError("give --namespace or --all-namespaces, not both")
    opts = options()
    kind, path = given[0]
    with ProgressReporter.for_command("detect", opts.quiet) as progress:
        detections = detect(
            kind, path, namespaces=frozenset(namespaces), on_unit_done=progress.on_unit_done
        )
    results = []
    if write:
        from compiler.detect.snapshots import write_snapshots

        results = write_snapshots(detections, opts.repo / "snapshots", force)
        for result in results:
            if result.status == "kept":
                click.echo(
                    f"kept {result.path}: edited by hand (pass --force to overwrite it)", err=True
                )
    for d in detections:
        for warning in d.warnings:
            click.echo(f"warning: {d.service}: {warning}", err=True)
    if opts.json:
        print_json([d.as_json() for d in detections])
        return
    for d in detections:
        version = f" {d.version}" if d.version else ""
        where = f" [namespace {d.namespace}]" if d.namespace else ""
        say(
            f"{d.service}{where}: {d.framework}{version} ({d.language}) "
            f"confidence {d.confidence:g}",
            opts,
        )
        for line in d.evidence:
            say(f"  - {line}", opts)
    for result in results:
        if result.status != "kept":
            say(f"{result.status} {result.path}", opts)
