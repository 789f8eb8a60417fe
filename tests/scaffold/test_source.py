"""Where the scaffolded CI installs obsc from: a pinned source, the running obsc's by default."""

from __future__ import annotations

import json
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from compiler.errors import UsageError
from compiler.scaffold.source import running_source, source_from_option
from tests.conftest import ObscRunner

DIGEST = "0" * 63 + "1"


def test_git_url_pinned_to_a_tag_or_commit() -> None:
    tag = source_from_option("git+https://github.com/acme/obsc@v0.1.0")
    assert tag.requirement == "obsc @ git+https://github.com/acme/obsc@v0.1.0"
    ssh = source_from_option("git+ssh://git@github.com/acme/obsc.git@" + "a" * 40)
    assert ssh.requirement.endswith("obsc.git@" + "a" * 40)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("git+https://github.com/acme/obsc", "needs a tag or commit"),
        ("git+ssh://git@github.com/acme/obsc", "needs a tag or commit"),
        ('git+https://github.com/acme/obsc@v1"; curl evil', "needs a tag or commit"),
        ("https://files.example.com/obsc-0.1.0-py3-none-any.whl", "#sha256="),
        (f"http://files.example.com/obsc-0.1.0-py3-none-any.whl#sha256={DIGEST}", "https"),
        (f"https://files.example.com/other-0.1.0-py3-none-any.whl#sha256={DIGEST}", "not an obsc"),
        ("obsc==0.1.0", "expected a git+ URL"),
        ("/nowhere/obsc-0.1.0-py3-none-any.whl", "no such file"),
    ],
)
def test_unpinned_or_unknown_sources_are_refused(value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("+", r"\+")):
        source_from_option(value)


def test_wheel_url_keeps_its_digest() -> None:
    url = f"https://files.example.com/obsc-0.1.0-py3-none-any.whl#sha256={DIGEST}"
    assert source_from_option(url).requirement == f"obsc @ {url}"


class _Distribution:
    def __init__(self, direct_url: dict[str, object] | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return None if self.direct_url is None else json.dumps(self.direct_url)


def _installed_from(monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, object] | None) -> None:
    monkeypatch.setattr(metadata, "distribution", lambda name: _Distribution(direct_url))


def test_default_is_the_commit_a_vcs_install_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    commit = "b" * 40
    _installed_from(
        monkeypatch,
        {
            "url": "https://github.com/acme/obsc",
            "vcs_info": {"vcs": "git", "commit_id": commit, "requested_revision": "v0.1.0"},
        },
    )
    assert running_source().requirement == f"obsc @ git+https://github.com/acme/obsc@{commit}"


def test_default_is_the_wheel_an_archive_install_recorded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "https://files.example.com/obsc-0.1.0-py3-none-any.whl"
    _installed_from(monkeypatch, {"url": url, "archive_info": {"hashes": {"sha256": DIGEST}}})
    assert running_source().requirement == f"obsc @ {url}#sha256={DIGEST}"
    wheel = tmp_path / "obsc-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK")
    _installed_from(monkeypatch, {"url": wheel.as_uri(), "archive_info": {}})
    local = running_source()
    assert (local.requirement, local.wheel) == (f"./.github/obsc/{wheel.name}", wheel)


def test_an_index_install_names_no_source(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed_from(monkeypatch, None)
    with pytest.raises(UsageError, match="cannot tell where this obsc was installed from"):
        running_source()


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _checkout(tmp_path: Path, origin: str | None) -> Path:
    repo = tmp_path / "obsc-src"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(
        repo,
        "-c",
        "user.name=a",
        "-c",
        "user.email=a@b",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    )
    if origin:
        _git(repo, "remote", "add", "origin", origin)
    return repo


def test_default_for_a_checkout_is_its_origin_at_head(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = _checkout(tmp_path, "git@github.com:acme/obsc.git")
    head = _git(repo, "rev-parse", "HEAD")
    _installed_from(monkeypatch, {"url": repo.as_uri(), "dir_info": {"editable": True}})
    expected = f"obsc @ git+ssh://git@github.com/acme/obsc.git@{head}"
    assert running_source().requirement == expected


def test_a_checkout_without_origin_is_refused_with_the_way_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, obsc: ObscRunner
) -> None:
    repo = _checkout(tmp_path, None)
    _installed_from(monkeypatch, {"url": repo.as_uri(), "dir_info": {"editable": True}})
    result = obsc("init", tmp_path / "config")
    assert result.code == 2
    assert "not a clean git checkout with an origin remote; pass --obsc-from" in result.err
    assert not (tmp_path / "config").exists()
