"""The county model: places as Mesa agents, persons as arrays, and the yearly loop.

`CountyModel.step` is one simulated year. Its order is fixed here and nowhere else:

    1. policy        this year's lever values and the access rules they set
    2. demography    ageing, deaths, births, school, labour-force entry, retirement;
                     in-migration: arrivals from other counties and provinces in the towns
    3. requisition   land taken for last year's growth of the towns, its villagers'
                     hukou; villages that lost most of their land reclassified
       farming       this year's farm price; land: contract horizon and tenure security,
                     returns to the collective, lease decisions, village rental markets
    4. labour        this year's productivity, wage floors and city wages;
                     destinations: the outside cities' wage and job-finding paths
    5. sub-steps     labour market clearing, farm production, location and work choice
    6. hukou         settlement of non-local residents; college entrants' hukou
    7. capital       savings, investment by return, depreciation, infrastructure
    8. services      service revenue from last year's spending; public finance: revenue,
                     transfers, budgets, service capacity and quality
    9. pensions      contributions, transfers of accounts on moving, benefits
   10. incomes       remittances and per-capita disposable income
   11. record        the year's tables
"""

from __future__ import annotations

import os
from collections.abc import Callable

import mesa
import numpy as np
from threadpoolctl import threadpool_limits

from countysim.agents import Place, PlaceState
from countysim.config import load_scenario
from countysim.config.schema import Scenario
from countysim.modules.capital import Capital
from countysim.modules.choice import LocationChoice
from countysim.modules.college_hukou import CollegeHukou
from countysim.modules.demography import Demography
from countysim.modules.destinations import Destinations
from countysim.modules.farming import Farming
from countysim.modules.finance import Finance
from countysim.modules.hukou import Hukou
from countysim.modules.incomes import Incomes
from countysim.modules.inmigration import InMigration
from countysim.modules.labour import LabourMarket
from countysim.modules.land import Land
from countysim.modules.land_requisition import LandRequisition
from countysim.modules.pensions import Pensions
from countysim.modules.policy import Policy
from countysim.modules.reclassification import Reclassification
from countysim.modules.services import Services
from countysim.population_build import initial_population
from countysim.recorder import Recorder, YearTally
from countysim.world import build_world


