"""The location choice keeps its aggregates up to date from those who move."""

import numpy as np
from conftest import small_scenario

from countysim.model import CountyModel
from countysim.modules.choice_draws import draw_binary_logit, draw_logit, sparse_uniforms
from countysim.modules.family_moves import partners_follow


def _recount(model):
    n = model.world.n
    keys = model.choice.network_keys(model, np.arange(len(model.persons)))
    return np.bincount(keys, minlength=n * n).reshape(n, n)


def test_network_kept_from_movers_equals_a_full_count_after_every_substep():
    model = CountyModel(small_scenario("years.end=2014", "simulation.spinup_years=1"))
    checked = []
    substep = model.choice.substep

    def checking(m):
        substep(m)
        np.testing.assert_array_equal(model.choice._net, _recount(m))
        assert model.choice._net.sum() > 0
        checked.append(m.clock)

    model.choice.substep = checking
    model.run()
    assert len(checked) == 3 * model.scenario.simulation.substeps


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


def _couple(model, gap):
    """Rows of a working woman and man of one household living at its home village, with
    `gap` years between them, everyone else of the household made a child."""
    p, world = model.persons, model.world
    home = model.households.home[p.hh]
    at_home = (p.residence == home) & (world.level[home] == 0)
    hh = p.hh[np.flatnonzero(at_home)[0]]
    members = np.flatnonzero(p.hh == hh)
    assert len(members) >= 2
    woman, man = members[:2]
    p.female[woman], p.female[man] = True, False
    p.age[members] = 5
    p.age[woman], p.age[man] = 30, 30 + gap
    p.status[woman] = p.status[man] = 2  # farming
    p.residence[members] = home[woman]
    return woman, man, home[woman]


def _partner_of_mover(share, gap=2):
    model = CountyModel(
        small_scenario(
            "years.end=2012",
            "simulation.spinup_years=1",
            f"choice.partner_follow_share_county={share}",
        )
    )
    woman, man, village = _couple(model, gap)
    town = model.world.county_town
    model.persons.residence[man] = town
    model.choice._year_aggregates(model)  # the year's pool of those of partner age
    moved, origin, _ = partners_follow(
        model, np.array([man]), np.array([village]), model.choice._partner_pool
    )
    return model, woman, town, moved, origin, village


def test_partner_follows_a_mover_within_the_county_at_share_one_and_not_at_zero():
    model, woman, town, moved, origin, village = _partner_of_mover(1.0)
    np.testing.assert_array_equal(moved, [woman])
    np.testing.assert_array_equal(origin, [village])
    assert model.persons.residence[woman] == town
    assert model.persons.workplace[woman] == town  # looks for work where she now lives
    model, woman, town, moved, _, village = _partner_of_mover(0.0)
    assert len(moved) == 0 and model.persons.residence[woman] == village


def test_a_member_more_than_the_largest_gap_apart_is_not_taken_for_a_partner():
    from countysim.modules.family_moves import PARTNER_MAX_AGE_GAP

    model, woman, _, moved, _, village = _partner_of_mover(1.0, gap=PARTNER_MAX_AGE_GAP + 1)
    assert len(moved) == 0 and model.persons.residence[woman] == village


def test_logit_draw_matches_the_softmax_probabilities_and_never_picks_infeasible_options():
    rng = np.random.default_rng(7)
    n, k = 200_000, 6
    base = np.array([0.3, -1.0, 1.2, 0.0, 2.0, -0.5])
    u = np.broadcast_to(base, (n, k)).copy()
    ok = np.ones((n, k), dtype=bool)
    ok[: n // 2, 4] = False  # half the rows without their likeliest option
    ok[n // 2 :, 0] = False
    ok[:10] = False  # no option at all
    pick = draw_logit(u, ok, rng.random(n))
    assert (pick[:10] == -1).all()
    for rows in (slice(10, n // 2), slice(n // 2, n)):
        feasible = ok[rows][0]
        prob = np.where(feasible, np.exp(base - base.max()), 0.0)
        prob /= prob.sum()
        count = np.bincount(pick[rows], minlength=k)
        assert (count[~feasible] == 0).all()
        m = count.sum()
        expected = m * prob[feasible]
        chi2 = (((count[feasible] - expected) ** 2) / expected).sum()
        assert chi2 < 20.5  # 99.9% point of chi-square with 4 degrees of freedom


def test_logit_draw_at_the_uniform_edges_picks_the_first_and_last_feasible_options():
    u = np.array([[0.0, 5.0, 1.0, -2.0]] * 2)
    ok = np.array([[False, True, True, False]] * 2)
    pick = draw_logit(u, ok, np.array([0.0, np.nextafter(1.0, 0.0)]))
    assert pick.tolist() == [1, 2]


def test_sparse_uniforms_select_each_position_at_the_rate_with_uniform_draws_below_it():
    rng = np.random.default_rng(3)
    n, rate, reps = 1_000, 0.18, 2_000
    hits = np.zeros(n)
    draws = []
    for _ in range(reps):
        pos, draw = sparse_uniforms(rng, n, rate)
        assert (np.diff(pos) > 0).all() and pos[0] >= 0 and pos[-1] < n
        hits[pos] += 1
        draws.append(draw)
    draws = np.concatenate(draws)
    se = np.sqrt(rate * (1 - rate) / (n * reps))
    assert abs(hits.mean() / reps - rate) < 4 * se
    # Every position alike: the first, the last and the rest (chi-square over positions).
    chi2 = ((hits - reps * rate) ** 2 / (reps * rate * (1 - rate))).sum()
    assert chi2 < n + 4 * np.sqrt(2 * n)
    assert draws.min() >= 0 and draws.max() < rate
    # A rule draw < r among them holds with probability r / rate.
    for r in (0.06, 0.05):
        share = (draws < r).mean()
        assert abs(share - r / rate) < 4 * np.sqrt(r / rate * (1 - r / rate) / len(draws))


def test_sparse_uniforms_at_the_edges():
    rng = np.random.default_rng(1)
    pos, draw = sparse_uniforms(rng, 10, 1.0)
    assert pos.tolist() == list(range(10)) and (draw < 1).all()
    assert len(sparse_uniforms(rng, 10, 0.0)[0]) == 0
    assert len(sparse_uniforms(rng, 0, 0.5)[0]) == 0
    # A rate so small that the first batch of gaps may not reach the end.
    pos, _ = sparse_uniforms(rng, 1_000_000, 1e-5)
    assert (pos < 1_000_000).all() and (np.diff(pos) > 0).all()
    # A rate so small that its gaps would overflow the integers uncapped: nothing selected.
    assert len(sparse_uniforms(rng, 1_000, 1e-300)[0]) == 0


def test_binary_logit_draw_matches_the_logistic_probability():
    rng = np.random.default_rng(11)
    n = 100_000
    for gap in (-2.0, 0.0, 0.7, 3.0):  # u_second - u_first
        second = draw_binary_logit(np.zeros(n), np.full(n, gap), rng.random(n))
        prob = 1 / (1 + np.exp(-gap))
        assert abs(second.mean() - prob) < 4 * np.sqrt(prob * (1 - prob) / n)
    # A utility so low that exp overflows: never that option.
    assert not draw_binary_logit(np.zeros(3), np.full(3, -1e4), np.zeros(3)).any()
