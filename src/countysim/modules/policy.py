"""Policy: this year's value of every lever, and the access rules that follow from them.

Levers are scenario parameters with a schedule (see `config.schedule`). Their values for
the year are kept in `model.levers` (dotted scenario path -> value) so that every module
reads the same number and the recorder can write it next to the outcomes.

Residence permits open public services and schools to residents without local hukou: a
permit lever p closes that share of the gap, access = base + p * (1 - base).
"""

from __future__ import annotations

import numpy as np

from countysim.config.schedule import value_at
from countysim.modules.base import Module


def lever_paths(scenario) -> dict[str, object]:
    """Dotted path -> schedule of every lever in a scenario."""
    levers = {
        "hukou.settlement_years_county": scenario.hukou.settlement_years_county,
        "hukou.residence_permit_access": scenario.hukou.residence_permit_access,
    }
    for i, city in enumerate(scenario.outside_cities):
        levers[f"outside_cities[{i}].settlement_years"] = city.settlement_years
    return levers


class Policy(Module):
    name = "policy"

    def setup(self, model) -> None:
        st = model.state
        self.base_access = st.non_hukou_access.copy()
        self.base_school = st.school_access.copy()
        self.step(model)

    def step(self, model) -> None:
        model.levers = {
            path: value_at(s, model.year) for path, s in lever_paths(model.scenario).items()
        }
        permit = model.levers["hukou.residence_permit_access"]
        st = model.state
        st.non_hukou_access = self.base_access + permit * (1 - self.base_access)
        st.school_access = self.base_school + permit * (1 - self.base_school)

    def settlement_years(self, model) -> np.ndarray:
        """Years of residence a non-local resident needs before settling, per place."""
        world = model.world
        years = np.full(world.n, model.levers["hukou.settlement_years_county"])
        cities = np.flatnonzero(~world.is_county)
        for i, place in enumerate(cities):
            years[place] = model.levers[f"outside_cities[{i}].settlement_years"]
        return years
