"""Where the CI of a new config repository installs obsc from: a pinned source, never a bare name.

`pip install obsc==0.1.0` would ask a package index for a name obsc does not own there; the
first to register it would run code in every config repository's CI. So the workflow
installs from a source the user controls, written out explicitly: a git URL pinned to a tag
or commit, a wheel URL with its sha256, or a wheel committed into the config repository.
By default it is where the running obsc came from (PEP 610 `direct_url.json`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from compiler.errors import UsageError

#: Where a wheel given to `obsc init` is copied inside the new repository.
WHEEL_DIR = ".github/obsc"

_WHEEL_NAME = re.compile(r"obsc-[\w.+]+-[\w.]+-[\w.]+-[\w.]+\.whl")
_GIT_URL = re.compile(r"git\+(https|ssh|file)://[\w.~:/%+=@-]+@[\w.~%+-]+")
_SAFE_URL = re.compile(r"https://[\w.~:/%+=@-]+#sha256=[0-9a-f]{64}")
_HINT = (
    "pass --obsc-from with a git URL pinned to a tag or commit "
    "(git+https://github.com/ORG/obsc@v0.1.0), a wheel URL ending in #sha256=..., or a wheel "
    "file (pip wheel --no-deps DIR) to commit into the repository"
)


@dataclass(frozen=True, slots=True)
class ObscSource:
    """What the workflow's `pip install` gets, and the wheel to copy into the repository."""

    requirement: str
    description: str
    wheel: Path | None = None


def source_from_option(value: str) -> ObscSource:
    """The source a user named with `--obsc-from`: a pinned git URL, a wheel URL, a wheel file."""
    if value.startswith("git+"):
        if _GIT_URL.fullmatch(value) is None:
            raise UsageError(f"--obsc-from {value}: a git URL needs a tag or commit (...@REF)")
        return ObscSource(f"obsc @ {value}", value)
    if value.startswith(("https://", "http://")):
        return _wheel_url(value)
    return _wheel_file(Path(value).expanduser())


def _wheel_url(url: str) -> ObscSource:
    parts = urlsplit(url)
    if _SAFE_URL.fullmatch(url) is None or not parts.fragment.startswith("sha256="):
        raise UsageError(
            f"--obsc-from {url}: a wheel URL must be https and end in #sha256=<digest>, "
            "so that pip refuses any other file at that address"
        )
    if _WHEEL_NAME.fullmatch(Path(parts.path).name) is None:
        raise UsageError(f"--obsc-from {url}: not an obsc wheel (obsc-VERSION-...-.whl)")
    return ObscSource(f"obsc @ {url}", url)


def _wheel_file(path: Path) -> ObscSource:
    if _WHEEL_NAME.fullmatch(path.name) is None:
        raise UsageError(
            f"--obsc-from {path}: expected a git+ URL, an https wheel URL or an obsc wheel file "
            "(obsc-VERSION-py3-none-any.whl)"
        )
    if not path.is_file():
        raise UsageError(f"--obsc-from {path}: no such file")
    requirement = f"./{WHEEL_DIR}/{path.name}"
    return ObscSource(
        requirement, f"the wheel {requirement[2:]}, committed in this repository", path
    )


def running_source() -> ObscSource:
    """Where the running obsc was installed from, as PEP 610 records it.

    An index install records nothing (obsc is not on PyPI, and a bare name is what this
    module exists to avoid); an install from a directory is reachable from CI only as the
    commit its git checkout has at its `origin` remote.
    """
    try:
        raw = metadata.distribution("obsc").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        raw = None
    if raw is None:
        raise UsageError("cannot tell where this obsc was installed from; " + _HINT)
    record = json.loads(raw)
    url = str(record.get("url", ""))
    if "vcs_info" in record:
        info = record["vcs_info"]
        if info.get("vcs") != "git" or not info.get("commit_id"):
            raise UsageError(f"this obsc comes from {url}, not a git commit; " + _HINT)
        return source_from_option(f"git+{url}@{info['commit_id']}")
    if "archive_info" in record:
        return _archive_source(url, record["archive_info"])
    return _checkout_source(Path(unquote(urlsplit(url).path)))


def _archive_source(url: str, info: dict[str, object]) -> ObscSource:
    if url.startswith("file://"):
        return _wheel_file(Path(unquote(urlsplit(url).path)))
    hashes = info.get("hashes")
    digest = hashes.get("sha256") if isinstance(hashes, dict) else None
    if not digest and isinstance(info.get("hash"), str):
        algorithm, _, value = str(info["hash"]).partition("=")
        digest = value if algorithm == "sha256" else None
    if not digest:
        raise UsageError(f"this obsc comes from {url} with no sha256 recorded; " + _HINT)
    return source_from_option(f"{url.split('#', 1)[0]}#sha256={digest}")


def _checkout_source(directory: Path) -> ObscSource:
    git = shutil.which("git")
    if git is None:
        raise UsageError(f"this obsc comes from the directory {directory}; " + _HINT)

    def ask(*args: str) -> str:
        done = subprocess.run(
            [git, "-C", str(directory), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    origin, commit = ask("remote", "get-url", "origin"), ask("rev-parse", "HEAD")
    if not origin or not commit or ask("status", "--porcelain", "--untracked-files=no"):
        raise UsageError(
            f"this obsc comes from the directory {directory}, which is not a clean git checkout "
            "with an origin remote; " + _HINT
        )
    if "://" not in origin:
        origin = "ssh://" + origin.replace(":", "/", 1)
    return source_from_option(f"git+{origin}@{commit}")
