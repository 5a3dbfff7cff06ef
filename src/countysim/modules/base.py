"""The lifecycle every mechanism shares.

The model calls each module at fixed points of the year (see `CountyModel.step`):

- `setup` once, after the world and the population exist (in the order of
  `CountyModel.modules`);
- `levers` names the module's policy levers (dotted scenario path -> schedule); the policy
  step evaluates them every year into `model.levers` and then calls `apply_levers`, so a
  lever acts from the start of its year;
- `step` once a year, at the module's place in the loop; `substep` once per sub-step for
  the modules that act within the year;
- `outputs` and `place_outputs` add the module's columns to the county table and the place
  panel when the year is recorded.

A module keeps its own parameters and the state that belongs to its mechanism only; it
reaches other mechanisms through the model's extension points (`model.choice_terms`,
`model.income_sources`, `model.settlement_terms`).
"""

from __future__ import annotations

import numpy as np


class Module:
    name = "module"

    def setup(self, model) -> None:
        """Derive starting state from the scenario, the world and the population."""

    def levers(self, scenario) -> dict[str, object]:
        """Dotted scenario path -> schedule of each lever this module reads."""
        return {}

    def apply_levers(self, model) -> None:
        """Act on this year's lever values (in `model.levers`) at the start of the year."""

    def step(self, model) -> None:
        """The module's yearly action."""

    def substep(self, model) -> None:
        """The module's action inside a sub-step of the year (labour market, choice)."""

    def outputs(self, model) -> dict[str, float]:
        """County-table columns for the year being recorded."""
        return {}

    def place_outputs(self, model) -> dict[str, np.ndarray]:
        """Place-panel columns (one value per place) for the year being recorded."""
        return {}
