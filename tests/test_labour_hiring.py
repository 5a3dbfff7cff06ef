"""The public-staff queue on a county of three places: posts filled on average at any scale
(the marginal seeker hired with the chance of the posts left over her units) and the queue
order, residents before commuters, the more educated first, urban hukou first among equals."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from countysim.modules.labour import LabourMarket

SEEKERS_PER_PLACE = 200
DRAWS = 400


def _county(scale: float, posts: np.ndarray, seed: int = 0):
    """Seekers of three places with random education, hukou, residence and skill, and a
    labour market whose bill pays every post."""
    rng = np.random.default_rng(seed)
    n = len(posts)
    where = np.repeat(np.arange(n, dtype=np.int32), SEEKERS_PER_PLACE)
    k = len(where)
    commuter = rng.random(k) < 0.3
    persons = SimpleNamespace(
        edu=rng.integers(0, 5, k).astype(np.int8),
        hukou_urban=rng.random(k) < 0.4,
        residence=np.where(commuter, (where + 1) % n, where).astype(np.int32),
    )
    model = SimpleNamespace(
        persons=persons,
        world=SimpleNamespace(n=n, is_county=np.ones(n, dtype=bool)),
        scenario=SimpleNamespace(simulation=SimpleNamespace(scale=scale)),
        finance=SimpleNamespace(public_posts=lambda model: posts),
        rng=np.random.default_rng(seed + 1),
    )
    lab = LabourMarket.__new__(LabourMarket)
    lab.public_bill = np.where(posts > 0, 1000.0, 0.0)
    seekers = np.arange(k)
    skill = rng.uniform(0.5, 1.5, k)
    return lab, model, seekers, where, skill, commuter


@pytest.mark.parametrize("scale", [1.0, 10.0, 300.0])
def test_posts_are_filled_on_average_at_any_scale(scale):
    # Posts of a fraction of a seeker, of many seekers, and none.
    posts = np.array([0.37 * scale, 61.3 * scale, 0.0])
    lab, model, seekers, where, skill, _ = _county(scale, posts)
    units = np.array([lab._hire_staff(model, seekers, where, skill)[0] for _ in range(DRAWS)])
    filled = scale * np.stack([units @ (skill * (where == j)) for j in range(3)], axis=1)
    assert (filled[:, 2] == 0).all()
    # A draw fills the posts to within the marginal seeker's units: the mean within four
    # standard errors of the posts (half the largest skill is the draw's widest spread).
    se = scale * 0.75 / np.sqrt(DRAWS)
    assert abs(filled[:, 0].mean() - posts[0]) < 4 * se
    assert abs(filled[:, 1].mean() - posts[1]) < 4 * se
    assert (np.abs(filled[:, :2] - posts[:2]) <= scale * 1.5).all()


def test_queue_order_residents_then_education_then_urban_hukou():
    scale = 10.0
    posts = np.array([83.0 * scale, 171.4 * scale, 12.9 * scale])
    lab, model, seekers, where, skill, commuter = _county(scale, posts, seed=3)
    p = model.persons
    # The queue's rank before the noise: commuters after residents, then education down,
    # then rural hukou after urban.
    rank = commuter * 100 + (10 - p.edu.astype(int)) * 2 + ~p.hukou_urban
    for _ in range(50):
        staff, _ = lab._hire_staff(model, seekers, where, skill)
        for j in range(3):
            here = where == j
            hired, passed = np.sort(rank[staff & here]), np.sort(rank[~staff & here])
            assert len(hired) and len(passed)
            # Everyone hired ranks at or before everyone passed over, but for the marginal
            # seeker whom the chance of the last post passed over (at most one).
            assert (passed < hired[-1]).sum() <= 1
            assert len(passed) < 2 or hired[-1] <= passed[1]
