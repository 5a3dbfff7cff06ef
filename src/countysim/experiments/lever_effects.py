"""Lever effects beside published estimates: controlled comparisons of the land levers.

Each contrast compares two scenarios that differ only in one lever, run with the same
replicate seeds (common random numbers, `countysim.compare`), and measures the difference in
one county indicator averaged over a span of years, replicate by replicate. The effects are
checks on the model, set beside the published estimates; nothing here tunes a parameter.

Scenarios (overrides of the scenario file, shared by the contrasts that use them):

- ``baseline``: the scenario as it is (second-round contracts ending without an extension,
  a standing readjustment risk, management rights not separable);
- ``extended_2020``: every village's contracts extended by 30 years from 2020, which removes
  the readjustment risk of the contract end;
- ``no_standing_risk``: no standing readjustment risk (``land.reallocation_risk=0``);
- ``leasable``: separable, leasable management rights from the first year
  (``land.leasable_rights=1``).

Measures (county table):

- ``away_points``: the share of working-age members of the village collectives living
  outside the county (``away_share_rural``), difference in percentage points; ``relative``
  is the difference over the secure scenario's share;
- ``output_percent``: farm output per mu of arable land (``farm_output_per_mu``; the arable
  land is the same in both scenarios, so this is total farm output), difference in percent;
- ``tfp_percent``: farm output over a Cobb-Douglas bundle of the land in use and the farm
  workers, T^beta L^(1-beta) with beta the farming module's land elasticity, difference in
  percent. From the county columns, Q / (T^beta L^(1-beta)) is proportional to
  farm_output_per_mu / (1 - land_idle_share) * land_per_farm_worker_mu^(1-beta), the land in
  use being farmed plus leased land (arable less idle).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

SCENARIOS: dict[str, tuple[str, ...]] = {
    "baseline": (),
    "extended_2020": ("land.contract_extension={steps: [[2012, 0], [2020, 1]]}",),
    "no_standing_risk": ("land.reallocation_risk=0",),
    "leasable": ("land.leasable_rights=1",),
}

GILES_MU = (
    "Giles and Mu (2018), Village political economy, land tenure insecurity, and the "
    "rural to urban migration decision: evidence from China, American Journal of "
    "Agricultural Economics 100"
)
CHARI = (
    "Chari, Liu, Wang and Wang (2021), Property rights, land misallocation, and "
    "agricultural efficiency in China, Review of Economic Studies 88"
)


@dataclass(frozen=True)
class Contrast:
    """Effect = treated minus reference, in `measure`, averaged over years first..last."""

    name: str
    treated: str  # scenario name (key of SCENARIOS)
    reference: str
    years: tuple[int, int]
    measure: str  # away_points, output_percent or tfp_percent
    literature: float  # the published estimate in the measure's unit
    source: str


CONTRASTS = (
    Contrast(
        "tenure_contract_end",
        treated="baseline",
        reference="extended_2020",
        years=(2028, 2030),
        measure="away_points",
        literature=-2.4,
        source=GILES_MU,
    ),
    Contrast(
        "tenure_standing_risk",
        treated="baseline",
        reference="no_standing_risk",
        years=(2014, 2020),
        measure="away_points",
        literature=-2.4,
        source=GILES_MU,
    ),
    Contrast(
        "leasing_output",
        treated="leasable",
        reference="baseline",
        years=(2014, 2020),
        measure="output_percent",
        literature=8.0,
        source=CHARI,
    ),
    Contrast(
        "leasing_productivity",
        treated="leasable",
        reference="baseline",
        years=(2014, 2020),
        measure="tfp_percent",
        literature=10.0,
        source=CHARI,
    ),
)
#: Published relative size of the tenure effect: 2.4 points are 15% of the migrant share.
GILES_MU_RELATIVE = -15.0


def scenario_overrides(name: str, common: Sequence[str] = ()) -> list[str]:
    """Overrides that make scenario `name` from the scenario file (its name included)."""
    return [*common, f"name={name}", *SCENARIOS[name]]


def _level(table: pd.DataFrame, measure: str, beta: float) -> pd.Series:
    """The quantity the measure compares, per row of a county table."""
    if measure == "away_points":
        return table.away_share_rural
    if measure == "output_percent":
        return table.farm_output_per_mu
    if measure == "tfp_percent":
        in_use = 1.0 - table.land_idle_share
        return table.farm_output_per_mu / in_use * table.land_per_farm_worker_mu ** (1 - beta)
    raise ValueError(f"unknown measure {measure!r}")


def replicate_effects(table: pd.DataFrame, contrast: Contrast, beta: float) -> pd.DataFrame:
    """Per replicate: the treated and reference levels (means over the contrast's years) and
    the effect (points or percent) with, for shares, the effect relative to the reference
    level (percent). `table` is a comparison table (scenario, replicate, year, county
    columns)."""
    first, last = contrast.years
    rows = table[table.year.between(first, last)]
    values = rows.assign(value=_level(rows, contrast.measure, beta))
    means = values.groupby(["scenario", "replicate"])["value"].mean().unstack("scenario")
    missing = {contrast.treated, contrast.reference} - set(means.columns)
    if missing or len(rows.year.unique()) != last - first + 1:
        raise ValueError(f"{contrast.name}: the table lacks {sorted(missing)} or years")
    treated, reference = means[contrast.treated], means[contrast.reference]
    out = pd.DataFrame({"treated": treated, "reference": reference})
    if contrast.measure == "away_points":
        out["effect"] = 100 * (treated - reference)
        out["relative"] = 100 * (treated - reference) / reference
    else:
        out["effect"] = 100 * (treated / reference - 1)
        out["relative"] = out["effect"]
    return out.reset_index()


def summarize(effects: pd.DataFrame, contrast: Contrast) -> dict[str, object]:
    """Mean effect over replicates, its 95% confidence interval (t) and the 5-95% range of
    the replicates, beside the published estimate."""
    e = effects.effect.to_numpy(dtype=float)
    n = len(e)
    half = stats.t.ppf(0.975, n - 1) * e.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
    return {
        "contrast": contrast.name,
        "treated": contrast.treated,
        "reference": contrast.reference,
        "years": f"{contrast.years[0]}-{contrast.years[1]}",
        "measure": contrast.measure,
        "replicates": n,
        "reference_level": float(effects.reference.mean()),
        "effect": float(e.mean()),
        "ci_low": float(e.mean() - half),
        "ci_high": float(e.mean() + half),
        "q05": float(np.quantile(e, 0.05)),
        "q95": float(np.quantile(e, 0.95)),
        "relative_percent": float(effects.relative.mean()),
        "literature": contrast.literature,
        "literature_relative_percent": GILES_MU_RELATIVE
        if contrast.measure == "away_points"
        else contrast.literature,
        "source": contrast.source,
    }


def effect_table(
    table: pd.DataFrame, beta: float, contrasts: Sequence[Contrast] = CONTRASTS
) -> pd.DataFrame:
    """One row per contrast: the summary of `summarize`."""
    return pd.DataFrame([summarize(replicate_effects(table, c, beta), c) for c in contrasts])
