"""Hostile text in every free-text and name field: rejected (exit 2), or accepted by real tools.

Hypothesis builds small estates (a Project, a service on a built-in framework, a service on
a user Framework with an exporter) and puts strings full of quotes, braces, `{{`, `${`,
`#`, newlines, control and non-ASCII characters, or very long names into a few fields of
each. `obsc render` must either refuse the estate as a spec error (exit 2, no traceback,
never 70) or render files that the upstream tools accept. Beside the random examples, a
corpus puts each known-nasty value into every text field that validation takes at once, and
a few values whose shape is the problem (a `groupBy` of `...` and a label, a 55-character
infrastructure name, a tag that contradicts the version) must be refused or pass.

The examples are rendered one tree each; every tool then runs once over all trees where it
takes several files (promtool, amtool, kubeconform) and once per distinct file where it
does not (otelcol, lokitool, helm; compose once per tree), as many at once as there are
CPUs. Label values and object names, which the API server checks but kubeconform's schemas
do not, are checked here. A fixed number of derandomized examples keeps CI reproducible.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from compiler.cli.main import main
from compiler.errors import DiagnosticSink, SpecError
from compiler.frameworks import load_builtin_frameworks
from compiler.pipeline import load_estate
from tests.compose.tools import compose
from tests.kube import helm_lint, helm_template, kubeconform, kubernetes_schemas, objects
from tests.realtools import require_tool

EXAMPLES = 80
SPEC_ERROR = 2
USER_COMPOSE = "deploy/docker-compose.yml"

_PIECES = [
    "'",
    '"',
    "{",
    "}",
    "{{",
    "}}",
    "{{ .Labels }}",
    "${",
    "${env:HOME}",
    "${file:/etc/hostname}",
    "$HOME",
    "$$",
    "$",
    "#",
    " # ",
    "\n",
    "\r\n",
    "\t",
    "\\",
    "\\n",
    "\x01",
    "\x1b[31m",
    "\x7f",
    "\u0085",
    "\u2028",
    "é",
    "日本",
    "🙂",
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "&a",
    "*a",
    "!!python/object",
    "%",
    "`",
    "<",
    ">",
    "|",
    ",",
    "=",
    "null",
    "~",
    "/",
    "..",
    "...",
    "@",
    "?",
    "x" * 300,
]

# Whole values known to break one tool or another when written unescaped; none has white
# space, so fields that refuse it (URLs, paths) still take them.
_NASTY = [
    "{{",
    "{{{x}}",
    "{{.Labels.service}}",
    "}}{{",
    "${env:HOME}",
    "${file:/etc/hostname}",
    "$${x}",
    "$",
    "#x",
    "'\"`",
    "%s%n",
    "\\x",
    "é日本🙂",
    "\x7f\x85\x1b[0m",
    "a,b=c",
    "...",
]
# Any text: a nasty value, or a few hostile pieces and random characters (no surrogates:
# YAML cannot hold them).
HOSTILE = st.one_of(
    st.sampled_from(_NASTY),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), min_size=1, max_size=5).map(
        "".join
    ),
)
# Names: mostly near-valid DNS labels (long, digits, dashes), sometimes anything.
NAMES = st.one_of(
    st.from_regex(r"\A[a-z]([-a-z0-9]{0,70}[a-z0-9])?\Z"),
    st.sampled_from(["a" * 54, "b" * 55, "c" * 63, "d" * 64, "x--y", "0ab", "a.b", "UPPER"]),
    HOSTILE,
)

# Every field the examples can make hostile, with its safe value.
SAFE: dict[str, Any] = {
    "project.label.key": "owner",
    "project.label.value": "platform",
    "policy.replacement": "[REDACTED]",
    "policy.drop": "user.password",
    "policy.custom": "ord_[A-Za-z0-9]{24}",
    "receiver.channel": "#team",
    "receiver.to": "oncall@example.com",
    "email.from": "alertmanager@example.com",
    "email.username": "alertmanager",
    "route.match.key": "team",
    "route.match.value": "payments",
    "route.group_by": ["alertname", "service"],
    "gitops.repo": "https://git.example.com/o.git",
    "gitops.revision": "main",
    "stack.image": "registry.local/otelcol",
    "service.name": "api",
    "service.team": "payments",
    "service.label.key": "tier",
    "service.label.value": "web",
    "service.runbook": "https://wiki.example.com/api",
    "service.env_runbook": "https://wiki.example.com/api-prod",
    "service.metrics_path": "/metrics",
    "alert.summary": "Queue too deep",
    "alert.description": "The consumer lags",
    "alert.label.value": "queue",
    "slo.name": "orders",
    "slo.description": "Orders placed",
    "slo.comment": "",
    "infra.name": "store",
    "framework.display": "Store",
    "framework.notes": "Runs beside the store",
    "framework.requires": "store-driver",
    "framework.env.key": "STORE_OTEL",
    "framework.env.value": "on",
    "framework.error_selector": 'code=~"5.."',
    "framework.exporter": "store-exporter",
    "framework.exporter_image": "registry.local/store-exporter:1.0",
    "framework.exporter_path": "/metrics",
    "framework.detection": "store",
}
NAME_FIELDS = {"service.name", "service.team", "slo.name", "infra.name"}
# Fields that reach the labels or annotations of alerts, which promtool's unit tests compare.
ALERT_FIELDS = {
    "service.name",
    "service.team",
    "slo.name",
    "service.runbook",
    "service.env_runbook",
    "alert.summary",
    "alert.description",
    "alert.label.value",
}
HOSTILE_FIELDS = "hostile"


def _wrapped(field: str, text: str) -> Any:
    """`text` placed in `field` the way a user would: a runbook URL's path, a comment, ..."""
    if field in ("service.runbook", "service.env_runbook"):
        return "https://wiki.example.com/" + text
    if field in ("service.metrics_path", "framework.exporter_path"):
        return "/" + text
    if field == "policy.custom":
        return re.escape(text)
    if field == "slo.comment":
        return " # " + text
    if field == "framework.error_selector":
        return 'code=~"5.."' + text
    if field == "route.group_by":
        return [text]
    return text


