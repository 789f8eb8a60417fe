"""Print a DiffResult as text (terminal), JSON (tools) or Markdown (the PR comment).

The Markdown form must fit in one GitHub comment (65,536 characters): the summary table
is always kept whole, and per-file sections are cut with a notice when they would not fit.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import groupby

from compiler.gitops.diff import SECRETS_NOTE, Change, DiffResult

GITHUB_LIMIT = 65_536
MARGIN = 1_024  # room for the notice and for a comment bot's own header


def as_text(result: DiffResult) -> str:
    """Grouped by environment, target and file; one line per change."""
    lines = [_headline(result), SECRETS_NOTE]
    for (env, target), by_pair in groupby(result.changes, key=lambda c: (c.env, c.target)):
        lines.append(f"\n{env}/{target}")
        for file, changes in groupby(by_pair, key=lambda c: c.file):
            lines.append(f"  {file}")
            lines.extend(f"    {c.summary}" for c in changes)
    return "\n".join(lines) + "\n"


def as_json(result: DiffResult) -> str:
    """A list of change records (the note on secrets goes to stderr with the CLI)."""
    return json.dumps([c.as_json() for c in result.changes], indent=2, sort_keys=True) + "\n"


def as_markdown(result: DiffResult, limit: int = GITHUB_LIMIT) -> str:
    """The PR comment: title, summary table, then one collapsible section per file."""
    head = [f"## obsc diff: {_headline(result)}", "", f"_{SECRETS_NOTE}_", ""]
    if result.changes:
        head.extend(_table(result.changes))
    text = "\n".join(head) + "\n"
    sections = [_section(file, list(cs)) for file, cs in groupby(result.changes, key=_file_of)]
    budget = limit - MARGIN - len(text)
    shown = 0
    for section in sections:
        if len(section) > budget:
            break
        text += section
        budget -= len(section)
        shown += 1
    if shown < len(sections):
        text += (
            f"\n… {len(sections) - shown} more files not shown; run `obsc diff` locally "
            "for the full list.\n"
        )
    return text


def _headline(result: DiffResult) -> str:
    version = f" (render version {result.render_version})" if result.render_version else ""
    if not result.changes:
        return f"no changes against {result.against}{version}"
    kinds = Counter(c.kind for c in result.changes)
    files = len(result.files)
    return (
        f"{_n(len(result.changes), 'change')} in {_n(files, 'file')} against "
        f"{result.against}{version}: {_n(kinds['added'], 'file')} added, "
        f"{kinds['removed']} removed, {_n(kinds['changed'], 'change')} inside files"
    )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _table(changes: list[Change]) -> list[str]:
    rows = ["| environment | target | files | added | removed | changes inside files |"]
    rows.append("| --- | --- | ---: | ---: | ---: | ---: |")
    for (env, target), group in groupby(changes, key=lambda c: (c.env, c.target)):
        items = list(group)
        kinds = Counter(c.kind for c in items)
        files = len({c.file for c in items})
        rows.append(
            f"| {env} | {target} | {files} | {kinds['added']} | {kinds['removed']} "
            f"| {kinds['changed']} |"
        )
    return [*rows, ""]


def _file_of(change: Change) -> str:
    return "/".join(p for p in (change.env, change.target, change.file) if p)


def _section(file: str, changes: list[Change]) -> str:
    body = "\n".join(c.summary for c in changes)
    fence = "````" if "```" in body else "```"
    count = _n(len(changes), "change")
    return (
        f"<details><summary><code>{_escape(file)}</code>: {count}</summary>\n\n"
        f"{fence}text\n{body}\n{fence}\n\n</details>\n"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
