"""`obsc render --commit` and `obsc rollback` against real git repositories."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from compiler.cli.main import cli
from compiler.cli.rollback_cmd import rollback_command
from tests.conftest import ObscRunner, tree_bytes

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
}


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user/system git config leaks in; identity comes from the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    # Until main.py registers it, make `obsc rollback` reachable in-process.
    if "rollback" not in cli.commands:
        monkeypatch.setitem(cli.commands, "rollback", rollback_command)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def init_repo(repo: Path) -> Path:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "specs")
    return repo


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def message(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "log", "-1", "--format=%B", rev)


def changed_paths(repo: Path, rev: str = "HEAD") -> list[str]:
    out = git(repo, "show", "--name-only", "--format=", "-m", "--first-parent", rev)
    return [line for line in out.splitlines() if line]


def trailers(repo: Path, rev: str = "HEAD") -> dict[str, str]:
    out = git(repo, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    return dict(line.split(": ", 1) for line in out.splitlines() if line)


def bump_objective(repo: Path) -> None:
    spec = repo / "specs" / "services" / "api.yaml"
    text = spec.read_text()
    assert "objective: 99.9\n" in text
    spec.write_text(text.replace("objective: 99.9\n", "objective: 99.5\n"))


@pytest.fixture
def repo(minimal_repo: Path) -> Path:
    return init_repo(minimal_repo)


def render_commit(obsc: ObscRunner, repo: Path, *extra: str) -> str:
    result = obsc("--repo", repo, "render", "--commit", *extra)
    assert result.code == 0, result.err
    return result.out


def two_renders(obsc: ObscRunner, repo: Path) -> tuple[dict[str, bytes], str, str]:
    render_commit(obsc, repo)
    v1_tree, v1 = tree_bytes(repo / "rendered"), head(repo)
    bump_objective(repo)
    git(repo, "commit", "-q", "-am", "tighten availability")
    render_commit(obsc, repo)
    return v1_tree, v1, head(repo)


def test_render_commit_commits_only_rendered_with_trailers(obsc: ObscRunner, repo: Path) -> None:
    (repo / "notes.txt").write_text("staged by the user\n")
    git(repo, "add", "notes.txt")
    before = head(repo)

    out = render_commit(obsc, repo)

    assert head(repo) != before
    assert git(repo, "rev-parse", "HEAD^").strip() == before
    assert sorted(changed_paths(repo)) == [
        "rendered/dev/model/model.json",
        "rendered/manifest.json",
        "rendered/prod/model/model.json",
    ]
    manifest = json.loads((repo / "rendered" / "manifest.json").read_text())
    assert message(repo).splitlines()[0] == "render v1: dev model 1 added; prod model 1 added"
    assert message(repo).splitlines()[1] == ""
    assert trailers(repo) == {
        "Obsc-Render-Version": "1",
        "Obsc-Input-Digest": manifest["inputDigest"],
        "Obsc-Compiler-Version": manifest["compilerVersion"],
    }
    assert manifest["inputDigest"].startswith("sha256:")
    assert "committed" in out and "render v1" in out
    # The user's staged file stays staged and out of the commit.
    assert git(repo, "diff", "--cached", "--name-only").split() == ["notes.txt"]
    assert git(repo, "status", "--porcelain", "--", "rendered") == ""


def test_second_render_names_changed_env_and_target(obsc: ObscRunner, repo: Path) -> None:
    _, v1, v2 = two_renders(obsc, repo)
    assert v1 != v2
    subject = message(repo).splitlines()[0]
    assert subject == "render v2: dev model 1 changed; prod model 1 changed"
    assert trailers(repo)["Obsc-Render-Version"] == "2"
    assert set(changed_paths(repo)) == {
        "rendered/dev/model/model.json",
        "rendered/prod/model/model.json",
        "rendered/manifest.json",
    }


def test_nothing_changed_makes_no_commit(obsc: ObscRunner, repo: Path) -> None:
    render_commit(obsc, repo)
    before = head(repo)
    out = render_commit(obsc, repo)
    assert head(repo) == before
    assert "no commit" in out
    result = obsc("--repo", repo, "--output", "json", "render", "--commit")
    assert result.code == 0
    assert json.loads(result.out)["commit"] is None
    assert head(repo) == before


def test_json_output_names_the_commit(obsc: ObscRunner, repo: Path) -> None:
    result = obsc("--repo", repo, "--output", "json", "render", "--commit")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["commit"] == head(repo)
    assert data["commitMessage"].startswith("render v1: ")
    assert "rendered/manifest.json" in data["committedPaths"]


@pytest.mark.parametrize("edit", ["modify", "delete", "untracked"])
def test_hand_edited_rendered_refuses_before_rendering(
    obsc: ObscRunner, repo: Path, edit: str
) -> None:
    render_commit(obsc, repo)
    target = repo / "rendered" / "prod" / "model" / "model.json"
    if edit == "modify":
        target.write_bytes(target.read_bytes() + b"\n")
        name = "rendered/prod/model/model.json"
    elif edit == "delete":
        target.unlink()
        name = "rendered/prod/model/model.json"
    else:
        (repo / "rendered" / "stray.yaml").write_text("x: 1\n")
        name = "rendered/stray.yaml"
    bump_objective(repo)  # a render would change rendered/ if it ran
    before_tree, before = tree_bytes(repo / "rendered"), head(repo)

    result = obsc("--repo", repo, "render", "--commit")

    assert result.code == 4
    assert name in result.err
    assert head(repo) == before
    assert tree_bytes(repo / "rendered") == before_tree


def test_outside_git_repo_is_a_tool_error(obsc: ObscRunner, minimal_repo: Path) -> None:
    result = obsc("--repo", minimal_repo, "render", "--commit")
    assert result.code == 4
    assert "not inside a git repository" in result.err
    assert not (minimal_repo / "rendered").exists()


def test_missing_identity_is_a_tool_error(
    obsc: ObscRunner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in IDENTITY:
        monkeypatch.delenv(key)
    # Forbid git's guess from user name and host name.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    before = head(repo)
    result = obsc("--repo", repo, "render", "--commit")
    assert result.code == 4
    assert "user.name" in result.err and "user.email" in result.err
    assert head(repo) == before
    assert not (repo / "rendered").exists()
    # Repo config is enough.
    git(repo, "config", "user.name", "Repo User")
    git(repo, "config", "user.email", "repo@example.com")
    render_commit(obsc, repo)
    assert git(repo, "log", "-1", "--format=%an <%ae>") == "Repo User <repo@example.com>\n"


def test_commit_cannot_combine_with_check(obsc: ObscRunner, repo: Path) -> None:
    result = obsc("--repo", repo, "render", "--commit", "--check")
    assert result.code == 2


def test_render_commit_in_a_worktree(obsc: ObscRunner, repo: Path, tmp_path: Path) -> None:
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(worktree))
    render_commit(obsc, worktree)
    assert trailers(worktree)["Obsc-Render-Version"] == "1"
    assert git(repo, "log", "-1", "--format=%s", "feature").startswith("render v1: ")
    assert git(repo, "log", "-1", "--format=%s", "main") == "specs\n"
    assert not (repo / "rendered").exists()


def test_render_commit_on_a_detached_head(obsc: ObscRunner, repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    before = head(repo)
    render_commit(obsc, repo)
    assert git(repo, "rev-parse", "HEAD^").strip() == before
    assert trailers(repo)["Obsc-Render-Version"] == "1"
    assert git(repo, "log", "-1", "--format=%s", "main") == "specs\n"


def test_render_commit_in_a_shallow_clone(obsc: ObscRunner, repo: Path, tmp_path: Path) -> None:
    render_commit(obsc, repo)
    bump_objective(repo)
    git(repo, "commit", "-q", "-am", "tighten availability")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    render_commit(obsc, clone)
    assert trailers(clone)["Obsc-Render-Version"] == "2"
    assert message(clone).startswith("render v2: dev model 1 changed; prod model 1 changed")


def test_rollback_restores_previous_render_byte_for_byte(obsc: ObscRunner, repo: Path) -> None:
    v1_tree, v1, v2 = two_renders(obsc, repo)
    assert tree_bytes(repo / "rendered") != v1_tree

    result = obsc("--repo", repo, "rollback")

    assert result.code == 0, result.err
    assert tree_bytes(repo / "rendered") == v1_tree
    assert git(repo, "rev-parse", "HEAD^").strip() == v2
    subjects = git(repo, "log", "--format=%s").splitlines()
    assert subjects[0] == "rollback to render v1: reverts v2"
    assert subjects[1].startswith("render v2: ")
    assert any(s.startswith("render v1: ") for s in subjects[2:])
    assert trailers(repo) == {
        "Obsc-Render-Version": "1",
        "Obsc-Input-Digest": trailers(repo, v1)["Obsc-Input-Digest"],
        "Obsc-Compiler-Version": "0.1.0",
        "Obsc-Rollback-To": "1",
        "Obsc-Rollback-Target": v1,
        "Obsc-Reverts": v2,
    }
    assert set(changed_paths(repo)) <= {f"rendered/{p}" for p in v1_tree}
    assert "specs still ask for the newer output" in result.err
    assert git(repo, "status", "--porcelain") == ""
    # The specs still render v2, so a render --commit would undo the rollback.
    assert obsc("--repo", repo, "render", "--check").code == 1


def test_rollback_without_spec_drift_does_not_warn(obsc: ObscRunner, repo: Path) -> None:
    v1_tree, _, _ = two_renders(obsc, repo)
    git(repo, "revert", "--no-edit", "HEAD~1")  # the spec change; rendered/ untouched
    result = obsc("--repo", repo, "rollback", "--to", "1")
    assert result.code == 0, result.err
    assert tree_bytes(repo / "rendered") == v1_tree
    assert "specs still ask" not in result.err


def test_rollback_to_a_ref_and_json(obsc: ObscRunner, repo: Path) -> None:
    v1_tree, v1, v2 = two_renders(obsc, repo)
    bump = repo / "specs" / "services" / "api.yaml"
    bump.write_text(bump.read_text().replace("objective: 99.5\n", "objective: 99.0\n"))
    git(repo, "commit", "-q", "-am", "loosen availability")
    render_commit(obsc, repo)
    v3 = head(repo)

    result = obsc("--repo", repo, "--output", "json", "rollback", "--to", v1[:10])

    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["target"]["commit"] == v1
    assert [c["commit"] for c in data["reverts"]] == [v3, v2]
    assert data["commit"] == head(repo)
    assert data["specsAskForNewer"] is True
    assert tree_bytes(repo / "rendered") == v1_tree
    assert message(repo).startswith("rollback to render v1: reverts v2..v3\n")


def test_rollback_twice_steps_back_twice(obsc: ObscRunner, repo: Path) -> None:
    v1_tree, _, _ = two_renders(obsc, repo)
    v2_tree = tree_bytes(repo / "rendered")
    bump = repo / "specs" / "services" / "api.yaml"
    bump.write_text(bump.read_text().replace("objective: 99.5\n", "objective: 99.0\n"))
    git(repo, "commit", "-q", "-am", "loosen availability")
    render_commit(obsc, repo)

    assert obsc("--repo", repo, "rollback").code == 0
    assert tree_bytes(repo / "rendered") == v2_tree
    assert obsc("--repo", repo, "rollback").code == 0
    assert tree_bytes(repo / "rendered") == v1_tree
    assert trailers(repo)["Obsc-Rollback-To"] == "1"


def test_rollback_dry_run_changes_nothing(obsc: ObscRunner, repo: Path) -> None:
    _, _, v2 = two_renders(obsc, repo)
    before_tree = tree_bytes(repo / "rendered")
    result = obsc("--repo", repo, "rollback", "--dry-run")
    assert result.code == 0, result.err
    assert "would revert" in result.out
    assert v2[:12] in result.out
    assert head(repo) == v2
    assert tree_bytes(repo / "rendered") == before_tree
    assert git(repo, "status", "--porcelain") == ""


def test_rollback_refuses_dirty_tree(obsc: ObscRunner, repo: Path) -> None:
    _, _, v2 = two_renders(obsc, repo)
    spec = repo / "specs" / "services" / "api.yaml"
    spec.write_text(spec.read_text() + "\n")
    result = obsc("--repo", repo, "rollback")
    assert result.code == 4
    assert "specs/services/api.yaml" in result.err
    assert head(repo) == v2


def test_rollback_conflict_aborts_cleanly(obsc: ObscRunner, repo: Path) -> None:
    _, _, _ = two_renders(obsc, repo)
    hand = repo / "rendered" / "prod" / "model" / "model.json"
    hand.write_text("{}\n")
    git(repo, "commit", "-q", "-am", "hand edit of rendered output")
    before_tree, before = tree_bytes(repo / "rendered"), head(repo)

    result = obsc("--repo", repo, "rollback")

    assert result.code == 4
    assert "conflicts" in result.err and "rendered/prod/model/model.json" in result.err
    assert head(repo) == before
    assert tree_bytes(repo / "rendered") == before_tree
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / ".git" / "REVERT_HEAD").exists()


def test_rollback_with_a_single_render_is_a_usage_error(obsc: ObscRunner, repo: Path) -> None:
    render_commit(obsc, repo)
    before = head(repo)
    result = obsc("--repo", repo, "rollback")
    assert result.code == 2
    assert "nothing earlier" in result.err
    assert head(repo) == before


def test_rollback_to_unknown_version_or_non_render_ref(obsc: ObscRunner, repo: Path) -> None:
    two_renders(obsc, repo)
    assert obsc("--repo", repo, "rollback", "--to", "7").code == 2
    result = obsc("--repo", repo, "rollback", "--to", "main~1")
    assert result.code == 2
    assert "not a render commit" in result.err


def test_rollback_refuses_when_result_would_not_match_target(obsc: ObscRunner, repo: Path) -> None:
    two_renders(obsc, repo)
    (repo / "rendered" / "extra.txt").write_text("added by hand\n")
    git(repo, "add", "rendered/extra.txt")
    git(repo, "commit", "-q", "-m", "hand-made file in rendered/")
    before_tree, before = tree_bytes(repo / "rendered"), head(repo)

    result = obsc("--repo", repo, "rollback")

    assert result.code == 4
    assert "extra.txt" in result.err and "would not equal render v1" in result.err
    assert head(repo) == before
    assert tree_bytes(repo / "rendered") == before_tree
    assert git(repo, "status", "--porcelain") == ""
