"""`obsc verify`: check a running environment against what obsc rendered for it.

The expectation is read from `rendered/<env>/` (never re-rendered, so what is checked is
exactly what was deployed); the running stack is asked over HTTP. One module per job:
`endpoints` (where and how to ask), `http` (asking, with errors that name the endpoint),
`expected` (reading the rendered tree), one module per backend's checks, `probe` (a
tagged signal sent through the collector), `run` (retries until `--wait` is up) and
`report` (table and JSON). `verify` assembles them.
"""

from __future__ import annotations

from compiler.verify.verify import VerifyRequest, verify

__all__ = ["VerifyRequest", "verify"]
