"""The location choice keeps its aggregates up to date from those who move."""

import numpy as np
from conftest import small_scenario

from countysim.model import CountyModel


def _recount(model):
    n = model.world.n
    keys = model.choice._network_keys(model, np.arange(len(model.persons)))
    return np.bincount(keys, minlength=n * n).reshape(n, n)


def test_network_kept_from_movers_equals_a_full_count_after_every_substep():
    model = CountyModel(small_scenario("years.end=2014", "simulation.spinup_years=1"))
    checked = []
    substep = model.choice.substep

    def checking(m):
        substep(m)
        np.testing.assert_array_equal(model.choice._net, _recount(m))
        checked.append(m.clock)

    model.choice.substep = checking
    model.run()
    assert len(checked) == 3 * model.scenario.simulation.substeps
    assert model.choice._net.sum() > 0


def test_moves_are_counted_once_with_their_origin():
    model = CountyModel(small_scenario("years.end=2012", "simulation.spinup_years=1"))
    before = model.persons.residence.copy()
    model.tally.reset()
    model.choice.substep(model)
    moved = np.flatnonzero(model.persons.residence != before)
    assert len(moved) > 0
    n = model.world.n
    np.testing.assert_array_equal(model.tally.moves_out, np.bincount(before[moved], minlength=n))
    np.testing.assert_array_equal(
        model.tally.moves_in, np.bincount(model.persons.residence[moved], minlength=n)
    )
