"""Capital: savings, investment across the county's places, depreciation, infrastructure.

Private non-farm capital K_j is the K of each place's production function Y = A K^theta
E^(1-theta) (see `labour`). Once a year (after the labour market and settlement):

1. Savings. Every person saves a share s of last year's disposable income. Savings of
   residents of county places reach the county's credit pool (rural deposits in county
   banks and credit cooperatives); of the savings of county people living in the outside
   cities only a share h comes home, the rest stays in the cities' banks.

       pool = s * (income of county residents + h * income of county people in cities)

2. Retained profits: a share r of the capital income of county firms, r * theta * Y_j,
   summed over places, is reinvested.

3. Home bias: a share b of pool + profits is invested in the county, the rest leaves it
   (county banks lend upwards, firms invest elsewhere). Outside investment O (industrial
   transfer from the coast, a scenario path) comes on top.

       I = b * (pool + retained profits) + O

4. Allocation by return. Place j gets the share

       I_j / I = K_j r_j^eta / sum_k K_k r_k^eta,   r_j = theta Y_j / K_j

   (r_j is the marginal product of capital). eta = 0 keeps the places' capital shares,
   eta = 1 invests in proportion to capital income, larger eta chases the higher returns;
   places without production (no capital or no output) get nothing.

5. Depreciation: K_j <- (1 - delta) K_j + I_j.

County-town investment (a lever, yuan per year per initial registered person) builds
public infrastructure X in the county town, financed from above (special bonds, not the
county's service budget) and wearing out at the same rate delta. Infrastructure enters the
town's productivity as

    A_town = A_town,0 * ((G0 + X) / G0)^gamma

with G0 the town's infrastructure before the programme (a ratio of its initial private
capital) and gamma the output elasticity of public capital. The multiplier is applied to
the town's base productivity in the labour module, from the next year's labour market on.

Savings are last year's disposable incomes because this year's are only settled at the
end of the year (`incomes`). Capital income not retained (dividends, interest, taxes) is
not followed. Amounts per initial registered person scale with the size of the county.
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module
from countysim.world import CITY, COUNTY_TOWN, TOWNSHIP, VILLAGE

COUNTY_LEVELS = ((COUNTY_TOWN, "county_town"), (TOWNSHIP, "township"), (VILLAGE, "village"))


class Capital(Module):
    name = "capital"

    def setup(self, model) -> None:
        world, cap = model.world, model.scenario.capital
        self.county = world.is_county
        self.town = world.county_town
        self.initial_registered = float(world.registered[self.county].sum())
        self.investment = np.zeros(world.n)
        self.return_used = np.zeros(world.n)  # the returns that guided this year's investment
        self.flows = dict.fromkeys(
            (
                "savings_collected",
                "savings_kept_in_cities",
                "retained_profits",
                "investment_outflow",
                "outside_investment",
                "infrastructure_investment",
            ),
            0.0,
        )
        # Infrastructure of the county town before the programme, and what it adds.
        self.infrastructure_base = cap.infrastructure_capital_ratio * model.state.capital[self.town]
        self.infrastructure_added = 0.0
        self.gamma = cap.infrastructure_elasticity

    def levers(self, scenario) -> dict[str, object]:
        return {
            "capital.outside_investment": scenario.capital.outside_investment,
            "capital.county_town_investment": scenario.capital.county_town_investment,
        }

    def returns(self, model) -> np.ndarray:
        """Marginal product of capital theta * Y / K per place (0 where there is no capital)."""
        st, theta = model.state, model.labour.theta
        return np.divide(
            theta * st.manufacturing_output,
            st.capital,
            out=np.zeros(model.world.n),
            where=(st.capital > 0) & self.county,
        )

    def infrastructure_multiplier(self) -> float:
        """((G0 + X) / G0)^gamma, the county town's productivity gain from infrastructure."""
        if self.infrastructure_base <= 0:
            return 1.0
        grown = (self.infrastructure_base + self.infrastructure_added) / self.infrastructure_base
        return grown**self.gamma

    def step(self, model) -> None:
        cap, st, p = model.scenario.capital, model.state, model.persons
        scale = model.scenario.simulation.scale
        in_city = model.world.level.take(p.residence) == CITY
        # By index, not by mask (the same sums): a mask in no order mispredicts a branch for
        # every other person.
        income_county = scale * float(p.income.take(np.flatnonzero(~in_city)).sum())
        income_cities = scale * float(p.income.take(np.flatnonzero(in_city)).sum())
        saved_cities = cap.saving_rate * income_cities
        pool = cap.saving_rate * income_county + cap.migrant_savings_home_share * saved_cities
        output = float(st.manufacturing_output[self.county].sum())
        profits = cap.retained_profit_share * model.labour.theta * output
        r = self.return_used = self.returns(model)
        weight = np.where(r > 0, st.capital * r**cap.return_elasticity, 0.0)
        # A county where nothing is produced absorbs no investment: it all goes elsewhere.
        absorbs = weight.sum() > 0
        invested_here = cap.home_bias * (pool + profits) if absorbs else 0.0
        outside = model.levers["capital.outside_investment"] * self.initial_registered * absorbs
        share = weight / weight.sum() if absorbs else weight
        self.investment = (invested_here + outside) * share
        county = self.county
        st.capital[county] = (1 - cap.depreciation) * st.capital[county] + self.investment[county]

        public = model.levers["capital.county_town_investment"] * self.initial_registered
        self.infrastructure_added = (1 - cap.depreciation) * self.infrastructure_added + public
        # Acts on next year's productivity through the place state the labour market reads.
        model.state.tfp_multiplier[self.town] = self.infrastructure_multiplier()

        self.flows = {
            "savings_collected": pool,
            "savings_kept_in_cities": saved_cities - cap.migrant_savings_home_share * saved_cities,
            "retained_profits": profits,
            "investment_outflow": (pool + profits) - invested_here,
            "outside_investment": outside,
            "infrastructure_investment": public,
        }

    def outputs(self, model) -> dict[str, float]:
        st, level = model.state, model.world.level
        out = dict(self.flows)
        out["investment_county"] = float(self.investment[self.county].sum())
        for code, name in COUNTY_LEVELS:
            out[f"investment_{name}"] = float(self.investment[level == code].sum())
        out["capital_county"] = float(st.capital[self.county].sum())
        for code, name in COUNTY_LEVELS:
            out[f"capital_{name}"] = float(st.capital[level == code].sum())
        out["infrastructure_capital_county_town"] = (
            self.infrastructure_base + self.infrastructure_added
        )
        out["infrastructure_tfp_multiplier"] = self.infrastructure_multiplier()
        return out

    def place_outputs(self, model) -> dict[str, np.ndarray]:
        return {
            "capital": model.state.capital.copy(),
            "investment": self.investment.copy(),
            "return_to_capital": self.return_used.copy(),
        }
