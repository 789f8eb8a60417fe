"""Provenance of every resolved service, computed when asked for a recalled one.

A service recalled from a record (compiler.resolve.memo) was not run through the layers, so
its provenance is not known yet; `obsc explain`, `obsc report` and a policy violation's
location ask for it, a render or a diff never does. The layers are pure functions of their
input, so running them when asked gives the chains a full resolve would have recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from compiler.model import Provenance
from compiler.resolve import layers
from compiler.resolve.layers import LayerInput
from compiler.spec.models import Environment

Key = tuple[str, str]  # (service, environment)


class LazyProvenance(Mapping[Key, Provenance]):
    """Provenance by (service, environment), in resolve order; some computed on first use."""

    def __init__(self) -> None:
        self._items: dict[Key, Provenance | tuple[LayerInput, Environment, int]] = {}

    def add(self, provenance: Provenance) -> None:
        """The provenance of a service just resolved."""
        self._items[(provenance.service, provenance.environment)] = provenance

    def later(self, key: Key, base: LayerInput, environment: Environment, index: int) -> None:
        """A recalled service: its provenance is computed when asked.

        From `base` in the `index`th environment: the LayerInput is made then (making
        20,000 of them cost 0.1 s of a load).
        """
        self._items[key] = (base, environment, index)

    def __getitem__(self, key: Key) -> Provenance:
        item = self._items[key]
        if isinstance(item, Provenance):
            return item
        base, environment, index = item
        ctx = replace(base, environment=environment, environment_index=index)
        chains = layers.merge(layer(ctx) for layer in layers.LAYERS)
        provenance = self._items[key] = Provenance(key[0], key[1], chains)
        return provenance

    def __iter__(self) -> Iterator[Key]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
