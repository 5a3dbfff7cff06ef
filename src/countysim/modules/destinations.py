"""Where out-migrants can go: the paths of the outside cities' wages and job chances.

The outside cities are not markets of the model (see `labour`); what they offer follows
exogenous paths that the scenario's ``destinations`` section sets (without it, each city's
wage grows at its own ``wage_growth`` and its job finding stays fixed, as `labour` does):

- A national wage path W(t): the mean wage of migrant workers, ``reference_wage_yuan`` in
  the first year, growing at the schedule ``national_wage_growth``.
- Beta-convergence of city wages towards it (Barro and Sala-i-Martin 1992, "Convergence",
  Journal of Political Economy 100(2); for Chinese provinces Jian, Sachs and Warner 1996,
  "Trends in regional inequality in China", China Economic Review 7(1), and Chen and Fleisher
  1996, "Regional income inequality and economic growth in China", Journal of Comparative
  Economics 22(2), estimate conditional convergence of about 2% a year). A city grows at
  the national rate plus ``wage_convergence_rate`` times its log gap to the path:

      d log w_c / dt = g(t) + beta(t) log(W(t) / w_c),
      so  log(w_c(t) / W(t)) = log(w_c(0) / W(0)) exp(-sum of beta over the years).

  Inland cities below the national wage catch up, coastal cities above it grow more slowly.
- Catch-up of job finding with industrial relocation inland (State Council, Guiding
  opinions on central and western regions taking on industrial transfer, Guofa [2010]
  No. 28): each city's chance of finding a job closes its gap to the best city's at the
  yearly rate ``job_finding_catch_up``, f_c(t) = f_max - (f_max - f_c(0)) exp(-sum of rho).

- Aggregated destinations: an outside city of the model stands for
  ``cities_represented`` cities of its kind (e.g. every prefecture-level city of the
  coastal provinces). In a logit an alternative that aggregates M similar elemental
  alternatives has the utility of one of them plus ln M, times the nested-logit
  dissimilarity (between 0, alternatives that are perfect substitutes, and 1, independent
  ones) when they are correlated (McFadden 1978, "Modelling the choice of residential
  location", in Karlqvist et al. (eds.), Spatial Interaction Theory and Planning Models;
  Ben-Akiva and Lerman 1985, Discrete Choice Analysis, ch. 9). The choice adds
  ``aggregation_weight`` * ln(cities_represented) to living in the city.

- Rising housing costs of the high-wage cities: where land is scarce the growth of demand
  is capitalized into housing prices instead of met by new supply (Rosen 1979, Roback 1982,
  "Wages, rents, and the quality of life", Journal of Political Economy 90(6); Saiz 2010,
  "The geographic determinants of housing supply", Quarterly Journal of Economics 125(3):
  the productive, land-constrained metros have the least elastic supply). In China the
  land quotas favoured inland provinces from 2003 while migrants went to the coast, and
  the coastal, first-tier cities' prices rose far faster than their incomes and than
  inland prices in the 2010s (NBS 70-city price indices; Fang, Gu, Xiong and Zhou 2016,
  "Demystifying the Chinese housing boom", NBER Macroeconomics Annual 30; Glaeser, Huang,
  Ma and Shleifer 2017, "A real estate boom with Chinese characteristics", Journal of
  Economic Perspectives 31(1); Lu and Xiang 2016, "China's land supply policy"). A city's
  initial wage premium over the national path marks that scarcity; its cost of living
  (an index, county town = 1) rises with national wage growth in proportion to it:

      log c_c(t) = log c_c(0) + eta * max(log(w_c(0) / W(0)), 0) * log(W(t) / W(0)),

  eta = ``housing_cost_elasticity`` (0: fixed costs). Cities paid at or below the national
  path, whose land supply the quotas favoured, keep their cost relative to the county town.

- Settlement barriers by size of city: the State Council's opinions on the reform of the
  hukou system (Guofa [2014] No. 25) open settlement fully in towns and small cities, in an
  orderly way in medium ones, with conditions in large ones, and "strictly control the
  population of megacities" (the size classes of Guofa [2014] No. 51: under 0.5, 0.5-1,
  1-5 and over 5 million urban residents); the megacities then capped their populations
  (Beijing 23 million by 2020 and Shanghai 25 million by 2035 in their master plans of
  2016-2017) and tied migrant children's schooling to points and permits. The barrier of
  living in a city without its hukou is its given ``hukou_barrier`` plus the scenario's
  ``barrier_tightening`` of its ``size_class`` in the year (a schedule per class; cities
  without a class keep theirs).

Both are closed forms of the years since the start, so a run restarted from a saved year
gives the same paths. With both rates 0 and a national growth equal to a city's own
``wage_growth``, the city's wage and job finding are those of the fixed paths.
"""

