"""`python -m tests.golden [--refresh] [NAME...]`: check or rewrite the golden trees.

Without --refresh, exit 1 and explain every pair whose committed tree is stale; with it,
rewrite the stale ones (review them with `git diff tests/golden` before committing).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from tests.conftest import tree_bytes
from tests.golden import PAIRS, explain, refresh, render


def main(argv: list[str] | None = None) -> int:
    """Check (or with --refresh rewrite) the named pairs, or all of them."""
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__)
    parser.add_argument("--refresh", action="store_true", help="rewrite stale golden trees")
    parser.add_argument("names", nargs="*", metavar="NAME", help="pairs (default: all)")
    args = parser.parse_args(argv)
    known = {pair.name: pair for pair in PAIRS}
    unknown = sorted(set(args.names) - set(known))
    if unknown:
        parser.error(f"no golden pair {', '.join(unknown)}; known: {', '.join(known)}")
    stale = 0
    with tempfile.TemporaryDirectory(prefix="obsc-golden-") as tmp:
        os.environ["OBSC_CACHE_DIR"] = str(Path(tmp) / "cache")  # never the user's cache
        for name in args.names or list(known):
            pair, work = known[name], Path(tmp) / name
            if args.refresh:
                changed = refresh(pair, work)
                print(f"{name}: {'rewritten' if changed else 'up to date'}")
                continue
            expected, actual = tree_bytes(pair.expected), render(pair, work)
            if expected != actual:
                stale += 1
                print(explain(pair, expected, actual, work), end="\n\n")
            else:
                print(f"{name}: up to date")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
