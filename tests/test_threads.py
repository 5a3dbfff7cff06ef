"""A run uses one BLAS/OpenMP thread unless asked for more."""

import numpy as np
import pytest
from conftest import small_scenario
from threadpoolctl import threadpool_info

from countysim.model import CountyModel


def _threads_seen_in_a_year(threads):
    """Thread counts of the numerical libraries, seen from inside a simulated year."""
    seen = []

    def spy(model):
        seen.extend(pool["num_threads"] for pool in threadpool_info())
        return np.zeros(len(model.persons))

    model_class = type("Model", (CountyModel,), {"threads": threads})
    model = model_class(small_scenario("years.end=2012", "simulation.spinup_years=1"))
    model.income_sources.append(spy)
    model.run()
    return seen


def test_a_run_uses_one_thread_by_default():
    assert CountyModel.threads == 1
    seen = _threads_seen_in_a_year(CountyModel.threads)
    if not seen:
        pytest.skip("no thread pool found in this numpy build")
    assert set(seen) == {1}


def test_more_threads_when_asked():
    seen = _threads_seen_in_a_year(2)
    if not seen:
        pytest.skip("no thread pool found in this numpy build")
    assert set(seen) == {2}
