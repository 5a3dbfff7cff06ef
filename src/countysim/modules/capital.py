"""Capital: the non-farm capital stock of the county's places.

Capital grows along the scenario's path; it is the K in the places' production
functions (`labour`), so growth shifts labour demand out at every wage.
"""

from __future__ import annotations

from countysim.modules.base import Module


class Capital(Module):
    name = "capital"

    def step(self, model) -> None:
        county = model.world.is_county
        model.state.capital[county] *= 1 + model.scenario.labour.capital_growth
