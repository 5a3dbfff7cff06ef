"""Places as Mesa agents.

A place's changing state (capital, wage, job-finding odds, service revenue, ...) is held
in arrays shared by all places (`PlaceState`), because the mechanisms update every place
at once; each `Place` agent is the named handle through which users and plots see one
place: `model.places.select(lambda p: p.level == "township")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import numpy as np

from countysim.config.schema import LEVELS


@dataclass
class PlaceState:
    """Dynamic per-place arrays, indexed like `World`. Units: persons, yuan per year."""

    n: int
    residents: np.ndarray = field(init=False)
    registered: np.ndarray = field(init=False)
    tfp: np.ndarray = field(init=False)  # A in Y = A K^theta E^(1-theta)
    tfp_multiplier: np.ndarray = field(init=False)  # from public infrastructure, 1 = none
    capital: np.ndarray = field(init=False)  # K, yuan
    wage: np.ndarray = field(init=False)  # per effective worker, yuan per year
    wage_floor: np.ndarray = field(init=False)
    informal_wage: np.ndarray = field(init=False)
    job_prob: np.ndarray = field(init=False)  # chance that a job seeker finds a formal job
    employment: np.ndarray = field(init=False)  # formal + informal non-farm workers (persons)
    manufacturing_output: np.ndarray = field(init=False)
    service_revenue: np.ndarray = field(init=False)
    cost_of_living: np.ndarray = field(init=False)
    service_quality: np.ndarray = field(init=False)
    non_hukou_access: np.ndarray = field(init=False)
    school_access: np.ndarray = field(init=False)  # for children without local hukou
    hukou_barrier: np.ndarray = field(init=False)  # utility cost of living without local hukou
    farm_output: np.ndarray = field(init=False)
    land_farmed: np.ndarray = field(init=False)
    land_idle: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            if name != "n":
                setattr(self, name, np.zeros(self.n))
        self.tfp_multiplier = np.ones(self.n)


class Place(mesa.Agent):
    """A county town, township seat, village or outside city."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def name(self) -> str:
        return self.model.world.names[self.index]

    @property
    def level(self) -> str:
        return LEVELS[self.model.world.level[self.index]]

    @property
    def parent(self) -> Place | None:
        p = self.model.world.parent[self.index]
        return None if p < 0 else self.model.place_agents[p]

    @property
    def children(self) -> list[Place]:
        return [
            self.model.place_agents[i]
            for i in np.flatnonzero(self.model.world.parent == self.index)
        ]

    @property
    def residents(self) -> float:
        return float(self.model.state.residents[self.index])

    @property
    def registered(self) -> float:
        return float(self.model.state.registered[self.index])

    @property
    def wage(self) -> float:
        return float(self.model.state.wage[self.index])

    @property
    def unemployment_risk(self) -> float:
        return 1.0 - float(self.model.state.job_prob[self.index])

    def __repr__(self) -> str:
        return f"Place({self.name!r}, {self.level}, residents={self.residents:,.0f})"
