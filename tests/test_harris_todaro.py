import math

import pytest

from countysim.harris_todaro import HTEquilibrium, closed_form_urban_share, solve_harris_todaro

PARAM_SETS = [
    dict(N=1.0, alpha=0.5, A_m=1.0, phi=0.5, A_a=1.0, rho=1.0),
    dict(N=1_000.0, alpha=0.3, A_m=2.5, phi=0.6, A_a=0.8, rho=0.7),
    dict(N=3.2e6, alpha=0.7, A_m=10.0, phi=0.35, A_a=4.0, rho=2.0),
    dict(N=50.0, alpha=0.05, A_m=1.0, phi=0.95, A_a=20.0, rho=5.0),
]


def clearing_wage(params, share):
    """Urban marginal product with all urban residents employed."""
    return params["alpha"] * params["A_m"] * (share * params["N"]) ** (params["alpha"] - 1)


def rural_income(params, eq, pay="marginal"):
    """Rural income per worker recomputed from the model primitives."""
    n_a = params["N"] - eq.urban_residents
    average_product = params["A_a"] * n_a ** (params["phi"] - 1)
    return eq.price * average_product * (params["phi"] if pay == "marginal" else 1.0)


@pytest.mark.parametrize("params", PARAM_SETS)
@pytest.mark.parametrize("floor_factor", [0.0, 0.5, 0.99, 1.01, 2.0, 10.0])
def test_solver_matches_closed_form_for_any_floor(params, floor_factor):
    share = closed_form_urban_share(params["alpha"], params["rho"], params["phi"])
    w_bar = floor_factor * clearing_wage(params, share)
    eq = solve_harris_todaro(w_bar=w_bar, **params)
    assert isinstance(eq, HTEquilibrium)
    assert eq.urban_share == pytest.approx(share, abs=1e-9)
    assert eq.urban_residents == pytest.approx(share * params["N"], rel=1e-9)
    assert eq.rural_income == pytest.approx(eq.expected_urban_wage, rel=1e-9)
    assert eq.rural_income == pytest.approx(rural_income(params, eq), rel=1e-9)
    # Relative price p = ρ Y_m / Y_a.
    y_m = params["A_m"] * eq.urban_employment ** params["alpha"]
    y_a = params["A_a"] * (params["N"] - eq.urban_residents) ** params["phi"]
    assert eq.price == pytest.approx(params["rho"] * y_m / y_a, rel=1e-9)
    if floor_factor > 1.0:
        n_m = (params["alpha"] * params["A_m"] / w_bar) ** (1 / (1 - params["alpha"]))
        assert eq.unemployment_rate > 0
        assert eq.urban_wage == w_bar
        assert eq.urban_employment == pytest.approx(n_m, rel=1e-9)
        assert eq.unemployment_rate == pytest.approx(1 - n_m / eq.urban_residents, rel=1e-9)
        assert eq.expected_urban_wage == pytest.approx(w_bar * n_m / eq.urban_residents)
    else:
        assert eq.unemployment_rate == 0.0
        assert eq.urban_employment == eq.urban_residents
        assert eq.urban_wage == pytest.approx(clearing_wage(params, share), rel=1e-9)
        assert eq.urban_wage >= w_bar


def test_higher_floor_raises_unemployment_not_urban_share():
    params = PARAM_SETS[1]
    share = closed_form_urban_share(params["alpha"], params["rho"], params["phi"])
    base = clearing_wage(params, share)
    rates = [solve_harris_todaro(w_bar=f * base, **params).unemployment_rate for f in (2, 3, 5)]
    assert 0 < rates[0] < rates[1] < rates[2] < 1


def test_average_pay_relative_price_closed_form_uses_phi_one():
    params = PARAM_SETS[1]
    eq = solve_harris_todaro(w_bar=0.0, pay="average", **params)
    assert eq.urban_share == pytest.approx(
        closed_form_urban_share(params["alpha"], params["rho"], 1.0), abs=1e-9
    )
    assert eq.rural_income == pytest.approx(rural_income(params, eq, "average"), rel=1e-9)
    assert eq.rural_income == pytest.approx(eq.expected_urban_wage, rel=1e-9)


