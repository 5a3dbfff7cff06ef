import numpy as np
import pytest

from countysim.measures import (
    TheilSplit,
    gini,
    gini_between,
    theil,
    theil_decomposition,
    theil_splits,
    two_group_gini,
    two_group_theil,
)

# (urban population share, urban/rural mean ratio, Gini, Theil T)
KNOWN_TWO_GROUP = [(0.5, 3.0, 0.25, 0.1308), (0.3, 3.0, 0.2625, 0.1480)]


def two_group_population(n_urban: int, n_rural: int, ratio: float):
    values = np.r_[np.full(n_urban, ratio), np.ones(n_rural)]
    groups = np.r_[np.ones(n_urban, dtype=int), np.zeros(n_rural, dtype=int)]
    return values, groups


def brute_gini(y, w):
    diff = np.abs(y[:, None] - y[None, :])
    return (w[:, None] * w[None, :] * diff).sum() / (2 * w.sum() ** 2 * (w @ y / w.sum()))


def brute_theil(y, w):
    mu = w @ y / w.sum()
    return sum(wi * (yi / mu) * np.log(yi / mu) for yi, wi in zip(y, w, strict=True) if yi > 0) / (
        w.sum()
    )


@pytest.mark.parametrize(("share", "ratio", "g", "t"), KNOWN_TWO_GROUP)
def test_two_group_closed_forms_known_values(share, ratio, g, t):
    assert two_group_gini(share, ratio) == pytest.approx(g, abs=1e-12)
    assert round(two_group_theil(share, ratio), 4) == t


@pytest.mark.parametrize(("share", "ratio", "g", "t"), KNOWN_TWO_GROUP)
def test_general_functions_match_two_group_closed_forms(share, ratio, g, t):
    n_urban = round(1000 * share)
    values, groups = two_group_population(n_urban, 1000 - n_urban, ratio)
    assert gini(values) == pytest.approx(g, abs=1e-12)
    assert gini_between(values, groups) == pytest.approx(g, abs=1e-12)
    assert theil(values) == pytest.approx(two_group_theil(share, ratio), abs=1e-12)
    assert round(theil(values), 4) == t
    split = theil_decomposition(values, groups)
    assert split.between == pytest.approx(two_group_theil(share, ratio), abs=1e-12)
    assert split.within == pytest.approx(0.0, abs=1e-12)


def test_two_group_population_with_weights_matches_closed_form():
    # Two weighted observations stand for 300 urban and 700 rural persons.
    values, groups, weights = np.array([3.0, 1.0]), np.array([1, 0]), np.array([300, 700])
    assert gini(values, weights) == pytest.approx(0.2625, abs=1e-12)
    assert theil(values, weights) == pytest.approx(two_group_theil(0.3, 3.0), abs=1e-12)
    assert gini_between(values, groups, weights) == pytest.approx(0.2625, abs=1e-12)


def test_two_group_closed_forms_edge_cases():
    assert two_group_gini(0.0, 3.0) == 0.0
    assert two_group_gini(1.0, 3.0) == 0.0
    assert two_group_theil(0.0, 3.0) == 0.0
    assert two_group_theil(1.0, 3.0) == pytest.approx(0.0, abs=1e-15)
    assert two_group_gini(0.4, 1.0) == 0.0
    # Symmetric in which group is richer: swap the labels.
    assert two_group_gini(0.3, 1 / 3) == pytest.approx(two_group_gini(0.7, 3.0), abs=1e-15)
    assert two_group_theil(0.3, 1 / 3) == pytest.approx(two_group_theil(0.7, 3.0), abs=1e-15)


@pytest.mark.parametrize(("share", "ratio"), [(-0.1, 2.0), (1.1, 2.0), (0.5, 0.0), (0.5, np.inf)])
def test_two_group_closed_forms_reject_bad_args(share, ratio):
    with pytest.raises(ValueError):
        two_group_gini(share, ratio)
    with pytest.raises(ValueError):
        two_group_theil(share, ratio)


@pytest.mark.parametrize("n", [1, 2, 5, 100])
def test_gini_population_formula(n):
    assert gini(np.full(n, 7.5)) == pytest.approx(0.0, abs=1e-15)
    one_rich = np.zeros(n)
    one_rich[-1] = 1.0
    assert gini(one_rich) == pytest.approx((n - 1) / n, abs=1e-15)


def test_gini_and_theil_match_brute_force_with_weights():
    rng = np.random.default_rng(0)
    y = rng.lognormal(size=200)
    y[:5] = 0.0
    w = rng.uniform(0.1, 5.0, size=200)
    assert gini(y, w) == pytest.approx(brute_gini(y, w), rel=1e-12)
    assert theil(y, w) == pytest.approx(brute_theil(y, w), rel=1e-12)


def test_integer_weights_equal_replication():
    rng = np.random.default_rng(1)
    y = rng.gamma(2.0, size=50)
    w = rng.integers(0, 6, size=50)
    expanded = np.repeat(y, w)
    assert gini(y, w) == pytest.approx(gini(expanded), rel=1e-12)
    assert theil(y, w) == pytest.approx(theil(expanded), rel=1e-12)


