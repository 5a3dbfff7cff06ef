"""Reclassification: villages swallowed by a growing town become urban residents'
committees (cun gai ju), and all their hukou holders become urban.

Much of the growth of China's urban population was reclassification of places and people
rather than migration (Chan and Hu 2003; Chan 2010 on the statistics of urbanization):
when a town's built-up area reaches a village and takes most of its farmland, the village
committee is replaced by a residents' committee and the villagers are registered as urban
residents. Guangzhou's opinions of 2002 on reforming villages in the city, the model for
many others, applied this to villages with little or no farmland left; their collective
assets went into shareholding companies of the former villagers (Po 2008).

Rule: a village that has lost the share `hukou.reclassification_land_loss` of its
starting contract land to requisition (`land_requisition`) is reclassified, once, in the
year it crosses that line. Every person still holding the village's rural hukou, wherever
she lives, receives an urban hukou of the town that took the village's land. Persons keep
their household, home and residence; the land still contracted stays with the households
(the land module treats the members as settled elsewhere: `hukou.settlers_keep_land`).
Places keep their level: the model's villages stay rural places for the resident measures.
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module


class Reclassification(Module):
    name = "reclassification"

    def setup(self, model) -> None:
        n = model.world.n
        self.reclassified = np.zeros(n, dtype=bool)
        self.converted = np.zeros(n, dtype=np.int64)  # persons this year, by village

    def step(self, model) -> None:
        n = model.world.n
        self.converted = np.zeros(n, dtype=np.int64)
        req = model.land_requisition
        threshold = model.scenario.hukou.reclassification_land_loss
        lost = np.divide(
            req.taken_total_mu,
            req.initial_mu,
            out=np.zeros(n),
            where=req.initial_mu > 0,
        )
        newly = ~self.reclassified & (req.initial_mu > 0) & (lost >= threshold - 1e-9)
        if not newly.any():
            return
        self.reclassified |= newly
        p = model.persons
        rows = np.flatnonzero(newly.take(p.hukou_place) & ~p.hukou_urban)
        village = p.hukou_place[rows]
        self.converted = model.scenario.simulation.scale * np.bincount(village, minlength=n)
        p.hukou_urban[rows] = True
        p.hukou_place[rows] = req.absorbed_by[village]

    def outputs(self, model) -> dict[str, float]:
        return {
            "hukou_conversions_reclassification": float(self.converted.sum()),
            "villages_reclassified": float(self.reclassified.sum()),
        }
