"""The lifecycle every mechanism shares.

The model calls each module at fixed points of the year (see `CountyModel.step`):
`setup` once after the world and the population exist, `step` once a year, and, for
the modules that act within the year, `substep` once per sub-step. A module keeps its
own parameters and any state that belongs to its mechanism only.
"""

from __future__ import annotations


class Module:
    name = "module"

    def setup(self, model) -> None:
        """Derive starting state from the scenario, the world and the population."""

    def step(self, model) -> None:
        """The module's yearly action."""

    def substep(self, model) -> None:
        """The module's action inside a sub-step of the year (labour market, choice)."""