def _hostile_value(field: str) -> st.SearchStrategy[Any]:
    if field in NAME_FIELDS:
        return NAMES
    if field == "route.group_by":
        return st.lists(st.one_of(HOSTILE, st.sampled_from(["...", "", "service"])), max_size=3)
    return HOSTILE.map(functools.partial(_wrapped, field))


@st.composite
def fields(draw: st.DrawFn) -> dict[str, Any]:
    """The safe values, with one to three text fields (and maybe a name) made hostile."""
    texts = sorted(set(SAFE) - NAME_FIELDS)
    chosen = draw(st.sets(st.sampled_from(texts), min_size=1, max_size=3))
    if draw(st.integers(0, 4)) == 0:  # a name field one time in five
        chosen.add(draw(st.sampled_from(sorted(NAME_FIELDS))))
    values = dict(SAFE)
    for field in sorted(chosen):
        values[field] = draw(_hostile_value(field))
    values[HOSTILE_FIELDS] = sorted(chosen)
    return values


def _project(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "obsc.dev/v1",
        "kind": "Project",
        "metadata": {
            "name": "hostile",
            "labels": {v["project.label.key"]: v["project.label.value"]},
        },
        "spec": {
            "environments": [
                {"name": "dev", "targets": ["model", "compose", "collector", "alerts", "grafana"]},
                {
                    "name": "prod",
                    "targets": ["model", "helm", "collector", "alerts", "grafana", "gitops"],
                    "redaction": "strict",
                },
            ],
            "stack": {"collector": {"version": "0.159.0", "image": v["stack.image"]}},
            "redactionPolicies": [
                {
                    "name": "strict",
                    "patterns": ["email", "credit_card"],
                    "custom": [{"name": "custom_token", "regex": v["policy.custom"]}],
                    "dropAttributes": [v["policy.drop"]],
                    "replacement": v["policy.replacement"],
                }
            ],
            "alerting": {
                "receivers": [
                    {
                        "name": "chat",
                        "type": "slack",
                        "channel": v["receiver.channel"],
                        "secretRef": {"name": "am-secrets", "key": "slack"},
                    },
                    {"name": "mail", "type": "email", "to": v["receiver.to"]},
                ],
                "defaultReceiver": "chat",
                "email": {
                    "smarthost": "smtp.example.com:587",
                    "from": v["email.from"],
                    "username": v["email.username"],
                    "secretRef": {"name": "am-secrets", "key": "smtp"},
                },
                "routes": [
                    {
                        "match": {v["route.match.key"]: v["route.match.value"]},
                        "receiver": "mail",
                        "groupBy": v["route.group_by"],
                    }
                ],
            },
            "gitops": {
                "engine": "argocd",
                "repoURL": v["gitops.repo"],
                "revision": v["gitops.revision"],
            },
            "compose": {"file": USER_COMPOSE},
        },
    }


