"""Every kind of bad input: exit 2, a file:line:column message, a hint, rendered/ untouched."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ObscRunner, tree_bytes

BAD = FIXTURES / "bad"
CASES = sorted(p.name for p in BAD.glob("*.yaml"))


def _expectation(case: Path) -> tuple[str, str, str]:
    first = case.read_text(encoding="utf-8").splitlines()[0]
    match = re.match(r"# expect: (OBSC\d{3}) (\d+:\d+) (.*)$", first)
    assert match, f"{case.name}: first line must be '# expect: CODE LINE:COL text'"
    return match.group(1), match.group(2), match.group(3)


def _rendered_repo(obsc: ObscRunner, repo: Path) -> dict[str, bytes]:
    result = obsc("--repo", repo, "render")
    assert result.code == 0, result.err
    before = tree_bytes(repo / "rendered")
    assert "manifest.json" in before
    return before


def _assert_rejected(
    obsc: ObscRunner, repo: Path, before: dict[str, bytes], where: str, code: str, text: str
) -> str:
    result = obsc("--repo", repo, "render")
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert f"{where}: error[{code}]" in result.err, result.err
    assert text.lower() in result.err.lower(), result.err
    assert tree_bytes(repo / "rendered") == before
    return result.err


@pytest.mark.parametrize("case", CASES)
def test_bad_spec_file_is_rejected_with_position(
    case: str, obsc: ObscRunner, minimal_repo: Path
) -> None:
    before = _rendered_repo(obsc, minimal_repo)
    code, position, text = _expectation(BAD / case)
    if case.startswith("project-"):
        target = minimal_repo / "specs" / "project.yaml"
    else:
        target = minimal_repo / "specs" / "zz-bad.yaml"  # sorts after the valid files
    shutil.copy(BAD / case, target)
    display = target.relative_to(minimal_repo).as_posix()
    _assert_rejected(obsc, minimal_repo, before, f"{display}:{position}", code, text)


def test_binary_file(obsc: ObscRunner, minimal_repo: Path) -> None:
    before = _rendered_repo(obsc, minimal_repo)
    (minimal_repo / "specs" / "image.yaml").write_bytes(b"apiVersion: x\n\x89PNG\x00\x01\x02")
    _assert_rejected(obsc, minimal_repo, before, "specs/image.yaml:2:1", "OBSC001", "binary")


def test_non_utf8_file(obsc: ObscRunner, minimal_repo: Path) -> None:
    before = _rendered_repo(obsc, minimal_repo)
    (minimal_repo / "specs" / "latin1.yaml").write_bytes(
        b"apiVersion: obsc.dev/v1\nkind: caf\xe9\n"
    )
    _assert_rejected(obsc, minimal_repo, before, "specs/latin1.yaml:2:10", "OBSC001", "UTF-8")


def test_missing_project(obsc: ObscRunner, minimal_repo: Path) -> None:
    before = _rendered_repo(obsc, minimal_repo)
    (minimal_repo / "specs" / "project.yaml").unlink()
    _assert_rejected(obsc, minimal_repo, before, "specs", "OBSC300", "no document of kind Project")


def test_all_errors_are_reported_at_once_sorted(obsc: ObscRunner, minimal_repo: Path) -> None:
    before = _rendered_repo(obsc, minimal_repo)
    for case in ("unknown-field.yaml", "objective-too-high.yaml", "name-with-space.yaml"):
        shutil.copy(BAD / case, minimal_repo / "specs" / f"z-{case}")
    result = obsc("--repo", minimal_repo, "render")
    assert result.code == 2
    positions = re.findall(r"^(specs/[^:]+):(\d+):(\d+): error", result.err, re.M)
    assert len(positions) == 3
    assert positions == sorted(positions, key=lambda p: (p[0], int(p[1]), int(p[2])))
    assert tree_bytes(minimal_repo / "rendered") == before


def test_literal_secret_is_never_echoed(obsc: ObscRunner, minimal_repo: Path) -> None:
    shutil.copy(BAD / "project-literal-secret.yaml", minimal_repo / "specs" / "project.yaml")
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    assert "hooks.slack.com" not in result.err + result.out
    assert "secretRef" in result.err


def test_latency_threshold_must_be_a_bucket(obsc: ObscRunner, minimal_repo: Path) -> None:
    service = minimal_repo / "specs" / "services" / "api.yaml"
    service.write_text(service.read_text().replace("threshold: 250ms", "threshold: 300ms"))
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    assert "specs/services/api.yaml:22:39: error[OBSC309]" in result.err, result.err
    assert "use 250ms or 500ms" in result.err


def test_latency_hint_proposes_only_thresholds_that_validate(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    """A bucket that no duration can name (0.536871 s) is not proposed; 1.5 s is `1500ms`."""
    service = minimal_repo / "specs" / "services" / "api.yaml"
    text = service.read_text().replace("[0.05, 0.1, 0.25, 0.5, 1]", "[0.25, 0.536871, 1.5, 2]")
    service.write_text(text.replace("threshold: 250ms", "threshold: 520ms"))
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    hint = re.search(r"hint: use (\S+) or (\S+), or add 520ms", result.err)
    assert hint, result.err
    assert hint.groups() == ("250ms", "1500ms")
    for proposal in hint.groups():
        service.write_text(text.replace("threshold: 250ms", f"threshold: {proposal}"))
        assert obsc("--repo", minimal_repo, "validate").code == 0, proposal