@pytest.mark.parametrize("pay", ["marginal", "average"])
@pytest.mark.parametrize("w_bar", [0.0, 0.3, 3.0])
@pytest.mark.parametrize("p", [0.2, 1.0, 4.0])
def test_fixed_price_satisfies_migration_condition(pay, w_bar, p):
    params = dict(N=100.0, alpha=0.4, A_m=3.0, phi=0.6, A_a=2.0)
    eq = solve_harris_todaro(w_bar=w_bar, pay=pay, price="fixed", p=p, **params)
    assert eq.price == p
    assert 0 < eq.urban_share < 1
    # Expected urban wage from primitives: clearing wage, or w̄ times the job probability.
    n_u = eq.urban_residents
    mp_full = params["alpha"] * params["A_m"] * n_u ** (params["alpha"] - 1)
    if mp_full >= w_bar:
        expected = mp_full
        assert eq.unemployment_rate == 0.0
    else:
        n_m = (params["alpha"] * params["A_m"] / w_bar) ** (1 / (1 - params["alpha"]))
        expected = w_bar * n_m / n_u
        assert eq.unemployment_rate > 0
    assert eq.expected_urban_wage == pytest.approx(expected, rel=1e-9)
    assert rural_income(params, eq, pay) == pytest.approx(expected, rel=1e-9)


def test_fixed_price_consistent_with_relative_price_equilibrium():
    params = dict(N=500.0, alpha=0.45, A_m=2.0, w_bar=1.0, phi=0.55, A_a=1.5)
    relative = solve_harris_todaro(rho=0.8, **params)
    fixed = solve_harris_todaro(price="fixed", p=relative.price, **params)
    assert fixed.urban_share == pytest.approx(relative.urban_share, abs=1e-9)
    assert fixed.unemployment_rate == pytest.approx(relative.unemployment_rate, abs=1e-9)
    # A dearer agricultural good keeps more people on the land.
    dearer = solve_harris_todaro(price="fixed", p=2 * relative.price, **params)
    assert dearer.urban_share < fixed.urban_share


def test_extreme_share_is_still_solved():
    eq = solve_harris_todaro(N=1.0, alpha=0.5, A_m=1.0, w_bar=0.0, phi=0.5, A_a=1.0, rho=1e-9)
    assert eq.urban_share == pytest.approx(closed_form_urban_share(0.5, 1e-9, 0.5), abs=1e-12)
    assert eq.rural_income == pytest.approx(eq.expected_urban_wage, rel=1e-9)


@pytest.mark.parametrize(("p", "corner"), [(1e-300, "numerically 1"), (1e300, "numerically 0")])
def test_corner_equilibrium_raises(p, corner):
    params = dict(N=1.0, alpha=0.5, A_m=1.0, w_bar=0.0, phi=0.999, A_a=1.0)
    with pytest.raises(RuntimeError, match=corner):
        solve_harris_todaro(price="fixed", p=p, **params)


def test_closed_form_values_and_validation():
    assert closed_form_urban_share(0.5, 1.0, 0.25) == pytest.approx(2 / 3)
    assert closed_form_urban_share(0.3, 1.0, 1.0) == pytest.approx(0.3 / 1.3)
    for bad in [(0.0, 1.0, 0.5), (1.0, 1.0, 0.5), (0.5, 0.0, 0.5), (0.5, 1.0, 1.5)]:
        with pytest.raises(ValueError):
            closed_form_urban_share(*bad)


