"""Golden outputs: small runs must reproduce the tables stored under `tests/data/golden/`.

The tables (county, places, flows, migration age profile) of a baseline county at
`simulation.scale=25`, 2012-2020, for three seeds, and of the integrated reform for one
seed (2012-2030), are stored as gzipped CSV with 12 significant digits. A change that only reorders
floating-point sums may move values by about 1e-12 relative; the comparison allows 1e-9.
A change of the model itself must regenerate them, saying why in its commit:

    python tests/test_golden_outputs.py --regenerate

History of tolerated (non-exact) changes:
- the inequality measures sum products pairwise instead of by BLAS dot products, and the
  Gini sorts once: Gini and Theil move in the last digits.
- the recorder's urban and rural mean incomes are masked sums over the county's residents
  instead of means of copies, and its two Theil splits (by residence, by hukou) come from
  sums over groups of y ln y (T_g = A_g/Y_g - ln mu_g, one logarithm per person) instead of
  a pass of logarithms per split: income means move by about 1e-16 and the Theil columns
  by about 1e-13, relative.
- the year's remittance totals sum only the senders' and the receivers' amounts (the same
  amounts, in another pairwise grouping): remittances_sent and remittances_received move
  by about 1e-16, relative. Public staff are found from the units ahead of each seeker
  summed within her place's queue instead of as a difference of running sums over every
  seeker, and land requisition sums the land ahead of a holding over the villages that
  give land only: who is hired or taken could differ only where the posts or land left
  equal her units or the holding to the last bits (no golden value moved). The village
  land market's search compares demand with offers from running sums, and with the
  household-by-household sum wherever the two are within 1e-9 of each other: the same
  rents.
- allowed change of draws: the location choice draws each chooser's option from the
  logit probabilities with one uniform (inverse of their cumulative sum over the feasible
  options) instead of the argmax over a Gumbel per option, and the retirees' two-way
  choice with one uniform (logistic) instead of two Gumbels: the same distributions,
  other draws (checked against the option probabilities in tests/test_choice.py, and the
  national patterns over ten seeds within sampling error); goldens regenerated after it.
- allowed change of draws: the location choice's activity draw (who reconsiders in a
  sub-step, working persons and retirees) is made only for the persons it selects
  (geometric gaps at the highest rate used, then a uniform below that rate for each),
  instead of a uniform for every person each sub-step: the same probabilities, other
  draws (tested in tests/test_choice.py); goldens regenerated after it.
- the location choice sums its residence terms for the choosers from tables by home place
  (cost of living, services and barrier without the hukou and network first, then the
  hukou's difference, the children's service, the moving cost and the attachment), not
  in the order of the formula: utilities move in the last bits (no golden value moved).
- allowed change of draws: the public-staff queue's noise (the order among equals) and
  the marginal seeker's hiring chance are drawn only for the seekers of the queue groups
  where a place's posts run out, the only ones that use them, instead of two uniforms per
  seeker each sub-step: the same probabilities, other draws (tested in
  tests/test_labour_hiring.py); goldens regenerated after it.
- the Theil splits sum y and y ln y by mask over the smaller group only and take the larger
  group's sums as the rest of the totals: the split columns move in the last digits.
- the location choice adds the land and pension terms, computed by distinct workplace, to
  the income term before spreading it over the options, then the residence terms: the
  utilities' sum in another order, moving in the last bits (no golden value moved).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
COMMON = ["simulation.scale=25", "years.end=2020"]
CASES = {
    "baseline_seed1": ("baseline.yaml", ["seed=1"]),
    "baseline_seed2": ("baseline.yaml", ["seed=2"]),
    "baseline_seed3": ("baseline.yaml", ["seed=3"]),
    # Through 2030, so that the reforms' schedules (from 2015 to 2028) act.
    "integrated_reform_seed1": ("integrated_reform.yaml", ["seed=1", "years.end=2030"]),
}
TABLES = ("county", "places", "flows", "ages")
RTOL = 1e-9
ATOL = 1e-9


def _tables(case: str) -> dict[str, pd.DataFrame]:
    from countysim.runner import prepare, simulate

    scenario, extra = CASES[case]
    sc = prepare(ROOT / "scenarios" / scenario, [*COMMON, *extra])
    res = simulate(sc)
    return {name: getattr(res, name) for name in TABLES}


def _path(case: str, table: str) -> Path:
    return GOLDEN / f"{case}_{table}.csv.gz"


def regenerate() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        for name, df in _tables(case).items():
            df.to_csv(_path(case, name), index=False, float_format="%.12g")
        print(f"wrote {case}")


def assert_same_table(got: pd.DataFrame, want: pd.DataFrame, label: str) -> None:
    """Every golden column is there (new output columns may be added); text equal; numbers
    within RTOL/ATOL (NaN == NaN)."""
    missing = [c for c in want.columns if c not in got.columns]
    assert not missing, f"{label}: columns {missing} are gone"
    assert len(got) == len(want), f"{label}: {len(got)} rows, golden has {len(want)}"
    for col in want.columns:
        a, b = got[col], want[col]
        if pd.api.types.is_numeric_dtype(b) and pd.api.types.is_numeric_dtype(a):
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            bad = ~np.isclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise AssertionError(
                    f"{label}.{col}: {int(bad.sum())} values differ, first at row {i}: "
                    f"{x[i]!r} vs golden {y[i]!r}"
                )
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), f"{label}.{col} differs"


@pytest.mark.parametrize("case", list(CASES))
def test_outputs_match_the_golden_tables(case):
    got = _tables(case)
    for name in TABLES:
        want = pd.read_csv(_path(case, name))
        # Read back through CSV too, so both sides have the same dtypes and rounding.
        from io import StringIO

        text = got[name].to_csv(index=False, float_format="%.12g")
        assert_same_table(pd.read_csv(StringIO(text)), want, f"{case}.{name}")


def test_comparison_detects_a_changed_value():
    want = pd.DataFrame({"year": [2012, 2013], "x": [1.0, 2.0], "level": ["a", "b"]})
    got = want.copy()
    got.loc[1, "x"] = 2.0 * (1 + 1e-6)
    with pytest.raises(AssertionError, match="x: 1 values differ"):
        assert_same_table(got, want, "t")
    assert_same_table(want.assign(new_output=0.0), want, "t")
    with pytest.raises(AssertionError, match="are gone"):
        assert_same_table(want.drop(columns="level"), want, "t")


if __name__ == "__main__":
    if "--regenerate" in sys.argv:
        regenerate()
    else:
        print(__doc__)
