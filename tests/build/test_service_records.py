"""Services whose model and context are unchanged are taken from rendered/, not rendered."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate
from compiler.build import fingerprint, store
from compiler.build.services import NAMESPACE
from compiler.model import ResolvedService
from compiler.output.links import STACK_NAME
from compiler.render.contract import PerService
from targets import TARGETS
from tests.conftest import ObscRunner


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The services whose alerts render, as `<target>:<service>`.

    (Grafana's dashboards are per framework, environment-wide, not split per service.)
    """
    monkeypatch.setenv("OBSC_JOBS", "1")  # in this process, where the counting happens
    calls: list[str] = []
    for name in ("alerts",):
        target = TARGETS[name]
        split = target.per_service
        assert split is not None

        def counting(
            context: object,
            service: ResolvedService,
            *,
            _n: str = name,
            _real: PerService[Any] = split,
        ) -> dict[str, bytes]:
            calls.append(f"{_n}:{service.name}")
            return _real.service(context, service)

        replaced = dataclasses.replace(split, service=counting)
        monkeypatch.setitem(TARGETS, name, dataclasses.replace(target, per_service=replaced))
    yield calls


def _estate(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "estate"
    generate(repo, services=12)
    return repo, next(iter(sorted((repo / "specs" / "services").rglob("*.yaml"))))


def _change_first_objective(spec: Path) -> None:
    text = spec.read_text()
    changed = re.sub(r"objective: 99\.9\n", "objective: 99.5\n", text, count=1)
    assert changed != text
    spec.write_text(changed)


def test_after_one_change_only_that_service_renders(
    obsc: ObscRunner, tmp_path: Path, counted: list[str]
) -> None:
    repo, spec = _estate(tmp_path)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    everything = len(counted)
    assert everything >= 2 * 12  # two environments
    _change_first_objective(spec)
    counted.clear()
    diff = obsc("--repo", repo, "diff")
    found = re.search(r"service (\S+): slo \S+: objective: 99.9 → 99.5", diff.out)
    assert diff.code == 1 and found, diff.out
    service = found[1]
    assert set(counted) == {f"alerts:{service}"}
    assert len(counted) == 2  # both environments
    counted.clear()
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    assert len(counted) == 2
    fresh = tmp_path / "fresh"
    run = obsc("--repo", repo, "render", "--no-policies", "--out", fresh)
    assert run.code == 0
    rendered = repo / "rendered"
    for path in fresh.rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            assert path.read_bytes() == (rendered / path.relative_to(fresh)).read_bytes(), path


def test_a_hand_edited_file_is_rendered_again(
    obsc: ObscRunner, tmp_path: Path, counted: list[str]
) -> None:
    repo, _ = _estate(tmp_path)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    # a service's rule file, not the stack's (environment-wide, not rendered per service)
    rule_files = (repo / "rendered" / "prod" / "alerts" / "rules").glob("*.yaml")
    rules = sorted(p for p in rule_files if not p.name.startswith(STACK_NAME))[0]
    rules.write_text(rules.read_text().replace("severity: page", "severity: none", 1))
    counted.clear()
    check = obsc("--repo", repo, "render", "--check", "--no-policies")
    assert check.code == 1
    assert "prod/alerts/rules/" + rules.name in check.out + check.err
    assert f"alerts:{rules.name.removesuffix('.rules.yaml')}" in counted
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    assert "severity: none" not in rules.read_text()


def test_a_record_entry_of_another_shape_renders_its_service_again(
    obsc: ObscRunner, tmp_path: Path, counted: list[str]
) -> None:
    """Entries are checked when used: a bad one costs its service a render, nothing else."""
    repo, _ = _estate(tmp_path)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    path = store.record_path(NAMESPACE, fingerprint.path_key(repo / "rendered"))
    record = json.loads(path.read_text())
    group = record["value"]["groups"]["prod/alerts"]
    bad = sorted(group)[:4]
    shapes: list[object] = ["a string", [["only a path"]], [[1, 2]], {"a": "dict"}]
    for key, shape in zip(bad, shapes, strict=True):
        group[key] = shape
    path.write_text(json.dumps(record))
    (repo / "rendered" / "prod" / "alerts" / "rules" / "extra.yaml").write_text("x")
    counted.clear()
    check = obsc("--repo", repo, "render", "--check", "--no-policies")
    assert check.code == 1  # the extra file: the tree is looked at again
    assert len(counted) == 4 and all(c.startswith("alerts:") for c in counted)
