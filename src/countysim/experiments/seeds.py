"""Seeds of replicate runs, derived so that a run's seed depends only on what it is.

A replicate's seed comes from numpy's ``SeedSequence`` keyed by the scenario's own seed and
the replicate number, never from a counter or the order in which runs happen to execute, so
the same sweep gives the same seeds on a laptop, on a cluster and in any shard of a job array.

Two kinds of streams:

- common random numbers (the default): replicate ``r`` gets the same seed in every scenario
  and at every design point. Differences between scenarios are then not blurred by different
  random draws, which makes paired comparisons and sensitivity estimates much less noisy.
- independent streams: a hash of the scenario is mixed into the key as well, so every
  scenario (every design point of a sweep) draws its own, unrelated random numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from countysim.provenance import scenario_hash

Streams = Literal["common", "independent"]
STREAMS: tuple[Streams, ...] = ("common", "independent")

#: The scenario schema's seed field takes integers in [0, 2**63 - 1].
_SEED_BITS = 63


def replicate_seed(base_seed: int, replicate: int, stream: int | None = None) -> int:
    """The model seed of replicate ``replicate`` (0, 1, ...) of a scenario seeded ``base_seed``.

    ``SeedSequence(entropy=base_seed, spawn_key=(replicate,))`` is the ``replicate``-th child of
    ``SeedSequence(base_seed).spawn(...)``; ``stream`` (see ``stream_key``) goes in front of the
    replicate in the spawn key for independent streams.
    """
    if replicate < 0:
        raise ValueError(f"replicate numbers start at 0, got {replicate}")
    key = (replicate,) if stream is None else (stream, replicate)
    words = np.random.SeedSequence(entropy=base_seed, spawn_key=key).generate_state(2, np.uint32)
    return (int(words[0]) << 32 | int(words[1])) >> (64 - _SEED_BITS)


def stream_key(resolved_scenario: Mapping[str, Any]) -> int:
    """A 64-bit key naming a resolved scenario (a design point), from its provenance hash."""
    return int(scenario_hash(dict(resolved_scenario))[:16], 16)


def run_seed(
    resolved_scenario: Mapping[str, Any], replicate: int, streams: Streams = "common"
) -> int:
    """The seed of one replicate of a resolved scenario under the given kind of streams."""
    if streams not in STREAMS:
        raise ValueError(f"streams must be one of {', '.join(STREAMS)}, got {streams!r}")
    stream = stream_key(resolved_scenario) if streams == "independent" else None
    return replicate_seed(resolved_scenario["seed"], replicate, stream)
