"""Random mutations of valid specs: the compiler answers 0 or 2, never a crash or a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.errors import SpecError
from compiler.pipeline import load_estate
from tests.conftest import FIXTURES

SOURCE = (FIXTURES / "minimal" / "specs" / "services" / "api.yaml").read_bytes()
PROJECT = (FIXTURES / "minimal" / "specs" / "project.yaml").read_bytes()

_TOKENS = [
    b":",
    b"-",
    b" ",
    b"\n",
    b"\t",
    b"{",
    b"}",
    b"[",
    b"]",
    b"&a",
    b"*a",
    b"'",
    b'"',
    b"#",
    b"---",
    b"\x00",
    b"\xff",
    b"100",
    b"-1",
    b"1e309",
    b"null",
    b"yes",
    b"0x",
    b"!!python/object",
    b"~",
    b"..",
    b"?",
    b"|",
    b">",
]


@st.composite
def mutated(draw: st.DrawFn, source: bytes) -> bytes:
    data = bytearray(source)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "swap-lines"]))
        pos = draw(st.integers(min_value=0, max_value=max(0, len(data) - 1)))
        if op == "insert":
            data[pos:pos] = draw(st.sampled_from(_TOKENS))
        elif op == "delete":
            size = draw(st.integers(min_value=1, max_value=12))
            del data[pos : pos + size]
        elif op == "replace":
            data[pos : pos + 1] = draw(st.binary(min_size=0, max_size=3))
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def _check(repo: Path) -> None:
    try:
        load_estate(repo)
    except SpecError as exc:
        assert exc.diagnostics, "a SpecError must carry diagnostics"
        for diagnostic in exc.diagnostics:
            assert diagnostic.location.file.startswith("specs"), diagnostic.render()
            assert diagnostic.code.startswith("OBSC")


@pytest.mark.slow  # 300 examples: about 10 s of CPU
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(service=mutated(SOURCE), project=st.one_of(st.just(PROJECT), mutated(PROJECT)))
def test_mutated_specs_are_valid_or_clean_errors(
    tmp_path_factory: object, service: bytes, project: bytes
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch)
        (repo / "specs" / "services").mkdir(parents=True)
        (repo / "specs" / "project.yaml").write_bytes(project)
        (repo / "specs" / "services" / "api.yaml").write_bytes(service)
        _check(repo)


def test_cli_exit_code_on_a_mutated_spec_is_two_without_traceback(
    minimal_repo: Path, obsc: object
) -> None:
    from tests.conftest import ObscRunner

    run: ObscRunner = obsc  # type: ignore[assignment]
    target = minimal_repo / "specs" / "services" / "api.yaml"
    target.write_bytes(SOURCE.replace(b"objective: 99.9", b"objective: [99.9"))
    result = run("--repo", minimal_repo, "render")
    assert result.code == 2
    assert "Traceback" not in result.err
    assert not (minimal_repo / "rendered").exists()
    shutil.rmtree(minimal_repo / "specs")
    assert run("--repo", minimal_repo, "validate").code == 2
