"""The place panel's yearly blocks, held narrowed, come back as they were given."""

import numpy as np

from countysim.year_panel import YearPanel, narrowest


def test_blocks_come_back_as_concatenated_with_their_values_and_types():
    rng = np.random.default_rng(3)
    panel, years = YearPanel(), []
    for year in range(2012, 2016):
        block = {
            "year": np.full(5, year),
            "name": np.array(["a", "b", "c", "d", "e"], dtype=object),
            "level": np.array(["village", "town"][year % 2 :] * 5, dtype=object)[:5],
            "count": rng.integers(0, 70_000 if year == 2014 else 100, 5),  # wider one year
            "employment": rng.integers(0, 1000, 5).astype(float),  # exact in 32 bits
            "wage": rng.random(5) * 1e4,  # not
            "rate": np.array([0.5, np.nan, -0.0, np.inf, 1e300]),
        }
        panel.append(block)
        years.append(block)
    assert len(panel) == 4
    columns = panel.columns()
    assert list(columns) == list(years[0])
    for name, got in columns.items():
        want = np.concatenate([block[name] for block in years])
        assert got.dtype == want.dtype, name
        if got.dtype == object:
            assert (got == want).all(), name
        else:
            assert got.tobytes() == want.tobytes(), name  # bit for bit


def test_narrowest_keeps_every_bit():
    assert narrowest(np.array([1, -300, 40_000])).dtype == np.int32
    assert narrowest(np.array([1.0, 2.5])).dtype == np.float32
    assert narrowest(np.array([0.1])).dtype == np.float64
    assert narrowest(np.array([], dtype=np.int64)).dtype == np.int8