def _service(v: dict[str, Any]) -> dict[str, Any]:
    comment = v["slo.comment"]
    return {
        "apiVersion": "obsc.dev/v1",
        "kind": "Service",
        "metadata": {
            "name": v["service.name"],
            "team": v["service.team"],
            "labels": {v["service.label.key"]: v["service.label.value"]},
        },
        "spec": {
            "framework": "webapp",
            "port": 5000,
            "runbook": v["service.runbook"],
            "metrics": {"path": v["service.metrics_path"]},
            "slos": [
                {"name": "availability", "objective": 99.5, "sli": {"kind": "availability"}},
                {
                    "name": v["slo.name"],
                    "objective": 99,
                    "description": v["slo.description"],
                    "sli": {
                        "kind": "ratio",
                        "good": "sum(rate(orders_ok_total[{{window}}]))" + comment,
                        "total": "sum(rate(orders_total[{{window}}]))" + comment,
                    },
                },
            ],
            "alerts": [
                {
                    "name": "queue-depth",
                    "expr": "queue_depth > 10",
                    "for": "5m",
                    "severity": "page",
                    "summary": v["alert.summary"],
                    "description": v["alert.description"],
                    "labels": {"component": v["alert.label.value"]},
                }
            ],
            "environments": {"prod": {"runbook": v["service.env_runbook"]}},
        },
    }


def _app_framework(v: dict[str, Any]) -> dict[str, Any]:
    """The framework of `api`: an application whose instrumentation reaches compose and helm."""
    return {
        "apiVersion": "obsc.dev/v1",
        "kind": "Framework",
        "metadata": {"name": "webapp"},
        "spec": {
            "displayName": v["framework.display"],
            "language": "python",
            "defaultPort": 5000,
            "metrics": {
                "source": "exporter",
                "path": "/metrics",
                "requests": {
                    "metric": "http_requests_total",
                    "errorSelector": v["framework.error_selector"],
                },
            },
            "instrumentation": {
                "env": {v["framework.env.key"]: v["framework.env.value"]},
                "requires": [v["framework.requires"]],
                "notes": v["framework.notes"],
            },
            "detection": [{"type": "image", "match": v["framework.detection"], "weight": 0.5}],
        },
    }


def _infra_framework(v: dict[str, Any]) -> dict[str, Any]:
    """The framework of the second service: infrastructure, with an exporter beside it."""
    return {
        "apiVersion": "obsc.dev/v1",
        "kind": "Framework",
        "metadata": {"name": "store"},
        "spec": {
            "displayName": "Store",
            "category": "infrastructure",
            "language": "other",
            "defaultPort": 7000,
            "metrics": {
                "source": "exporter",
                "requests": {"metric": "store_requests_total", "errorSelector": 'code="error"'},
            },
            "exporter": {
                "name": v["framework.exporter"],
                "image": v["framework.exporter_image"],
                "port": 9104,
                "path": v["framework.exporter_path"],
            },
        },
    }


def _infra_service(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "obsc.dev/v1",
        "kind": "Service",
        "metadata": {"name": v["infra.name"], "team": v["service.team"]},
        "spec": {
            "framework": "store",
            "slos": [{"name": "availability", "objective": 99.9, "sli": {"kind": "availability"}}],
        },
    }