def test_scale_invariance_and_theil_bounds():
    rng = np.random.default_rng(2)
    y = rng.lognormal(size=100)
    assert gini(1000 * y) == pytest.approx(gini(y), rel=1e-12)
    assert theil(1000 * y) == pytest.approx(theil(y), rel=1e-12)
    one_rich = np.r_[np.zeros(9), 1.0]
    assert theil(one_rich) == pytest.approx(np.log(10), rel=1e-12)
    assert theil(np.full(10, 3.0)) == pytest.approx(0.0, abs=1e-15)


def test_theil_decomposition_identity_and_shares():
    rng = np.random.default_rng(3)
    y = rng.lognormal(size=500)
    y[:3] = 0.0
    groups = rng.integers(0, 4, size=500) * 10 - 5  # arbitrary integer codes
    w = rng.uniform(0.5, 3.0, size=500)
    split = theil_decomposition(y, groups, w)
    assert isinstance(split, TheilSplit)
    assert split.total == pytest.approx(theil(y, w), rel=1e-12)
    assert abs(split.total - (split.between + split.within)) < 1e-12
    assert split.groups == (-5, 5, 15, 25)
    assert sum(split.population_shares) == pytest.approx(1.0, abs=1e-12)
    assert sum(split.income_shares) == pytest.approx(1.0, abs=1e-12)
    for code, t_g, mean in zip(split.groups, split.group_theil, split.means, strict=True):
        in_g = groups == code
        assert t_g == pytest.approx(theil(y[in_g], w[in_g]), rel=1e-12)
        assert mean == pytest.approx(np.average(y[in_g], weights=w[in_g]), rel=1e-12)
    assert split.between_share == pytest.approx(split.between / split.total)


def test_theil_decomposition_zero_income_and_zero_weight_groups():
    y = np.array([0.0, 0.0, 1.0, 3.0, 9.0])
    groups = np.array([0, 0, 1, 1, 2])
    w = np.array([1.0, 2.0, 1.0, 1.0, 0.0])  # group 2 has no population
    split = theil_decomposition(y, groups, w)
    assert split.groups == (0, 1)
    assert split.income_shares == (0.0, 1.0)
    assert split.group_theil[0] == 0.0
    assert abs(split.total - (split.between + split.within)) < 1e-12
    assert split.total == pytest.approx(theil(y, w), rel=1e-12)


def test_theil_splits_equal_theil_decomposition_by_each_flag():
    rng = np.random.default_rng(5)
    y = rng.lognormal(8.0, 0.8, size=2000)
    y[:4] = 0.0
    urban = rng.random(2000) < 0.4
    hukou = urban & (rng.random(2000) < 0.5)
    nobody = np.zeros(2000, dtype=bool)  # one group only: group 1 is absent
    zero_group = y == 0.0  # a group whose incomes are all zero
    splits = theil_splits(y, [urban, hukou, nobody, zero_group])
    for flag, split in zip([urban, hukou, nobody, zero_group], splits, strict=True):
        want = theil_decomposition(y, flag.astype(np.int8))
        assert split.groups == want.groups
        for field in ("total", "between", "within"):
            assert getattr(split, field) == pytest.approx(
                getattr(want, field), rel=1e-12, abs=1e-15
            )
        for field in ("population_shares", "income_shares", "means", "group_theil"):
            got, expected = getattr(split, field), getattr(want, field)
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
    with pytest.raises(ValueError):
        theil_splits(y, [urban.astype(int)])


def test_gini_between_equals_gini_of_group_means():
    rng = np.random.default_rng(4)
    y = rng.lognormal(size=300)
    groups = rng.integers(0, 3, size=300)
    w = rng.uniform(1.0, 2.0, size=300)
    means = np.array([np.average(y[groups == g], weights=w[groups == g]) for g in range(3)])
    assert gini_between(y, groups, w) == pytest.approx(gini(means[groups], w), rel=1e-12)
    assert gini_between(y, groups, w) <= gini(y, w)


@pytest.mark.parametrize(
    ("values", "weights"),
    [
        ([], None),
        ([[1.0, 2.0]], None),
        ([1.0, -1.0], None),
        ([1.0, np.nan], None),
        ([0.0, 0.0], None),
        ([1.0, 2.0], [1.0]),
        ([1.0, 2.0], [1.0, -1.0]),
        ([1.0, 2.0], [0.0, 0.0]),
    ],
)
def test_invalid_inputs_raise(values, weights):
    with pytest.raises(ValueError):
        gini(values, weights)
    with pytest.raises(ValueError):
        theil(values, weights)


def test_invalid_groups_raise():
    with pytest.raises(ValueError, match="integer codes"):
        theil_decomposition([1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="groups shape"):
        gini_between([1.0, 2.0], [0, 1, 1])
