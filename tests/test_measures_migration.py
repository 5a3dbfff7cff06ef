"""Migration measures (countysim.measures.migration) against hand-computed values."""

import math

import numpy as np
import pytest

from countysim.measures import (
    BoundarySplit,
    LevelBalance,
    bilateral_net,
    boundary_split,
    composition,
    gross_migration,
    grouped_mean,
    grouped_median,
    level_balance,
    local_share,
    migration_efficiency,
    net_migration,
    net_migration_rate,
    return_share,
)

# Three units; F[o, d] persons moving from o to d, the diagonal within a unit.
FLOWS = np.array(
    [
        [2.0, 10.0, 5.0],
        [3.0, 0.0, 4.0],
        [1.0, 6.0, 7.0],
    ]
)


def nan_equal(actual, expected) -> bool:
    return np.allclose(actual, expected, equal_nan=True, rtol=0, atol=1e-12)


def test_balance_of_units():
    inflow, outflow, population = [30, 0, 5], [10, 0, 20], [1000, 0, 500]
    assert net_migration(inflow, outflow).tolist() == [20, 0, -15]
    assert gross_migration(inflow, outflow).tolist() == [40, 0, 25]
    # 1000 * 20 / 1000 = 20; P = 0 -> undefined; 1000 * -15 / 500 = -30
    assert nan_equal(net_migration_rate(inflow, outflow, population), [20.0, np.nan, -30.0])
    assert nan_equal(net_migration_rate(inflow, outflow, population, per=100), [2, np.nan, -3])
    # 20 / 40, nobody moved, -15 / 25
    assert nan_equal(migration_efficiency(inflow, outflow), [0.5, np.nan, -0.6])


def test_rate_over_several_years_uses_person_years():
    # 12 in and 4 out over two years with 400 and 400 residents: 1000 * 8 / 800 = 10 per year
    assert net_migration_rate(12, 4, 800).item() == pytest.approx(10.0)


def test_level_balance_by_hand():
    bal = level_balance(FLOWS)
    assert isinstance(bal, LevelBalance)
    assert bal.within.tolist() == [2, 0, 7]
    # column sums 6, 16, 16 minus the diagonal; row sums 17, 7, 14 minus the diagonal
    assert bal.inflow.tolist() == [4, 16, 9]
    assert bal.outflow.tolist() == [15, 7, 7]
    assert bal.net.tolist() == [-11, 9, 2]
    assert bal.gross.tolist() == [19, 23, 16]
    assert bal.net.sum() == 0


def test_bilateral_net_is_antisymmetric():
    net = bilateral_net(FLOWS)
    assert net[0, 1] == 7  # 10 from unit 0 to 1, 3 back
    assert net[1, 0] == -7
    assert net[2, 0] == -4  # 1 from 2 to 0, 5 back
    assert np.array_equal(net, -net.T)
    assert np.all(np.diag(net) == 0)


def test_boundary_split_by_hand():
    split = boundary_split(FLOWS, [True, True, False])
    assert split == BoundarySplit(within=15.0, leaving=9.0, entering=7.0, outside=7.0)
    assert split.net_leaving == 2.0
    total = split.within + split.leaving + split.entering + split.outside
    assert total == FLOWS.sum()


def test_shares():
    assert nan_equal(return_share([3, 0], [12, 0]), [0.25, np.nan])
    assert nan_equal(local_share([30, 0], [70, 0]), [0.3, np.nan])
    # near, province, far out-migrant workers
    assert nan_equal(composition([50, 30, 20]), [0.5, 0.3, 0.2])
    assert nan_equal(composition([[1, 3], [0, 0]]), [[0.25, 0.75], [np.nan, np.nan]])


def test_grouped_mean_and_median_by_hand():
    edges, top = [0, 10], 10
    # midpoints 5 and 15: (1 * 5 + 3 * 15) / 4
    assert grouped_mean([1, 3], edges, top) == pytest.approx(12.5)
    # N/2 = 2 falls in the second band: 10 + (2 - 1) / 3 * 10
    assert grouped_median([1, 3], edges, top) == pytest.approx(10 + 10 / 3)
    # N/2 = 2 is exactly the end of the first band
    assert grouped_median([2, 2], edges, top) == pytest.approx(10.0)
    # unequal widths: [16, 20) midpoint 18, [20, 25) midpoint 22.5, open band [25, 35) -> 30
    assert grouped_mean([2, 1, 1], [16, 20, 25], 10) == pytest.approx((36 + 22.5 + 30) / 4)
    assert math.isnan(grouped_mean([0, 0], edges, top))
    assert math.isnan(grouped_median([0, 0], edges, top))


@pytest.mark.parametrize(
    "call",
    [
        lambda: net_migration([1, -1], [0, 0]),
        lambda: gross_migration([1, np.nan], [0, 0]),
        lambda: level_balance(np.ones((2, 3))),
        lambda: level_balance(-np.ones((2, 2))),
        lambda: boundary_split(np.ones((2, 2)), [True]),
        lambda: grouped_mean([1, 2], [0, 10, 20], 5),
        lambda: grouped_mean([1, 2], [10, 0], 5),
        lambda: grouped_median([1, 2], [0, 10], 0),
        lambda: composition([1, -2]),
    ],
)
def test_bad_input_is_rejected(call):
    with pytest.raises(ValueError):
        call()
