"""The person arrays: columns, appending, removing, finding rows by id; initial households."""

import copy
import pickle
import sys

import numpy as np
import pytest
from conftest import small_scenario

from countysim.memory import release_rows, reserve
from countysim.model import CountyModel
from countysim.population import PERSON_COLUMNS, Households, Persons


def _persons(n):
    cols = {name: np.full(n, fill, dtype=dtype) for name, (dtype, fill) in PERSON_COLUMNS.items()}
    cols["pid"] = np.arange(n)
    cols["age"] = np.arange(n) + 20
    return Persons(cols, next_pid=n)


def test_append_keep_and_rows_of():
    p = _persons(5)
    p.append({"age": np.array([0, 1])})
    assert len(p) == 7 and list(p.pid[-2:]) == [5, 6] and list(p.age[-2:]) == [0, 1]
    assert p.hh[-1] == PERSON_COLUMNS["hh"][1]  # untouched columns take their fill value
    p.keep(p.age != 22)  # pid 2 leaves
    np.testing.assert_array_equal(p.rows_of(np.array([0, 2, 6, -1])), [0, -1, 5, -1])


def test_rows_added_past_the_buffers_and_removed_keep_every_column():
    p = _persons(3)
    p.add_column("entitlement", np.float64, 0.0)
    for k in range(40):  # appends past the spare room, so the buffers grow
        p.append({"age": np.full(100, k), "entitlement": np.full(100, 1.0 * k)})
    assert len(p) == 4003 and len(p.entitlement) == 4003
    np.testing.assert_array_equal(p.pid, np.arange(4003))
    p.keep(p.age % 2 == 0)
    assert len(p) == len(p.pid) == len(p.entitlement)
    np.testing.assert_array_equal(p.entitlement, np.where(p.pid < 3, 0.0, p.age))
    p.age = p.age + 1  # assigning a column writes the used rows
    assert (p.age % 2 == 1).all()
    for restored in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
        assert restored.columns == p.columns and len(restored) == len(p)
        for name in p.columns:
            np.testing.assert_array_equal(getattr(restored, name), getattr(p, name))
        restored.append({"age": np.array([7])})  # a restored population grows as before
        assert restored.pid[-1] == p.next_pid and len(p) == len(restored) - 1


def test_columns_never_share_memory():
    p = _persons(3)
    cols = {name: getattr(p, name) for name in p.columns}
    shared = [(a, b) for a in cols for b in cols if a < b and np.shares_memory(cols[a], cols[b])]
    assert not shared
    model = CountyModel(small_scenario())
    model.persons.residence[:] = 0
    assert (model.persons.hukou_place != 0).any()


def test_module_columns_are_per_population():
    p, q = _persons(3), _persons(3)
    p.add_column("entitlement", np.float64, 0.0)
    p.append({"entitlement": np.array([5.0])})
    assert list(p.entitlement) == [0, 0, 0, 5.0]
    assert "entitlement" not in q.columns and "entitlement" not in PERSON_COLUMNS


def test_initial_households_and_mothers_are_plausible():
    model = CountyModel(small_scenario())
    p, hh = model.persons, model.households
    size = np.bincount(p.hh)
    assert 2.5 < size.mean() < 4.5  # China's mean household size is about 3.1
    kids = np.flatnonzero((p.mother >= 0) & (p.age < 15))
    mums = p.rows_of(p.mother[kids])
    alive = mums >= 0
    gap = p.age[mums[alive]] - p.age[kids[alive]]
    assert gap.min() >= 18 and gap.max() <= 43
    assert np.all(p.female[mums[alive]])
    # Rural households hold the village's land; urban households hold none.
    rural = model.world.level[hh.home] == 0
    assert np.all(hh.land_mu[rural] > 0) and np.all(hh.land_mu[~rural] == 0)


def _resident_anon() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("RssAnon:"))
    return int(line.split()[1]) * 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mapped buffers on Linux")
def test_spare_rows_take_no_memory_until_written_and_freed_rows_are_handed_back():
    mib = 2**20
    before = _resident_anon()
    buffer = reserve(32 * mib, np.float64)  # 256 MiB of rows
    assert _resident_anon() - before < 8 * mib
    buffer[: 8 * mib] = 1.0  # 64 MiB written
    assert 56 * mib < _resident_anon() - before < 72 * mib
    release_rows(buffer, mib)  # 8 MiB of rows still used
    assert _resident_anon() - before < 16 * mib
    assert (buffer[:mib] == 1.0).all() and (buffer[mib : 2 * mib] == 0.0).all()
    # The persons' buffers: a population that shrinks hands its freed rows back.
    p = _persons(1_000_000)
    held = _resident_anon()
    assert p.room >= 2 * len(p)
    p.keep(p.pid % 10 == 0)
    row_bytes = sum(np.dtype(dtype).itemsize for dtype, _ in PERSON_COLUMNS.values())
    assert held - _resident_anon() > 0.8 * row_bytes * 900_000  # 900,000 rows freed


def test_household_arrays_assigned_are_written_in_their_buffers():
    hh = Households(np.array([0, 1, 1]), np.array([1.0, 2.0, 3.0]))
    land = hh.land_mu
    hh.land_mu = hh.land_mu - 1.0  # the same length and type: written into the buffer
    assert hh.land_mu is land and list(land) == [0.0, 1.0, 2.0]
    hh.land_mu[0] = 5.0  # written in place, as before
    assert hh.land_mu[0] == 5.0
    hh.contract_end = np.full(3, 2030, dtype=np.int32)  # a new array: a buffer of its own
    hh.contract_end = hh.contract_end.astype(np.int64) + 1  # another type: another buffer
    assert hh.contract_end.dtype == np.int64 and list(hh.contract_end) == [2031] * 3
    restored = pickle.loads(pickle.dumps(hh))
    restored.land_mu = restored.land_mu * 2
    assert list(restored.land_mu) == [10.0, 2.0, 4.0] and len(restored) == 3