from __future__ import annotations

import numpy as np

from countysim.config.schedule import growth_factor, rate_sum, value_at
from countysim.modules.base import Module
from countysim.world import CITY


def city_wages(base_wage: np.ndarray, reference: float, growth: float, convergence: float):
    """Wages of cities that started at ``base_wage`` when the national path, which started
    at ``reference``, has grown by the factor ``growth`` and the summed convergence rate is
    ``convergence``: each city keeps exp(-convergence) of its initial log gap to the path."""
    paid = base_wage > 0  # a city paying nothing stays so (no log gap to close)
    gap = np.log(np.where(paid, base_wage, reference) / reference) * np.exp(-convergence)
    return np.where(paid, reference * growth * np.exp(gap), 0.0)


def city_costs(base_cost, base_wage, reference: float, growth: float, elasticity: float):
    """Costs of living of cities that started at ``base_cost`` and paid ``base_wage`` when
    the national path, which started at ``reference``, has grown by the factor ``growth``:
    the log cost rises by ``elasticity`` times the city's initial log wage premium over the
    path (none below it) times the log growth."""
    premium = np.log(np.maximum(base_wage, reference) / reference)
    return base_cost * np.exp(elasticity * premium * np.log(growth))


def city_job_finding(base: np.ndarray, catch_up: float) -> np.ndarray:
    """Job finding of cities that started at ``base`` after the summed catch-up rate
    ``catch_up``: each closes that share (1 - exp(-catch_up)) of its gap to the best city."""
    if not len(base):
        return base
    best = base.max()
    return best - (best - base) * np.exp(-catch_up)


class Destinations(Module):
    name = "destinations"

    def setup(self, model) -> None:
        cities = model.scenario.outside_cities
        self.cities = np.flatnonzero(model.world.level == CITY)
        self.base_wage = np.array([c.wage_yuan for c in cities], dtype=float)
        self.base_job_finding = np.array([c.job_finding for c in cities], dtype=float)
        self.base_cost = np.array([c.cost_of_living for c in cities], dtype=float)
        self.base_barrier = np.array([c.hukou_barrier for c in cities], dtype=float)
        self.size_class = [c.size_class for c in cities]
        d = model.scenario.destinations
        represented = np.array([c.cities_represented for c in cities], dtype=float)
        if d is not None and d.aggregation_weight > 0 and np.any(represented > 1):
            self.size = np.zeros(model.world.n)
            self.size[self.cities] = d.aggregation_weight * np.log(represented)
            model.choice_terms.append(self.aggregation_term)
        self.step(model)

    def aggregation_term(self, model, rows, res, work) -> np.ndarray:
        """Utility of living at each option's residence from the cities it stands for."""
        return self.size.take(res)

    def step(self, model) -> None:
        """This year's city wages and job finding; runs after `labour.step`, whose fixed
        paths it replaces when the scenario has a ``destinations`` section."""
        d = model.scenario.destinations
        if d is None or not len(self.cities):
            return
        start, year = model.scenario.years.start, model.year
        growth = growth_factor(d.national_wage_growth, start, year)
        wage = city_wages(
            self.base_wage,
            d.reference_wage_yuan,
            growth,
            rate_sum(d.wage_convergence_rate, start, year),
        )
        st = model.state
        if d.housing_cost_elasticity > 0:  # else the costs `choice` set stay as they are
            st.cost_of_living[self.cities] = city_costs(
                self.base_cost,
                self.base_wage,
                d.reference_wage_yuan,
                growth,
                d.housing_cost_elasticity,
            )
        # The given barriers (those `choice` set) plus the tightening of each city's class.
        shift = [
            0.0 if k is None else value_at(getattr(d.barrier_tightening, k), year)
            for k in self.size_class
        ]
        st.hukou_barrier[self.cities] = self.base_barrier + np.array(shift)
        st.wage[self.cities] = wage
        st.wage_floor[self.cities] = wage
        st.informal_wage[self.cities] = model.scenario.labour.informal_wage_ratio * wage
        st.job_prob[self.cities] = city_job_finding(
            self.base_job_finding, rate_sum(d.job_finding_catch_up, start, year)
        )
