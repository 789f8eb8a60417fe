"""The render engine: targets run over a resolved estate, knowing nothing of disk caches.

- `contract`: what a target is (`Target`, `PerService`, the renderer function types);
  `targets/` implements it;
- `registry`: the targets, handed in by whoever drives the compiler (obsc's CLI);
- `settings`: `--set` values checked against what targets accept, and the renderers they
  configure;
- `units`: the plan (typed units of work) and running one unit into a sink;
- `runner`: the one job policy (`OBSC_JOBS`) and the one process pool, for renders and for
  `obsc diff`'s comparisons, with a progress hook;
- `engine`: render (environment, target) pairs, streaming or in memory.

What a unit may skip is decided by a `ServiceMemo` handed in (compiler.build provides one).
"""
