"""Merge order and provenance: framework -> snapshot -> environment -> service -> override."""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import load_estate
from tests.conftest import ObscRunner

SNAPSHOT = """\
apiVersion: obsc.dev/v1
kind: Snapshot
metadata:
  name: api
spec:
  framework: django
  language: python
  ports: [8000]
  confidence: 0.9
  evidence: ["dependency django in requirements.txt"]
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_each_layer_wins_over_the_previous_one(minimal_repo: Path) -> None:
    estate = load_estate(minimal_repo).resolved
    prod = estate.environments["prod"].service("api")
    dev = estate.environments["dev"].service("api")
    assert prod is not None and dev is not None
    assert prod.sampling == 0.05  # override
    assert dev.sampling == 0.5  # service over environment (1.0)
    chain = estate.provenance[("api", "prod")].chains["sampling"]
    layers = [c.layer for c in chain]
    assert layers[-3:] == ["environment", "service", "override"]
    assert [c.value for c in chain[-3:]] == [0.1, 0.5, 0.05]
    assert str(chain[-1].location) == "specs/services/api.yaml:31:22"
    assert str(chain[-3].location) == "specs/project.yaml:12:17"


def test_snapshot_fills_in_what_the_spec_leaves_out(minimal_repo: Path) -> None:
    (minimal_repo / "snapshots").mkdir()
    (minimal_repo / "snapshots" / "api.yaml").write_text(SNAPSHOT)
    service = minimal_repo / "specs" / "services" / "api.yaml"
    estate = load_estate(minimal_repo).resolved
    api = estate.environments["dev"].service("api")
    assert api is not None
    assert api.framework == "flask"  # the spec wins over the snapshot
    assert api.port == 5000
    _edit(service, "  framework: flask\n  port: 5000\n", "")
    _edit(service, "histogramBuckets: [0.05, 0.1, 0.25, 0.5, 1]", "histogramBuckets: [0.25, 1]")
    estate = load_estate(minimal_repo).resolved
    api = estate.environments["dev"].service("api")
    assert api is not None
    assert api.framework == "django"
    assert api.port == 8000
    port_chain = estate.provenance[("api", "dev")].chains["port"]
    assert [c.layer for c in port_chain] == ["framework", "snapshot"]
    assert str(port_chain[-1].location) == "snapshots/api.yaml:8:11"


def test_a_snapshot_of_another_framework_keeps_the_named_frameworks_language(
    minimal_repo: Path,
) -> None:
    """A generic detection's `other` does not turn the Service's named framework's language."""
    (minimal_repo / "snapshots").mkdir()
    generic = SNAPSHOT.replace("framework: django", "framework: generic").replace(
        "language: python", "language: go"
    )
    (minimal_repo / "snapshots" / "api.yaml").write_text(generic)
    api = load_estate(minimal_repo).resolved.environments["dev"].service("api")
    assert api is not None and (api.framework, api.language) == ("flask", "python")
    # the same detection speaks for a framework that fixes no language
    service = minimal_repo / "specs" / "services" / "api.yaml"
    _edit(service, "  framework: flask\n", "  framework: generic\n")
    _edit(service, "  metrics:\n    histogramBuckets: [0.05, 0.1, 0.25, 0.5, 1]\n", "")
    estate = load_estate(minimal_repo)
    api = estate.resolved.environments["dev"].service("api")
    assert api is not None and (api.framework, api.language) == ("generic", "go")


def test_override_can_disable_a_service_in_one_environment(minimal_repo: Path) -> None:
    _edit(
        minimal_repo / "specs" / "services" / "api.yaml",
        "prod: {sampling: 0.05}",
        "prod: {enabled: false}",
    )
    estate = load_estate(minimal_repo).resolved
    assert estate.environments["prod"].service("api") is None
    assert estate.environments["dev"].service("api") is not None


def test_framework_defaults_fill_objective_and_threshold(minimal_repo: Path) -> None:
    service = minimal_repo / "specs" / "services" / "api.yaml"
    _edit(
        service,
        "      objective: 99\n      sli: {kind: latency, threshold: 250ms}",
        "      sli: {kind: latency}",
    )
    _edit(service, "    histogramBuckets: [0.05, 0.1, 0.25, 0.5, 1]\n", "")
    estate = load_estate(minimal_repo).resolved
    api = estate.environments["dev"].service("api")
    assert api is not None
    latency = next(s for s in api.slos if s.name == "latency")
    chain = estate.provenance[("api", "dev")].chains["slos.latency.sli.threshold"]
    assert [c.layer for c in chain] == ["framework"]
    assert chain[0].origin == "framework:flask"
    assert str(chain[0].location).startswith("obsc:frameworks/flask.yaml:")
    assert latency.sli.threshold == chain[0].value
    assert latency.window == "30d"
    assert estate.provenance[("api", "dev")].chains["slos.latency.window"][0].layer == "default"


def test_explain_prints_the_chain_with_positions(obsc: ObscRunner, minimal_repo: Path) -> None:
    result = obsc("--repo", minimal_repo, "explain", "api.sampling", "--env", "prod")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "api.sampling [prod] = 0.05"
    assert "environment:prod" in lines[-3] and "specs/project.yaml:12:17" in lines[-3]
    assert "service:api" in lines[-2] and "specs/services/api.yaml:14:13" in lines[-2]
    assert lines[-1].endswith("specs/services/api.yaml:31:22  <- wins")


def test_explain_lists_every_field_and_rejects_unknown_ones(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    listing = obsc("--repo", minimal_repo, "explain", "api", "--env", "dev")
    assert listing.code == 0
    assert "api.metrics.histogramBuckets [dev] = [0.05, 0.1, 0.25, 0.5, 1.0]" in listing.out
    derived = obsc("--repo", minimal_repo, "explain", "api.team")
    assert derived.code == 0 and '= "payments"' in derived.out
    unknown = obsc("--repo", minimal_repo, "explain", "api.samplin")
    assert unknown.code == 2 and "did you mean 'sampling'" in unknown.err
    missing = obsc("--repo", minimal_repo, "explain", "apj")
    assert missing.code == 2 and "did you mean 'api'" in missing.err


def test_snapshot_for_an_undeclared_service_is_a_warning(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    (minimal_repo / "snapshots").mkdir()
    (minimal_repo / "snapshots" / "ghost.yaml").write_text(
        SNAPSHOT.replace("name: api", "name: ghost")
    )
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 0
    assert "snapshots/ghost.yaml:4:9: warning[OBSC308]" in result.err
