"""`render --out DIR` never destroys what DIR or the repository holds (issue 23, finding 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ObscRunner


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("inside", [".git", "specs", "specs/services", "rendered/dev", "policies"])
def test_out_inside_the_repository_inputs_is_refused(
    obsc: ObscRunner, minimal_repo: Path, inside: str
) -> None:
    (minimal_repo / inside).mkdir(parents=True, exist_ok=True)
    (minimal_repo / ".git").mkdir(exist_ok=True)
    (minimal_repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    before = _tree(minimal_repo)
    run = obsc("--repo", minimal_repo, "render", "--no-policies", "--out", minimal_repo / inside)
    assert run.code == 2, run.err
    assert "refusing to render into" in run.err and "Traceback" not in run.err
    assert _tree(minimal_repo) == before


def test_out_into_a_directory_of_other_files_is_refused(
    obsc: ObscRunner, minimal_repo: Path, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me\n")
    run = obsc("--repo", minimal_repo, "render", "--no-policies", "--out", notes)
    assert run.code == 2, run.err
    assert "not empty" in run.err
    assert (notes / "todo.txt").read_text() == "keep me\n"
    assert sorted(p.name for p in notes.iterdir()) == ["todo.txt"]


def test_out_into_an_ancestor_of_the_repository_is_refused(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    run = obsc("--repo", minimal_repo, "render", "--no-policies", "--out", minimal_repo.parent)
    assert run.code == 2, run.err
    assert (minimal_repo / "specs").is_dir()


def test_a_new_empty_or_earlier_out_directory_is_used(
    obsc: ObscRunner, minimal_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = obsc("--repo", minimal_repo, "render", "--no-policies", "--out", out)
    assert first.code == 0, first.err
    assert (out / "manifest.json").is_file()
    again = obsc("--repo", minimal_repo, "render", "--no-policies", "--out", out)  # its own tree
    assert again.code == 0, again.err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert obsc("--repo", minimal_repo, "render", "--no-policies", "--out", empty).code == 0
