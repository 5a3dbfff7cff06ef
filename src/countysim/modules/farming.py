"""Family farming in the villages.

Output of a farming unit is p_a A_a T^beta L^(1-beta) with T the land it farms (mu) and
L its farm labour (persons, the elderly counted at a lower weight). The unit is the
household by default (a family farm pays its members the average product); in the
Harris-Todaro limit it is the whole village, paid the marginal product. A_a is set so
that at the reference land per worker a mu yields the scenario's value added. The price
p_a follows a national path (a small county is a price taker), or, in the two-sector
limit, is tied to urban output: p_a = rho Y_m / Y_a. Land of households with nobody
farming lies idle (leasing comes with the land institutions).
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module
from countysim.population import FARMER


class Farming(Module):
    name = "farming"

    def setup(self, model) -> None:
        f = model.scenario.farming
        self.beta = f.land_elasticity
        self.productivity = f.value_added_yuan_per_mu * f.reference_mu_per_worker ** (1 - self.beta)
        self.price = 1.0
        self.step(model)

    def step(self, model) -> None:
        f = model.scenario.farming
        self.price = (1 + f.price_growth) ** (model.year - model.scenario.years.start)

    def _labour(self, model) -> tuple[np.ndarray, np.ndarray]:
        """Farm labour weight of every person and the farming unit index of every person.

        A row-household stands for `scale` identical real households, so a household unit
        counts rows; a village unit counts persons (rows times scale)."""
        p, f = model.persons, model.scenario.farming
        elderly = p.age >= model.scenario.demography.retirement_age
        weight = np.where(p.status == FARMER, np.where(elderly, f.elderly_labour_weight, 1.0), 0.0)
        unit = p.hh if f.unit == "household" else model.households.home[p.hh]
        return weight, unit

    def _unit_scale(self, model) -> int:
        return 1 if model.scenario.farming.unit == "household" else model.scenario.simulation.scale

    def _unit_land(self, model) -> np.ndarray:
        hh = model.households
        if model.scenario.farming.unit == "household":
            return hh.land_mu
        scale = model.scenario.simulation.scale
        return scale * np.bincount(hh.home, weights=hh.land_mu, minlength=model.world.n)

    def _price(self, model, quantity: np.ndarray) -> float:
        """This sub-step's farm price; `quantity` is the output of each farming unit."""
        f = model.scenario.farming
        if f.price_rule == "national":
            return self.price
        # Urban output is in persons; a household unit stands for `scale` real households.
        total = quantity.sum() * model.scenario.simulation.scale / self._unit_scale(model)
        urban_output = model.state.manufacturing_output.sum()
        return f.relative_price_rho * urban_output / max(total, 1e-12)

    def substep(self, model) -> None:
        """Produce and pay the sub-step's farm income; record land use per village."""
        p, world = model.persons, model.world
        weight, unit = self._labour(model)
        land = self._unit_land(model)
        labour = self._unit_scale(model) * np.bincount(unit, weights=weight, minlength=len(land))
        quantity = np.where(
            labour > 0, self.productivity * land**self.beta * labour ** (1 - self.beta), 0.0
        )
        price = self._price(model, quantity)
        per_worker = (
            self._pay_share(model)
            * price
            * np.divide(quantity, labour, out=np.zeros_like(quantity), where=labour > 0)
        )
        p.farm_income += per_worker[unit] * weight / model.scenario.simulation.substeps

        home = model.households.home
        hh_land = model.households.land_mu
        if model.scenario.farming.unit == "household":
            scale, st = model.scenario.simulation.scale, model.state
            farmed = labour > 0
            st.land_farmed = scale * np.bincount(home, weights=hh_land * farmed, minlength=world.n)
            st.land_idle = scale * np.bincount(home, weights=hh_land * ~farmed, minlength=world.n)
            st.farm_output = scale * np.bincount(home, weights=price * quantity, minlength=world.n)
        else:
            model.state.land_farmed = np.where(labour > 0, land, 0.0)
            model.state.land_idle = np.where(labour > 0, 0.0, land)
            model.state.farm_output = price * quantity

    def _pay_share(self, model) -> float:
        return 1.0 if model.scenario.farming.pay == "average" else 1.0 - self.beta

    def prospective_income(self, model, rows: np.ndarray) -> np.ndarray:
        """Farm income each person in `rows` would earn by farming at home this year."""
        p = model.persons
        unit_scale = self._unit_scale(model)
        weight, unit = self._labour(model)
        land = self._unit_land(model)
        labour = unit_scale * np.bincount(unit, weights=weight, minlength=len(land))
        quantity = (
            self.productivity * land**self.beta * np.maximum(labour, 1e-12) ** (1 - self.beta)
        )
        elderly = p.age[rows] >= model.scenario.demography.retirement_age
        own = np.where(elderly, model.scenario.farming.elderly_labour_weight, 1.0)
        u = unit[rows]
        # Labour of the unit if this person farms: others' labour plus their own.
        l_new = labour[u] - unit_scale * weight[rows] + unit_scale * own
        land_u = land[u]
        q_new = self.productivity * land_u**self.beta * l_new ** (1 - self.beta)
        price = self._price(model, quantity)
        return self._pay_share(model) * price * q_new / l_new * own
