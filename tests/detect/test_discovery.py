"""Detection that holds on real layouts: build targets, sources without manifests, Rust
back ends that talk to databases, and Kubernetes discovery (namespaces, opt-out label,
prometheus.io annotations, kubectl lists, helm template output).

The compose and Kubernetes inputs are the constructed bundles of the labelled corpus.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.detect import Detection, detect
from compiler.detect.dockerfile import parse_dockerfile
from compiler.detect.languages import source_language
from compiler.errors import SpecError
from tests.conftest import FIXTURES, ObscRunner

CORPUS = FIXTURES / "detect_corpus"
BUILD_TARGET = CORPUS / "constructed-compose-build-target" / "docker-compose.yml"
RUST = CORPUS / "constructed-compose-rust" / "docker-compose.yml"
SOURCES = CORPUS / "constructed-compose-sources" / "docker-compose.yml"
KUBECTL = CORPUS / "constructed-k8s-kubectl-list" / "cluster.yaml"
HELM = CORPUS / "constructed-k8s-helm-template" / "rendered.yaml"

MULTI_STAGE = """\
FROM node:20-alpine AS base
COPY package.json ./
RUN npm ci
FROM base AS development
EXPOSE 5173
CMD ["npm", "run", "dev"]
FROM base AS build
RUN npm run build
FROM nginx:1.27-alpine AS production
COPY --from=build /app/dist /usr/share/nginx/html
COPY nginx.conf /etc/nginx/conf.d/default.conf
EXPOSE 80
"""


def by_service(found: list[Detection]) -> dict[str, Detection]:
    return {d.service: d for d in found}


def verdict(d: Detection) -> tuple[str, str, str]:
    return d.framework, d.language, d.category


# --- Dockerfile stages ---------------------------------------------------------------


def test_target_selects_the_stage_and_inherits_from_its_base() -> None:
    parsed = parse_dockerfile(MULTI_STAGE, "Development")
    assert (parsed.selected, parsed.base_image, parsed.command) == (
        "development",
        "node:20-alpine",
        "npm run dev",
    )
    assert parsed.ports == ["5173"]
    assert parsed.copies == ["package.json"]  # from `base`; not the other stages' files
    assert parsed.builder_images == []


def test_without_a_target_the_last_stage_is_built() -> None:
    parsed = parse_dockerfile(MULTI_STAGE)
    assert (parsed.selected, parsed.base_image, parsed.ports) == (
        "production",
        "nginx:1.27-alpine",
        ["80"],
    )
    assert parsed.copies == ["nginx.conf"]
    assert parsed.builder_images == ["node:20-alpine"]  # COPY --from=build: a language hint


def test_an_unknown_target_is_reported_and_the_last_stage_read() -> None:
    parsed = parse_dockerfile(MULTI_STAGE, "staging")
    assert parsed.missing_target == "staging"
    assert parsed.selected == "production"


def test_entrypoint_in_a_later_stage_resets_the_inherited_cmd() -> None:
    parsed = parse_dockerfile('FROM python:3.12 AS a\nCMD ["serve"]\nFROM a\nENTRYPOINT ["run"]\n')
    assert parsed.command == "run"


# --- compose build.target --------------------------------------------------------------


def test_compose_build_target_is_the_evidence() -> None:
    found = by_service(detect("compose", BUILD_TARGET))
    frontend = found["frontend"]
    assert verdict(frontend) == ("generic", "javascript", "application")
    assert frontend.image == "node:20-alpine"
    assert any("build target development: stage development" in e for e in frontend.evidence)
    assert verdict(found["frontend-prod"]) == ("nginx", "other", "infrastructure")
    assert verdict(found["backend"]) == ("fastapi", "python", "application")


def test_compose_unknown_target_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "Dockerfile").write_text(MULTI_STAGE)
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    build: {context: ./web, target: dev}\n")
    (web,) = detect("compose", compose)
    assert "build target dev is not a stage of web/Dockerfile: its last stage was read" in (
        web.evidence
    )


# --- applications are not the infrastructure they talk to -------------------------------


def test_rust_backend_with_a_database_url_is_the_application() -> None:
    found = by_service(detect("compose", RUST))
    assert verdict(found["api"]) == ("actix-web", "rust", "application")
    assert verdict(found["gateway"]) == ("axum", "rust", "application")
    worker = found["worker"]
    assert verdict(worker) == ("generic", "rust", "application")
    assert not any("postgres" in name for name, _ in worker.candidates)
    assert any(e.startswith("built from application sources in worker") for e in worker.evidence)
    assert verdict(found["db"]) == ("postgres", "other", "infrastructure")
    assert "command runs `postgres` (weight 0.5)" in found["db"].evidence
    assert verdict(found["cache"]) == ("redis", "other", "infrastructure")


def test_a_database_url_in_a_command_is_not_a_server_command(tmp_path: Path) -> None:
    """No sources at all: the command still has to run the server, not mention it."""
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n"
        "  migrate:\n"
        "    image: ghcr.io/acme/migrate:4\n"
        "    command: migrate -path /m -database postgres://app@db:5432/app?sslmode=disable up\n"
        "    environment: {POSTGRES_PASSWORD: x}\n"
        "  db:\n"
        "    image: ghcr.io/acme/custom-db:1\n"
        "    command: [/usr/lib/postgresql/16/bin/postgres, -c, fsync=off]\n"
    )
    found = by_service(detect("compose", compose))
    assert verdict(found["migrate"]) == ("generic", "other", "application")
    assert found["db"].framework == "postgres"


def test_infrastructure_built_from_its_own_image_stays_infrastructure(tmp_path: Path) -> None:
    db = tmp_path / "db"
    db.mkdir()
    (db / "Dockerfile").write_text("FROM postgres:16\nCOPY init.sql /docker-entrypoint-initdb.d/\n")
    (db / "init.sql").write_text("CREATE TABLE t (id int);\n")
    (db / "healthcheck.py").write_text("import socket\n" * 20)
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  db:\n    build: ./db\n")
    (found,) = detect("compose", compose)
    assert verdict(found) == ("postgres", "other", "infrastructure")


# --- languages from sources ----------------------------------------------------------


def test_go_without_go_mod_is_go_and_its_imports_name_the_router() -> None:
    found = by_service(detect("compose", SOURCES))
    assert verdict(found["shortener"]) == ("gin", "go", "application")
    assert "(import)" in found["shortener"].evidence[0]
    assert verdict(found["status"]) == ("go-net-http", "go", "application")
    assert verdict(found["jobs"]) == ("generic", "python", "application")
    assert verdict(found["legacy"]) == ("generic", "php", "application")
    assert verdict(found["mysql"]) == ("mysql", "other", "infrastructure")


def test_main_go_alone_is_go(tmp_path: Path) -> None:
    (tmp_path / "main.go").write_text('package main\n\nimport "net/http"\n')
    (tmp_path / "Dockerfile").write_text("FROM golang:1.23 AS b\nRUN go build\nFROM alpine:3.20\n")
    (detection,) = detect("source", tmp_path)
    assert (detection.framework, detection.language) == ("generic", "go")
    assert "language go from main.go" in detection.evidence


def test_extensions_weighted_by_size() -> None:
    files = [
        ("app/models.py", 40_000),
        ("app/views.py", 30_000),
        ("static/app.js", 3000),
        ("static/vendor.min.js", 900_000),  # generated: not counted
        ("web/bundle.ts", 2_000_000),  # capped: one huge file cannot outweigh the rest
    ]
    found = source_language(files)
    assert found is not None and found.language == "python"
    assert "python from its sources (2 files" in found.evidence
    assert source_language([("README.md", 100), ("init.sql", 50)]) is None


@pytest.mark.parametrize(
    ("marker", "language"),
    [
        ("Cargo.toml", "rust"),
        ("Api.csproj", "dotnet"),
        ("settings.gradle.kts", "java"),
        ("cmd/api/main.go", "go"),
    ],
)
def test_marker_files_name_the_language(marker: str, language: str) -> None:
    found = source_language([(marker, 10), ("tools/x.py", 50_000)])
    assert found is not None and found.language == language


def test_an_unlisted_router_keeps_a_weak_listed_signature_from_winning(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(
        "module shop\n\nrequire (\n\tgithub.com/gorilla/mux v1.8.1\n"
        "\tgo.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.61.0\n)\n"
    )
    (detection,) = detect("source", tmp_path)
    assert (detection.framework, detection.language) == ("generic", "go")
    assert detection.evidence[0].startswith("gorilla/mux (dependency github.com/gorilla/mux")


# --- Kubernetes discovery --------------------------------------------------------------


def test_kubectl_list_with_a_namespace_filter() -> None:
    found = by_service(detect("k8s", KUBECTL, namespaces=frozenset({"shop"})))
    assert sorted(found) == ["catalog", "checkout", "postgres", "storefront"]  # no toolbox
    assert {d.namespace for d in found.values()} == {"shop"}
    assert verdict(found["checkout"]) == ("spring-boot", "java", "application")
    assert verdict(found["postgres"]) == ("postgres", "other", "infrastructure")


def test_kubectl_list_in_every_namespace() -> None:
    found = detect("k8s", KUBECTL)
    assert sorted((d.namespace, d.service) for d in found) == [
        ("kube-system", "coredns"),
        ("shop", "catalog"),
        ("shop", "checkout"),
        ("shop", "postgres"),
        ("shop", "storefront"),
        ("staging", "checkout-2"),
    ]


def test_pods_without_their_controller_are_named_after_it(tmp_path: Path) -> None:
    pods = tmp_path / "pods.yaml"
    items = []
    for suffix in ("x8kqz", "p2d7m"):
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"checkout-7c9d5f8b6d-{suffix}",
                    "namespace": "shop",
                    "labels": {"pod-template-hash": "7c9d5f8b6d"},
                    "ownerReferences": [
                        {"kind": "ReplicaSet", "name": "checkout-7c9d5f8b6d", "controller": True}
                    ],
                },
                "spec": {"containers": [{"name": "c", "image": "eclipse-temurin:21"}]},
            }
        )
    pods.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    (found,) = detect("k8s", pods)
    assert found.service == "checkout"


def test_prometheus_annotations_are_reported_and_checked(tmp_path: Path) -> None:
    found = by_service(detect("k8s", KUBECTL, namespaces=frozenset({"shop"})))
    checkout = found["checkout"]
    assert (checkout.scrape_port, checkout.scrape_path) == (8080, "/actuator/prometheus")
    assert checkout.as_json()["scrape"] == {"port": 8080, "path": "/actuator/prometheus"}
    assert checkout.warnings == []  # the spring-boot exporter serves that path
    manifest = tmp_path / "api.yaml"
    catalog = 'prometheus.io/scrape: "{}"\n          prometheus.io/port: "8000"'
    manifest.write_text(
        KUBECTL.read_text()
        .replace("prometheus.io/path: /actuator/prometheus", "prometheus.io/path: /metrics")
        .replace(catalog.format("true"), catalog.format("false"))
    )
    found = by_service(detect("k8s", manifest, namespaces=frozenset({"shop"})))
    assert found["checkout"].warnings == [
        "prometheus.io/path is /metrics, but the spring-boot exporter "
        "(micrometer-registry-prometheus) serves /actuator/prometheus"
    ]
    assert 'prometheus.io/scrape is "false": Prometheus is told not to scrape it' in (
        found["catalog"].evidence
    )


def test_helm_template_output() -> None:
    found = by_service(detect("k8s", HELM, namespaces=frozenset({"forum"})))
    assert sorted(found) == ["forum-redis-master", "forum-sidekiq", "forum-web"]  # no test hook
    web = found["forum-web"]
    assert verdict(web) == ("rails", "ruby", "application")
    assert "from the Helm template forum/templates/deployment-web.yaml" in web.evidence
    assert web.namespace is None  # helm template leaves it to the release
    assert verdict(found["forum-redis-master"]) == ("redis", "other", "infrastructure")


def test_a_filter_that_leaves_nothing_is_obsc501() -> None:
    with pytest.raises(SpecError) as caught:
        detect("k8s", KUBECTL, namespaces=frozenset({"nowhere"}))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "OBSC501"
    assert "none in namespace nowhere" in diagnostic.message


def test_compose_services_can_opt_out(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n  web:\n    image: nginx:1.27\n"
        "  debug:\n    image: busybox\n    labels: {obsc.dev/ignore: 'true'}\n"
    )
    assert [d.service for d in detect("compose", compose)] == ["web"]
    compose.write_text(
        "services:\n  debug:\n    image: busybox\n    labels: [obsc.dev/ignore=true]\n"
    )
    with pytest.raises(SpecError) as caught:
        detect("compose", compose)
    assert caught.value.diagnostics[0].code == "OBSC501"


# --- the command line ------------------------------------------------------------------


def test_cli_namespace_flags(obsc: ObscRunner) -> None:
    run = obsc("-o", "json", "detect", "--k8s", KUBECTL, "-n", "shop")
    assert run.code == 0, run.err
    assert sorted(d["service"] for d in json.loads(run.out)) == [
        "catalog",
        "checkout",
        "postgres",
        "storefront",
    ]
    run = obsc("detect", "--k8s", KUBECTL, "--all-namespaces")
    assert run.code == 0, run.err
    assert "coredns [namespace kube-system]: generic (other)" in run.out
    run = obsc("detect", "--k8s", KUBECTL, "--namespace", "nowhere")
    assert run.code == 2 and "OBSC501" in run.err and "Traceback" not in run.err


@pytest.mark.parametrize(
    "args",
    [
        ["detect", "--compose", str(BUILD_TARGET), "--namespace", "shop"],
        ["detect", "--k8s", str(KUBECTL), "-n", "shop", "-A"],
    ],
)
def test_cli_namespace_misuse_exits_2(obsc: ObscRunner, args: list[str]) -> None:
    run = obsc(*args)
    assert run.code == 2 and run.err.strip() and "Traceback" not in run.err
