"""Incremental builds: the only owner of obsc's cache directory.

- `store`: the cache directory and its versioned JSON records (get/put by key in a namespace);
- `files`: the one write-a-temporary-then-rename helper;
- `spec_files`: spec files parsed and validated before, recalled by the digest of their bytes;
- `fingerprint`: digests of the compiler, of a render's inputs and of one service's inputs;
- `stat_index`: the stat of files as last seen (inputs and rendered/), git-index style;
- `state`: `BuildState`, which says whether a render would change anything (and why not
  fresh), and records what a render produced.

Nothing here renders or parses specs; the render engine (compiler.render) knows nothing of
this package.
"""