def _dump(document: dict[str, Any]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def write_estate(repo: Path, v: dict[str, Any]) -> None:
    """The example's specs, and the user compose file that holds its two services."""
    (repo / "specs" / "services").mkdir(parents=True)
    (repo / "specs" / "project.yaml").write_text(_dump(_project(v)), encoding="utf-8")
    (repo / "specs" / "services" / "api.yaml").write_text(_dump(_service(v)), encoding="utf-8")
    (repo / "specs" / "services" / "store.yaml").write_text(
        _dump(_infra_service(v)), encoding="utf-8"
    )
    for name, framework in (("webapp", _app_framework(v)), ("store", _infra_framework(v))):
        (repo / "specs" / f"{name}-framework.yaml").write_text(_dump(framework), encoding="utf-8")
    user = repo / USER_COMPOSE
    user.parent.mkdir(parents=True)
    services = {str(v["service.name"]): {"image": "python:3.12"}}
    services.setdefault(str(v["infra.name"]), {"image": "mysql:8"})
    user.write_text(_dump({"services": services}), encoding="utf-8")
    (repo / f"{HOSTILE_FIELDS}.json").write_text(json.dumps(v[HOSTILE_FIELDS]), encoding="utf-8")


@dataclass(frozen=True)
class Outcome:
    """How `obsc render` answered one example."""

    code: int
    err: str


def obsc_render(repo: Path) -> Outcome:
    """`obsc --repo REPO render`, in-process, with its exit code and stderr."""
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["--repo", str(repo), "render"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    return Outcome(code, err.getvalue())


def _run(args: Iterable[str | Path], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


def _failed(done: subprocess.CompletedProcess[str], what: str) -> str | None:
    if done.returncode == 0:
        return None
    return f"{what} exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


def render_examples(root: Path, count: int) -> tuple[list[Path], int]:
    """Render `count` hypothesis examples under root; (rendered repos, rejected examples)."""
    rendered: list[Path] = []
    rejected = 0
    examples = iter(range(10**6))

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(values=fields())
    def one(values: dict[str, Any]) -> None:
        nonlocal rejected
        repo = root / f"case-{next(examples):03d}"
        write_estate(repo, values)
        outcome = obsc_render(repo)
        assert "Traceback" not in outcome.err, outcome.err
        assert outcome.code in (0, SPEC_ERROR), f"exit {outcome.code}: {outcome.err}"
        if outcome.code == SPEC_ERROR:
            assert re.search(r"error\[OBSC\d{3}\]", outcome.err), outcome.err
            rejected += 1
        else:
            rendered.append(repo)

    one()
    return rendered, rejected


Check = Callable[[list[Path]], list[str]]


def _files(repos: list[Path], pattern: str) -> list[Path]:
    return sorted(path for repo in repos for path in repo.glob(pattern))


def _contents(paths: Iterable[Path]) -> bytes:
    return b"\0".join(path.read_bytes() for path in paths)


def _unique(paths: list[Path], key: Callable[[Path], bytes]) -> list[Path]:
    """One path per distinct key (the bytes a tool reads): a tool that ran once on the same
    bytes needs no second run (most examples leave most files as the safe values render)."""
    seen: dict[str, Path] = {}
    for path in paths:
        seen.setdefault(hashlib.sha256(key(path)).hexdigest(), path)
    return sorted(seen.values())


def _itself(path: Path) -> bytes:
    return path.read_bytes()


def _hostile_fields(repo: Path) -> set[str]:
    return set(json.loads((repo / f"{HOSTILE_FIELDS}.json").read_text(encoding="utf-8")))


def check_prometheus_rules(repos: list[Path]) -> list[str]:
    """Every rule file; the unit tests (a second each) where alerts carry hostile text."""
    promtool = require_tool("promtool")
    rules = _files(repos, "rendered/*/alerts/rules/*.rules.yaml")
    tested = [repo for repo in repos if _hostile_fields(repo) & ALERT_FIELDS] or repos[:1]
    tests = _unique(
        _files(tested, "rendered/*/alerts/tests/*.test.yaml"),
        lambda test: _contents(
            [test, test.parent.parent / "rules" / test.name.replace(".test.", ".rules.")]
        ),
    )
    problems = [
        _failed(_run([promtool, "check", "rules", *rules]), "promtool check rules"),
        _failed(_run([promtool, "test", "rules", *tests]), "promtool test rules"),
    ]
    return [p for p in problems if p]


def check_alertmanager(repos: list[Path]) -> list[str]:
    configs = _files(repos, "rendered/*/alerts/alertmanager.yaml")
    done = _run([require_tool("amtool"), "check-config", *configs])
    return [p for p in [_failed(done, "amtool check-config")] if p]


def _each(paths: list[Path], check: Callable[[Path], str | None]) -> list[str]:
    """`check` on every path, as many at once as there are CPUs (tools that take one file)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return [problem for problem in pool.map(check, paths) if problem]


def check_loki_rules(repos: list[Path]) -> list[str]:
    lokitool = require_tool("lokitool")
    rules = _unique(_files(repos, "rendered/*/alerts/loki/*.yaml"), _itself)
    return _each(  # one file per run: lokitool refuses a namespace (file name) seen twice
        rules,
        lambda path: _failed(
            _run([lokitool, "rules", "check", "--strict", path]), f"lokitool rules check {path}"
        ),
    )


def check_collector(repos: list[Path]) -> list[str]:
    collector = require_tool("otelcol-obsc")
    return _each(
        _unique(_files(repos, "rendered/*/collector/config.yaml"), _itself),
        lambda path: _failed(
            _run([collector, "validate", f"--config=file:{path}"]), f"otelcol validate {path}"
        ),
    )


def check_compose(repos: list[Path]) -> list[str]:
    problems = []
    for repo in repos:
        user = repo / USER_COMPOSE
        overlay = Path("..") / "rendered" / "dev" / "compose" / "obs-stack.yml"
        done = compose(user.parent, "-f", user.name, "-f", str(overlay), "config", home=repo)
        problems.append(_failed(done, f"docker compose config in {repo}"))
    return [p for p in problems if p]


def _chart_without_files(chart: Path) -> bytes:
    """What helm parses: templates, values, and the names (not the text) under files/,
    whose contents the templates embed as text."""
    paths = sorted(p for p in chart.rglob("*") if p.is_file())
    names = "\n".join(p.relative_to(chart).as_posix() for p in paths).encode()
    parsed = [p for p in paths if p.relative_to(chart).parts[0] != "files"]
    return names + b"\0" + _contents(parsed)


_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _bad_labels(labels: Any, where: str) -> list[str]:
    if not isinstance(labels, dict):
        return []
    return [
        f"{where}: label {name}={text!r} is not a Kubernetes label value"
        for name, text in labels.items()
        if len(str(text)) > 63 or not _LABEL_VALUE.match(str(text))
    ]


def _labels_and_names(node: Any, where: str) -> list[str]:
    """What the API server checks and the OpenAPI schemas kubeconform reads do not: the
    values of object and selector labels (63 characters at most) and object names (DNS
    subdomains). Labels of Prometheus rules inside a PrometheusRule are not these."""
    problems: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "matchLabels":
                problems += _bad_labels(value, where)
            elif key == "metadata" and isinstance(value, dict):
                problems += _bad_labels(value.get("labels"), where)
                name = str(value.get("name", "x"))
                if len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
                    problems.append(f"{where}: {name!r} is not a Kubernetes object name")
            problems += _labels_and_names(value, where)
    elif isinstance(node, list):
        for item in node:
            problems += _labels_and_names(item, where)
    return problems


def check_kubernetes(repos: list[Path], schemas: Path) -> list[str]:
    helm = require_tool("helm")
    charts = _unique(_files(repos, "rendered/*/helm/obs-stack"), _chart_without_files)
    problems = _each(charts, lambda chart: _failed(helm_lint(helm, chart), f"helm lint {chart}"))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        manifests = list(pool.map(lambda chart: helm_template(helm, chart), charts))
    gitops = _files(repos, "rendered/*/gitops/*.yaml")
    stream = "\n---\n".join([*manifests, *(p.read_text() for p in gitops)])
    done = kubeconform(require_tool("kubeconform"), schemas, stdin=stream.encode())
    failed = _failed(done, "kubeconform")
    for chart, manifest in zip(charts, manifests, strict=True):
        for document in objects(manifest):
            problems += _labels_and_names(document, f"{chart} {document.get('kind')}")
    return problems + ([failed] if failed else [])


@pytest.fixture(scope="module")
def rendered_examples(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as patch:  # never the user's ~/.cache/obsc
        patch.setenv("OBSC_CACHE_DIR", str(root / "obsc-cache"))
        repos, rejected = render_examples(root, EXAMPLES)
        corpus = render_corpus(root)
    # Most examples change one to four fields; many of those stay valid. If nearly all were
    # rejected, the tools would check nothing.
    assert len(repos) >= EXAMPLES // 4, f"only {len(repos)} rendered, {rejected} rejected"
    return repos + corpus


def _accepted(repo: Path, values: dict[str, Any]) -> bool:
    shutil.rmtree(repo, ignore_errors=True)
    write_estate(repo, values)
    try:
        load_estate(repo)
    except SpecError:
        return False
    return True


# Values whose shape, not their characters, is what a tool refuses (or that mean something
# else): obsc must reject them, or render what the tool takes.
_SHAPES: list[tuple[str, Any]] = [
    ("route.group_by", ["...", "service"]),
    ("route.group_by", ["slo", "alertname", "slo"]),
    ("route.group_by", [""]),
    ("route.group_by", ["..."]),
    ("infra.name", "s" * 55),
    ("infra.name", "s" * 54),
    ("service.name", "a" * 63),
    ("service.team", "t" * 63),
    ("slo.name", "o" * 63),
    ("stack.image", "registry.local/otelcol:0.159.0"),
    ("stack.image", "registry.local/otelcol:0.158.0"),
    ("stack.image", "registry.local/otelcol@sha256:" + "0" * 64),
    ("framework.error_selector", 'code=~"5.."} or vector(0) or up{a="b"'),
    ("framework.error_selector", 'code=~"5..",service="other"'),
    ("slo.comment", " # {{window}}"),
    ("service.metrics_path", "/metrics\x7f"),
    ("framework.exporter_path", "/\x85x"),
]


@contextlib.contextmanager
def _builtin_frameworks_loaded_once() -> Iterator[None]:
    """Probes validate hundreds of estates; the shipped frameworks are parsed once for all
    (they are most of a small estate's load time). The renders themselves are unpatched."""
    builtin = load_builtin_frameworks(DiagnosticSink())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("compiler.frameworks.load_builtin_frameworks", lambda _sink: builtin)
        yield


def render_corpus(root: Path) -> list[Path]:
    """For each nasty value: one estate with it in every text field that validation takes.

    Hypothesis picks a few fields per example; this puts each known-nasty value everywhere
    it is accepted at once, so no field escapes the tools for lack of luck.
    """
    rendered = []
    for index, text in enumerate(_NASTY):
        values = {**SAFE, HOSTILE_FIELDS: []}
        with _builtin_frameworks_loaded_once():
            for field in sorted(set(SAFE) - NAME_FIELDS):
                trial = {**SAFE, field: _wrapped(field, text), HOSTILE_FIELDS: [field]}
                if _accepted(root / "probe", trial):
                    values[field] = trial[field]
                    values[HOSTILE_FIELDS].append(field)
        repo = root / f"corpus-{index:02d}"
        write_estate(repo, values)
        outcome = obsc_render(repo)
        assert outcome.code == 0, f"{text!r} in {values[HOSTILE_FIELDS]}: {outcome.err}"
        rendered.append(repo)
    for index, (field, value) in enumerate(_SHAPES):
        repo = root / f"shape-{index:02d}"
        write_estate(repo, {**SAFE, field: value, HOSTILE_FIELDS: [field]})
        outcome = obsc_render(repo)
        assert outcome.code in (0, SPEC_ERROR) and "Traceback" not in outcome.err, outcome.err
        if outcome.code == 0:
            rendered.append(repo)
    return rendered


def _report(problems: list[str], repos: list[Path]) -> str:
    return "\n\n".join(problems) + f"\n(specs of each case under {repos[0].parent})"


@pytest.mark.slow
@pytest.mark.parametrize(
    "check",
    [
        check_prometheus_rules,
        check_alertmanager,
        check_loki_rules,
        check_collector,
        check_compose,
    ],
    ids=lambda check: check.__name__.removeprefix("check_"),
)
def test_what_renders_passes_its_tool(check: Check, rendered_examples: list[Path]) -> None:
    problems = check(rendered_examples)
    assert not problems, _report(problems, rendered_examples)


@pytest.mark.slow
def test_what_renders_passes_helm_and_kubeconform(
    rendered_examples: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    schemas = kubernetes_schemas(tmp_path_factory.mktemp("k8s-schemas"))
    problems = check_kubernetes(rendered_examples, schemas)
    assert not problems, _report(problems, rendered_examples)