class CountyModel(mesa.Model):
    """One county and its outside cities. `run()` simulates every year of the scenario."""

    #: BLAS/OpenMP threads the spin-up and the years may use: one, unless asked (`None`
    #: leaves the libraries' own default; `countysim run --threads N`). Vector work gains
    #: nothing from more, and parallel runs of a sweep each need a core of their own.
    threads: int | None = 1

    def __init__(self, scenario: Scenario | str | os.PathLike) -> None:
        if isinstance(scenario, str | os.PathLike):  # a scenario file, read and checked
            scenario = load_scenario(scenario)
        elif not isinstance(scenario, Scenario):
            raise TypeError(
                f"CountyModel takes a Scenario or a scenario file path, not {type(scenario)}"
            )
        super().__init__(rng=scenario.seed)
        self.scenario = scenario
        self.world = build_world(scenario, self.rng)
        self.state = PlaceState(self.world.n)
        self.place_agents = [Place(self, i) for i in range(self.world.n)]
        self.persons, self.households = initial_population(scenario, self.world, self.rng)
        self.tally = YearTally(self.world.n)
        self.recorder = Recorder(self.persons, self.world)  # notes who is from outside
        # Extension points: extra utility terms of the location choice, extra income sources.
        self.choice_terms: list = []
        self.income_sources: list = []
        self.settlement_terms: list = []  # extra net gains of settling (pensions, land)
        self.levers: dict[str, float] = {}
        self.clock = 0  # counts sub-steps, so per-sub-step aggregates can be cached
        # Sub-step within the year: within a year's sub-steps only the location choice
        # changes who lives where, so it keeps its aggregates up to date from the first one.
        self.substep_index = 0
        self.year = scenario.years.start

        self.demography = Demography()
        self.inmigration = InMigration()
        self.farming = Farming()
        self.land = Land()
        self.labour = LabourMarket()
        self.destinations = Destinations()
        self.choice = LocationChoice()
        self.hukou = Hukou()
        self.land_requisition = LandRequisition()
        self.reclassification = Reclassification()
        self.college_hukou = CollegeHukou()
        self.capital = Capital()
        self.services = Services()
        self.finance = Finance()
        self.policy = Policy()
        self.incomes = Incomes()
        self.pensions = Pensions()
        # Set up in this order: hukou keeps the access rules services derive, and policy
        # comes last because it applies every module's levers.
        self.modules = (
            self.demography,
            self.inmigration,
            self.farming,
            self.land,
            self.labour,
            self.destinations,
            self.choice,
            self.capital,
            self.services,
            self.finance,
            self.hukou,
            self.land_requisition,
            self.reclassification,
            self.college_hukou,
            self.pensions,
            self.incomes,
            self.policy,
        )
        self._count_places()
        for module in self.modules:
            module.setup(self)
        with threadpool_limits(self.threads):
            self._spin_up()
        self.year = scenario.years.start - 1

    @property
    def places(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[Place]

    def step(self) -> None:
        """One year."""
        self.year += 1
        self.tally.reset()
        start_residents = self.state.residents.copy()
        self._new_income_year()
        self.policy.step(self)
        self.demography.step(self)
        self.inmigration.step(self)
        self.land_requisition.step(self)
        self.reclassification.step(self)
        self.farming.step(self)
        self.land.step(self)
        self.labour.step(self)
        self.destinations.step(self)  # the outside cities' paths, after labour's
        self._substeps()
        self.hukou.step(self)
        self.college_hukou.step(self)
        self.capital.step(self)
        self.services.step(self)
        self.finance.step(self)
        self.pensions.step(self)
        self.incomes.step(self)
        self.recorder.record(self, start_residents)
        self.running = self.year < self.scenario.years.end

    def run(
        self, progress: bool = False, on_year: Callable[[int], None] | None = None
    ) -> CountyModel:
        """Simulate every year not yet simulated (all of them, unless the model was restored
        from a saved state); `on_year(year)` is called after each (e.g. a progress bar)."""
        years = range(self.year + 1, self.scenario.years.end + 1)
        if progress:
            from tqdm.auto import tqdm

            years = tqdm(years, desc=self.scenario.name, unit="year")
        with threadpool_limits(self.threads):
            for _ in years:
                self.step()
                if on_year is not None:
                    on_year(self.year)
        return self

    def _substeps(self) -> None:
        for k in range(self.scenario.simulation.substeps):
            self.clock += 1
            self.substep_index = k
            self.labour.substep(self)
            self.farming.substep(self)
            self.choice.substep(self)
        # What only the sub-steps read, dropped before the year's other passes.
        self.farming.forget_substep_production()
        self.choice.forget_year_rows()

    def _spin_up(self) -> None:
        """Let locations, jobs and service revenue settle under the first year's conditions
        before anything is recorded (no ageing, no growth); the spin-up's moves are not
        counted as the first year's flows, but its years count as years of residence."""
        for _ in range(self.scenario.simulation.spinup_years):
            self._new_income_year()
            self._substeps()
            self.services.step(self)
            self.incomes.step(self)
            self._count_places()
            self.persons.years_here += 1
        self.tally.reset()
        self.labour.rebase_agglomeration()

    def _new_income_year(self) -> None:
        self.persons.wage_income[:] = 0.0
        self.persons.farm_income[:] = 0.0

    def _count_places(self) -> None:
        scale, n = self.scenario.simulation.scale, self.world.n
        self.state.residents = scale * np.bincount(self.persons.residence, minlength=n).astype(
            float
        )
        self.state.registered = scale * np.bincount(self.persons.hukou_place, minlength=n).astype(
            float
        )
