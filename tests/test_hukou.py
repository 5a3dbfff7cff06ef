"""Settlement: who may settle, what changes, and the direction of hukou relaxation."""

import numpy as np
from conftest import small_scenario

from countysim.model import CountyModel
from countysim.runner import simulate
from countysim.world import CITY, OUTSIDE_PROVINCE, PREFECTURE


def test_only_eligible_non_local_urban_residents_settle():
    # Residence rule of 3 years in 2012-2014; the other ways to an urban hukou switched off.
    model = CountyModel(
        small_scenario("hukou.college_transfer_share=0", "hukou.requisition.expansion_elasticity=0")
    )
    model.step()
    p = model.persons
    pid, hukou_before = p.pid.copy(), p.hukou_place.copy()
    model.step()
    p = model.persons
    rows = p.rows_of(pid)
    alive = rows >= 0
    rows, hukou_before = rows[alive], hukou_before[alive]
    changed = p.hukou_place[rows] != hukou_before
    assert changed.sum() > 0
    settled = rows[changed]
    # They settled where they live, in an urban place, and their hukou is now urban.
    np.testing.assert_array_equal(p.hukou_place[settled], p.residence[settled])
    assert model.world.is_urban[p.residence[settled]].all()
    assert p.hukou_urban[settled].all()
    # Adults had lived there for the required three years; children came with a mother.
    adults = settled[p.age[settled] >= 20]
    assert len(adults) and (p.years_here[adults] >= 3).all()
    last = model.recorder.county[-1]
    counted = last["settlements_county"] + last["settlements_city"]
    newborns = int((p.age == 0).sum())  # babies of settling mothers are counted too
    assert len(settled) <= counted <= len(settled) + newborns


def test_levers_are_recorded_each_year(small_run):
    c = small_run.county
    years = c.set_index("year")["lever:hukou.settlement_years.county"]
    assert years.loc[2012] == 3 and years.loc[2016] == 1  # the baseline's 2015 step


def _last_year_difference(reform: list[str], column: str, seeds=(1, 2, 3)) -> np.ndarray:
    """Reform minus baseline in the last year, same seeds (common random numbers)."""
    out = []
    for seed in seeds:
        base = simulate(small_scenario(f"seed={seed}", "years.end=2020")).county.iloc[-1]
        alt = simulate(small_scenario(f"seed={seed}", "years.end=2020", *reform)).county.iloc[-1]
        out.append(alt[column] - base[column])
    return np.array(out)


def test_shorter_residence_rule_raises_registered_urbanization_and_narrows_the_gap():
    reform = ["hukou.settlement_years.county=0"]
    assert (_last_year_difference(reform, "urbanization_registered") > 0).all()
    assert (_last_year_difference(reform, "urbanization_gap") < 0).all()


def test_residence_permits_cut_left_behind_children():
    reform = ["hukou.residence_permit_access=0.8"]
    assert (_last_year_difference(reform, "left_behind_children") < 0).all()


def test_residence_permits_open_each_kind_of_place_as_far_as_they_reach_there():
    reach = ["county=1", "prefecture=1", "province=0.5", "outside_province=0"]
    model = CountyModel(
        small_scenario(
            "hukou.residence_permit_access=0.4",
            *(f"hukou.residence_permit_reach.{r}" for r in reach),
        )
    )
    base, st = model.hukou.base_access, model.state
    share = np.array([1.0, 1.0, 0.5, 0.0])[model.world.region] * 0.4
    np.testing.assert_allclose(st.non_hukou_access, base + share * (1 - base))
    city = model.world.level == CITY
    far = city & (model.world.region == OUTSIDE_PROVINCE)
    near = city & (model.world.region == PREFECTURE)
    assert far.any() and near.any()
    np.testing.assert_allclose(st.non_hukou_access[far], base[far])  # no reach: as before
    assert (st.non_hukou_access[near] > base[near]).all()
