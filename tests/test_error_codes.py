"""Every diagnostic code the compiler can emit is documented in docs/error-codes.md."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_every_code_used_is_documented() -> None:
    used = set()
    for source in (ROOT / "compiler").rglob("*.py"):
        used.update(re.findall(r"OBSC\d{3}", source.read_text(encoding="utf-8")))
    documented = set(
        re.findall(r"^\| (OBSC\d{3}) \|", (ROOT / "docs" / "error-codes.md").read_text(), re.M)
    )
    assert used, "no codes found: the scan is broken"
    assert used <= documented, f"undocumented codes: {sorted(used - documented)}"
    assert documented <= used, f"documented but never used: {sorted(documented - used)}"
