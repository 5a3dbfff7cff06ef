"""Policy: this year's value of every lever.

Levers are scenario parameters with a schedule (see `config.schedule`), declared by the
modules that use them (`Module.levers`). At the start of each year their values are kept
in `model.levers` (dotted scenario path -> value), so every module reads the same number
and the recorder writes it next to the outcomes; then each module acts on them
(`Module.apply_levers`).
"""

from __future__ import annotations

from countysim.config.schedule import value_at
from countysim.modules.base import Module


class Policy(Module):
    name = "policy"

    def setup(self, model) -> None:
        self.schedules: dict[str, object] = {}
        for module in model.modules:
            self.schedules.update(module.levers(model.scenario))
        self.step(model)

    def step(self, model) -> None:
        model.levers = {path: value_at(s, model.year) for path, s in self.schedules.items()}
        for module in model.modules:
            module.apply_levers(model)
