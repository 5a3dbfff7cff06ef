"""Farming in the villages: family farms on their own land, operators on leased land.

Family farms. A farming unit produces p_a A_a T^beta L^(1-beta), with T the land it farms
itself (mu: its contract land less what it leases out or lends for the year, plus what it
borrows from kin and neighbours, see `land` and `kin_tenancy`) and L its
farm labour (persons, the elderly at a lower weight). The unit is the household by
default (a family farm pays its members the average product); in the Harris-Todaro limit
it is the whole village, paid the marginal product, and there is no rental market. A_a is
set so that at the reference land per worker a mu yields the scenario's value added. The
price p_a follows a national path (a small county is a price taker), or, in the
two-sector limit, is tied to urban output: p_a = rho (Y_m / Y_a)^gamma.

Operators. Leased land is farmed by operators (specialised households, cooperatives,
agribusiness from town) with the productivity premium pi of secure leasing rights (Chari
et al. 2021: output about +8%, productivity about +10%), hiring labour at the rural wage
w: what a job seeker can expect in the village's non-farm labour market, P(job) times the
wage plus the rest times the informal wage. Where the marginal product of hired labour
equals the wage, an operator hires

    l*(w) = ((1 - beta) (1 + pi) p_a A_a / w)^(1/beta)   workers per mu,

and the rest of its output per mu is the most rent it can pay (its zero-profit rent):

    r_max(w) = beta (1 + pi) p_a A_a l*^(1-beta).

The hired hands are the village's farmers: the operators' demand H_v = T_v l*(w_v) takes a
share s_v = min(1, H_v / F_v) of the village's farm labour F_v, at the wage; the rest of
each farmer's labour works the family land. Per unit of farm labour a farmer earns

    s_v w_v + p_a Q_u / L_u,    Q_u = A_a T_u^beta ((1 - s_v) L_u)^(1-beta),

and operators produce Q_v = (1 + pi) A_a T_v^beta (s_v F_v)^(1-beta). Hired farm work is
kept inside farming rather than added to the non-farm labour market so that hired hands
stay farmers in the statistics (migrant workers are non-farm workers by definition) and so
that the farm option of the location choice carries the wage work operators offer.

Every sub-step records the land use of each village: farmed by households (own land of
units that put labour on it), leased (farmed by operators) and idle (own land of units
without labour, and the collective's land that found no tenant). Land lent informally is
farmed by the borrowing household and counts as farmed there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from countysim.modules.base import Module
from countysim.population import FARMER


@dataclass
class _Production:
    """One sub-step's farm labour, land and output."""

    weight: np.ndarray  # farm labour weight of every person
    farmers: np.ndarray  # rows of the persons who farm (weight > 0)
    unit: np.ndarray  # farming unit of every person
    unit_place: np.ndarray  # village of every unit
    land: np.ndarray  # land each unit farms itself, mu (one real household's, or a village's)
    effective_land: np.ndarray  # that land in own-land equivalents (borrowed land discounted)
    labour: np.ndarray  # farm labour of each unit (rows for households, persons for villages)
    hired: np.ndarray  # share of each unit's farm labour hired by operators
    quantity: np.ndarray  # family-farm output of each unit, before the price
    operator_quantity: np.ndarray  # operators' output of each place (whole place), before the price
    price: float
    farming: np.ndarray  # units that farm land of their own (own labour > 0), in order
    farmer_unit: np.ndarray  # the farming unit of each farmer (of each row in `farmers`)
    farmer_weight: np.ndarray  # the farm labour weight of each farmer


