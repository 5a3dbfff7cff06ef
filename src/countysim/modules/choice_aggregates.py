"""The location choice's aggregates of a year (`modules/choice.py`): the network (working-age
persons by home place x residence, kept up to date from those who move in the year's
sub-steps), the school-age children of each mother and the rows of children and mothers
(read by the family moves), gathered at a year's first sub-step and dropped at its end."""

from __future__ import annotations

import numpy as np

from countysim.population import IS_IN_SCHOOL_AGE, IS_WORKING


class YearAggregates:
    """Aggregates of `LocationChoice` that stay fixed within a year's sub-steps, or that the
    choice itself keeps up to date from those who move (see `LocationChoice.substep`)."""

    def forget_year_rows(self) -> None:
        """Drop what only the year's sub-steps read once they are over: the rows of
        children, mothers and adults and the network (the next year's first sub-step
        gathers them again), the last sub-step's residence tables (each sub-step makes its
        own). About 8 bytes a person and 1.4 MB, otherwise held through the year's income,
        census and land passes."""
        none = np.zeros(0, dtype=np.int32)
        self._child_rows = self._mother_rows = self._child_home = self._child_hukou = none
        self._partner_pool = none
        self._net = self._residence_terms = None

    def school_children(self, model) -> np.ndarray:
        """Number of children aged 6-15 of each person (as their mother)."""
        if self._kids is None or len(self._kids) != len(model.persons):
            self._year_aggregates(model)
        return self._kids

    def _network(self, model, cells: np.ndarray) -> np.ndarray:
        """Persons of working age from home place h living at place r, of each of the
        (h, r) `cells` (h * P + r)."""
        if self._net is None:
            self._year_aggregates(model)
        return self._net.reshape(-1).take(cells) * model.scenario.simulation.scale

    def _year_aggregates(self, model) -> None:
        """Count, at the first sub-step of a year, what only ageing, births, deaths and the
        year's other modules change: school-age children per mother, children with their
        mothers' rows, and the network. Within the year's sub-steps the network changes only
        through those who choose here, and `_update_network` follows them."""
        p, n = model.persons, model.world.n
        # Children of school age (6-15) and children in the school-age states (child,
        # student) with a mother: their mothers' rows found at once.
        school_age = (p.age >= 6) & (p.age <= 15)
        kids = np.flatnonzero((school_age | IS_IN_SCHOOL_AGE[p.status]) & (p.mother >= 0))
        mums = p.rows_of(p.mother.take(kids))
        found = mums >= 0
        counted = found & school_age[kids]
        # int16: a mother has at most a few children of 6-15; rows are int32, as the
        # person columns that hold rows and ids (2^31 persons).
        self._kids = np.bincount(mums[counted], minlength=len(p)).astype(np.int16)
        follow = found & IS_IN_SCHOOL_AGE[p.status.take(kids)]
        self._child_rows = kids[follow].astype(np.int32)
        self._mother_rows = mums[follow].astype(np.int32)
        self._child_home = model.households.home.take(p.hh.take(self._child_rows))
        self._child_hukou = p.hukou_place.take(self._child_rows)
        # Those of an age to follow a partner (ages change only between years); their
        # households are gathered when sought, not held (4 bytes each).
        adult = (p.age >= 18) & (p.age < model.scenario.demography.retirement_age)
        adult = np.flatnonzero(adult).astype(np.int32)
        self._partner_pool = adult
        key = self.network_keys(model)
        # int32 as rows are: a count of persons (4 bytes a cell of P x P, not 8).
        self._net = np.bincount(key, minlength=n * n).astype(np.int32).reshape(n, n)
        self._net_version += 1

    @staticmethod
    def network_keys(model, rows: np.ndarray | None = None) -> np.ndarray:
        """Home x residence cell of each of `rows` (all persons if None) that counts in the
        network."""
        p, n = model.persons, model.world.n
        if rows is None:
            rows = np.flatnonzero((p.age >= 16) & IS_WORKING[p.status])
        else:
            rows = rows[(p.age.take(rows) >= 16) & IS_WORKING[p.status.take(rows)]]
        home = model.households.home.take(p.hh.take(rows))  # take: quicker than indexing
        return _cell_keys(n, home, p.residence.take(rows))

    @staticmethod
    def _counted_keys(model, home, residence, age, status) -> np.ndarray:
        """`network_keys` of persons whose home, residence, age and status are given."""
        counted = np.flatnonzero((age >= 16) & IS_WORKING[status])
        return _cell_keys(model.world.n, home.take(counted), residence.take(counted))

    def _update_network(self, before: list, after: list) -> None:
        """Take the cells `before` out of the network and add those `after` (arrays, or
        functions that count them), one part at a time: the counts are the same in any
        order, and the parts are not all held at once."""
        self._net_version += 1
        flat = self._net.reshape(-1)
        # One of the network's own type: with a Python int, `ufunc.at` on int32 counts
        # takes numpy's slow path (about 35 times slower).
        one = flat.dtype.type(1)
        for cells in before:
            np.subtract.at(flat, cells() if callable(cells) else cells, one)
        for cells in after:
            np.add.at(flat, cells() if callable(cells) else cells, one)


def _cell_keys(n: int, home: np.ndarray, residence: np.ndarray) -> np.ndarray:
    """Flat (home, residence) cells of a P x P table with `n` places."""
    keys = home.astype(np.int64)
    keys *= n  # in place: one int64 array of the persons, not two
    keys += residence
    return keys