GOOD = dict(N=100.0, alpha=0.5, A_m=1.0, w_bar=0.5, phi=0.5, A_a=1.0, rho=1.0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(N=0.0), "N must be"),
        (dict(N=math.nan), "N must be"),
        (dict(alpha=1.0), "alpha must"),
        (dict(alpha=0.0), "alpha must"),
        (dict(A_m=-1.0), "A_m must be"),
        (dict(w_bar=-0.1), "w_bar must be"),
        (dict(w_bar=math.inf), "w_bar must be"),
        (dict(phi=1.2), "phi must"),
        (dict(A_a=0.0), "A_a must be"),
        (dict(pay="median"), "pay must be"),
        (dict(price="market"), "price must be"),
        (dict(rho=None), "requires rho"),
        (dict(rho=0.0), "rho must be"),
        (dict(p=1.0), "p must not be given"),
        (dict(price="fixed"), "rho must not be given"),
        (dict(price="fixed", rho=None), "requires p"),
        (dict(price="fixed", rho=None, p=-1.0), "p must be"),
        (dict(price="fixed", rho=None, p=1.0, phi=1.0), "phi must"),
        (dict(xtol=0.0), "xtol must be"),
        (dict(N="100"), "N must be"),
    ],
)
def test_bad_arguments_raise(changes, message):
    with pytest.raises(ValueError, match=message):
        solve_harris_todaro(**{**GOOD, **changes})


def test_phi_one_allowed_with_relative_price():
    eq = solve_harris_todaro(**{**GOOD, "phi": 1.0})
    assert eq.urban_share == pytest.approx(closed_form_urban_share(0.5, 1.0, 1.0), abs=1e-9)


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        solve_harris_todaro(100.0, 0.5, 1.0, 0.5, 0.5, 1.0)  # type: ignore[misc]


@pytest.mark.parametrize("params", PARAM_SETS)
@pytest.mark.parametrize("gamma", [0.0, 0.25, 0.5, 0.9])
@pytest.mark.parametrize("pay", ["marginal", "average"])
@pytest.mark.parametrize("floor_factor", [0.0, 2.0])
def test_general_price_satisfies_migration_condition(params, gamma, pay, floor_factor):
    share = closed_form_urban_share(params["alpha"], params["rho"], params["phi"])
    w_bar = floor_factor * clearing_wage(params, share)
    eq = solve_harris_todaro(w_bar=w_bar, pay=pay, gamma=gamma, **params)
    assert 0 < eq.urban_share < 1
    assert eq.rural_income == pytest.approx(eq.expected_urban_wage, rel=1e-9)
    assert eq.rural_income == pytest.approx(rural_income(params, eq, pay), rel=1e-9)
    y_m = params["A_m"] * eq.urban_employment ** params["alpha"]
    y_a = params["A_a"] * (params["N"] - eq.urban_residents) ** params["phi"]
    assert eq.price == pytest.approx(params["rho"] * (y_m / y_a) ** gamma, rel=1e-9)


def test_gamma_one_is_the_default_and_gamma_zero_a_fixed_price():
    params = PARAM_SETS[1]
    assert solve_harris_todaro(w_bar=0.1, **params) == solve_harris_todaro(
        w_bar=0.1, gamma=1.0, **params
    )
    relative = {key: value for key, value in params.items() if key != "rho"}
    fixed = solve_harris_todaro(w_bar=0.1, price="fixed", p=params["rho"], **relative)
    zero = solve_harris_todaro(w_bar=0.1, gamma=0.0, **params)
    assert zero.urban_share == pytest.approx(fixed.urban_share, abs=1e-12)
    assert zero.price == pytest.approx(params["rho"], rel=1e-12)


def test_below_unit_gamma_the_floor_moves_the_urban_share():
    """With gamma < 1 output levels no longer cancel: a binding floor cuts urban output,
    which lowers expected urban pay in proportion but the farm price only by its power
    gamma, so fewer move to town than without the floor."""
    params = PARAM_SETS[1]
    share = closed_form_urban_share(params["alpha"], params["rho"], params["phi"])
    free = solve_harris_todaro(w_bar=0.0, gamma=0.5, **params)
    floored = solve_harris_todaro(w_bar=3 * clearing_wage(params, share), gamma=0.5, **params)
    assert floored.unemployment_rate > 0.1
    assert floored.urban_share < free.urban_share - 1e-3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(gamma=1.5), "gamma must satisfy"),
        (dict(gamma=-0.1), "gamma must satisfy"),
        (dict(price="fixed", p=1.0, rho=None, gamma=0.5), "gamma applies"),
    ],
)
def test_bad_gamma_raises(changes, message):
    arguments = {**PARAM_SETS[0], "w_bar": 0.0, **changes}
    with pytest.raises(ValueError, match=message):
        solve_harris_todaro(**arguments)
