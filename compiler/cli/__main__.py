"""`python -m compiler.cli`: the same entry point as the `obsc` script."""

from compiler.cli.main import run

run()