class Farming(Module):
    name = "farming"

    def setup(self, model) -> None:
        f = model.scenario.farming
        self.beta = f.land_elasticity
        self.value_added_per_mu = f.value_added_yuan_per_mu
        self.productivity = f.value_added_yuan_per_mu * f.reference_mu_per_worker ** (1 - self.beta)
        self.premium = model.scenario.land.operator_productivity_premium
        self.price = 1.0
        self.step(model)

    def step(self, model) -> None:
        f = model.scenario.farming
        self.price = (1 + f.price_growth) ** (model.year - model.scenario.years.start)

    # ------------------------------------------------------------ technology
    def operator_labour_per_mu(self, wage: np.ndarray) -> np.ndarray:
        """l*(w): workers per mu an operator hires at the wage (this year's price)."""
        b = self.beta
        value = (1 - b) * (1 + self.premium) * self.price * self.productivity
        return np.divide(value, wage, out=np.zeros_like(wage), where=wage > 0) ** (1 / b)

    def operator_rent_ceiling(self, wage: np.ndarray) -> np.ndarray:
        """r_max(w): the rent per mu at which an operator hiring at the wage breaks even."""
        b = self.beta
        per_mu = (1 + self.premium) * self.price * self.productivity
        return b * per_mu * self.operator_labour_per_mu(wage) ** (1 - b)

    def land_wanted_per_worker(self, rent: np.ndarray) -> np.ndarray:
        """Land per unit of farm labour a family farm wants at a rent: where its marginal
        product of land, beta p_a A_a (L / T)^(1-beta), falls to the rent. Infinite at 0."""
        b = self.beta
        with np.errstate(divide="ignore"):
            return (b * self.price * self.productivity / rent) ** (1 / (1 - b))

    def rent_for_land_wanted(self, land_per_worker: np.ndarray) -> np.ndarray:
        """The rent at which a family farm wants `land_per_worker` mu per unit of farm
        labour (the inverse of `land_wanted_per_worker`); it wants less above it."""
        with np.errstate(divide="ignore"):
            return self.beta * self.price * self.productivity / land_per_worker ** (1 - self.beta)

    def rural_wage(self, model) -> np.ndarray:
        """The wage operators pay, per place: what a job seeker can expect in the place's
        non-farm labour market, P(job) w + (1 - P(job)) informal wage."""
        st = model.state
        informal = st.informal_wage if model.scenario.labour.informal_sector else 0.0
        return st.job_prob * st.wage + (1 - st.job_prob) * informal

    def land_return(self) -> float:
        """This year's return to a mu of family-farm land at the reference land per worker:
        the land share beta of the value added of a mu, yuan per mu per year."""
        return self.beta * self.price * self.value_added_per_mu

    # ------------------------------------------------------------ production
    def household_labour(self, model) -> np.ndarray:
        """Farm labour of each household: its farmers, the elderly at their lower weight."""
        _, _, farmers, farmer_weight = self._labour(model)
        hh = model.persons.hh.take(farmers)
        return np.bincount(hh, weights=farmer_weight, minlength=len(model.households))

    def _labour(self, model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Farm labour weight of every person, the farming unit index of every person, the
        rows of the farmers (sums over units need only them: the others weigh 0) and their
        weights.

        A row-household stands for `scale` identical real households, so a household unit
        counts rows; a village unit counts persons (rows times scale)."""
        p, f = model.persons, model.scenario.farming
        farmers = np.flatnonzero(p.status == FARMER)
        elderly = p.age.take(farmers) >= model.scenario.demography.retirement_age
        weight = np.zeros(len(p))
        # Looked up by the flag's byte (the same weights): a select on flags in no order
        # mispredicts a branch for every other farmer and takes twice as long.
        farmer_weight = np.array([1.0, f.elderly_labour_weight])[elderly.view(np.uint8)]
        weight[farmers] = farmer_weight
        unit = p.hh if f.unit == "household" else model.households.home.take(p.hh)
        return weight, unit, farmers, farmer_weight

    def _household_units(self, model) -> bool:
        return model.scenario.farming.unit == "household"

    def _unit_scale(self, model) -> int:
        return 1 if self._household_units(model) else model.scenario.simulation.scale

    def _unit_land(self, model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Land each unit farms itself, the same in own-land equivalents, and the village
        of each unit. Land borrowed from kin or neighbours for the year yields less by
        `informal_productivity_discount`: a borrower invests less in land it may have to give
        back next year (Jacoby, Li and Rozelle 2002; Gao, Huang and Rozelle 2012)."""
        hh = model.households
        if self._household_units(model):
            own = hh.land_mu - hh.leased_out_mu - hh.lent_mu
            discount = model.scenario.land.informal_productivity_discount
            return own + hh.borrowed_mu, own + (1 - discount) * hh.borrowed_mu, hh.home
        scale, n = model.scenario.simulation.scale, model.world.n
        land = scale * np.bincount(hh.home, weights=hh.land_mu, minlength=n)
        return land, land, np.arange(n)

    def _production(self, model) -> _Production:
        """Labour, hired shares and output of every unit and the operators of every place."""
        weight, unit, farmers, farmer_weight = self._labour(model)
        land, effective_land, unit_place = self._unit_land(model)
        farmer_unit = unit.take(farmers)
        labour = self._unit_scale(model) * np.bincount(
            farmer_unit, weights=farmer_weight, minlength=len(land)
        )
        n = model.world.n
        if self._household_units(model):
            # Farm labour of each village in persons; operators hire a share of it.
            scale = model.scenario.simulation.scale
            # Summed over the units with farm labour, in order: the others add 0, nothing.
            working = np.flatnonzero(labour > 0)
            village_labour = scale * np.bincount(
                unit_place.take(working), weights=labour.take(working), minlength=n
            )
            del working
            leased = model.land.leased_mu
            demand = leased * self.operator_labour_per_mu(self.rural_wage(model))
            share = np.minimum(
                1.0,
                np.divide(demand, village_labour, out=np.zeros(n), where=village_labour > 0),
            )
            hires = share * village_labour
            operator_quantity = np.where(
                hires > 0,
                (1 + self.premium)
                * self.productivity
                * leased**self.beta
                * np.maximum(hires, 1e-12) ** (1 - self.beta),
                0.0,
            )
        else:
            share, operator_quantity = np.zeros(n), np.zeros(n)
        hired = share.take(unit_place)
        own_labour = labour * (1 - hired)
        # Output of the units that farm their own land (the powers are costly; the rest is 0).
        farming = np.flatnonzero(own_labour > 0)
        quantity = np.zeros(len(land))
        quantity[farming] = (
            self.productivity
            * effective_land.take(farming) ** self.beta
            * np.maximum(own_labour.take(farming), 1e-12) ** (1 - self.beta)
        )
        total = quantity.sum() * model.scenario.simulation.scale / self._unit_scale(model)
        price = self._price(model, total + operator_quantity.sum())
        return _Production(
            weight,
            farmers,
            unit,
            unit_place,
            land,
            effective_land,
            labour,
            hired,
            quantity,
            operator_quantity,
            price,
            farming,
            farmer_unit,
            farmer_weight,
        )

    def _price(self, model, total_quantity: float) -> float:
        """This sub-step's farm price; `total_quantity` is the county's farm output."""
        f = model.scenario.farming
        if f.price_rule == "national":
            return self.price
        urban_output = model.state.manufacturing_output.sum()
        gamma = f.relative_price_gamma
        # x ** 1.0 is x exactly, so gamma = 1 gives the unit-elastic price bit for bit.
        return f.relative_price_rho * urban_output**gamma / max(total_quantity, 1e-12) ** gamma

    def _pay_share(self, model) -> float:
        return 1.0 if model.scenario.farming.pay == "average" else 1.0 - self.beta

    def substep(self, model) -> None:
        """Produce and pay the sub-step's farm income; record land use per village."""
        p, world, st = model.persons, model.world, model.state
        prod = self._production(model)
        # Farm labour, land and the rural wage stay as they are until the location choice
        # of this sub-step has weighed its options, which use this production again.
        self._substep_production = (model.clock, prod)
        # Output per unit of labour where there is labour, by index (the same quotients as
        # a masked divide, which mispredicts a branch for every other unit): units with
        # labour but no own labour (all hired) produce nothing themselves, 0 / labour.
        average = np.zeros_like(prod.quantity)
        working = np.flatnonzero(prod.labour > 0)
        average[working] = prod.quantity.take(working) / prod.labour.take(working)
        del working
        wage = self.rural_wage(model).take(prod.unit_place)
        per_labour = self._pay_share(model) * prod.price * average + prod.hired * wage
        farmers = prod.farmers
        p.farm_income[farmers] += (
            per_labour.take(prod.farmer_unit)
            * prod.farmer_weight
            / model.scenario.simulation.substeps
        )

        own_farmed = np.zeros(len(prod.labour), dtype=bool)
        own_farmed[prod.farming] = True  # own labour > 0
        if self._household_units(model):
            scale, home = model.scenario.simulation.scale, model.households.home
            # Sums over the households that farm and those that do not: the others' terms
            # are 0 (output too: only farming households produce), which adds nothing.
            farmed, idle = prod.farming, np.flatnonzero(~own_farmed)
            idle_mu = np.zeros(len(prod.land))  # written by rows: the same as a select
            idle_land = prod.land.take(idle)
            idle_mu[idle] = idle_land
            model.households.idle_mu = idle_mu
            farmed_home, idle_home = home.take(farmed), home.take(idle)
            st.land_farmed = scale * np.bincount(
                farmed_home, weights=prod.land.take(farmed), minlength=world.n
            )
            st.land_idle = (
                scale * np.bincount(idle_home, weights=idle_land, minlength=world.n)
                + model.land.collective_idle_mu
            )
            st.farm_output = prod.price * (
                scale
                * np.bincount(farmed_home, weights=prod.quantity.take(farmed), minlength=world.n)
                + prod.operator_quantity
            )
        else:
            st.land_farmed = np.where(own_farmed, prod.land, 0.0)
            st.land_idle = np.where(own_farmed, 0.0, prod.land)
            st.farm_output = prod.price * prod.quantity

    def forget_substep_production(self) -> None:
        """Drop the last sub-step's production once the sub-steps are over (only each
        sub-step's location choice reads it again): it holds a labour weight per person and
        several arrays per household, about 25 bytes a person, which would otherwise be
        held through the year's income, census and land passes, where memory peaks."""
        self._substep_production = (None, None)

    def prospective_income(self, model, rows: np.ndarray, age=None) -> np.ndarray:
        """Farm income each person in `rows` would earn by farming at home this year (`age`:
        theirs, if already gathered)."""
        p = model.persons
        unit_scale = self._unit_scale(model)
        stamp, prod = getattr(self, "_substep_production", (None, None))
        if stamp != model.clock:
            prod = self._production(model)
        age = p.age.take(rows) if age is None else age
        elderly = age >= model.scenario.demography.retirement_age
        own = np.where(elderly, model.scenario.farming.elderly_labour_weight, 1.0)
        u = prod.unit.take(rows)  # take: quicker than indexing, the same values
        # Labour of the unit if this person farms: others' labour plus their own.
        l_new = prod.labour.take(u) - unit_scale * prod.weight.take(rows) + unit_scale * own
        hired = prod.hired.take(u)
        q_new = (
            self.productivity
            * prod.effective_land.take(u) ** self.beta
            * (l_new * (1 - hired)) ** (1 - self.beta)
        )
        wage = self.rural_wage(model).take(prod.unit_place.take(u))
        family = self._pay_share(model) * prod.price * q_new / l_new
        return (family + hired * wage) * own
