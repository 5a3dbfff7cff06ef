"""The county's patterns beside the national series to 2019: incomes, land, destinations of
out-migrants, local migrant workers and hukou urbanization.

Runs a scenario (the baseline by default) for several seeds and prints, per indicator, the
mean over seeds in 2012 and 2019, its yearly trend over 2012-2019 (least squares) and the
national values of the same definition from seeds/data where the file has them:

    python benchmarks/national_patterns.py [--scenario scenarios/baseline.yaml]
        [--scale 20] [--seeds 1 2 3 4 5] [--end 2024] [--set key=value ...]

Definitions, as in the migrant-worker monitoring survey and the household survey:
- income_ratio: urban over rural per-capita disposable income (county town and township
  seats over villages); remittance_share_rural: remittances received over the disposable
  income of village residents; real incomes at the scenario's base-year prices;
- land_leased_share, land_idle_share: of village land;
- far_share: out-migrant workers working outside the province over all out-migrant workers
  (outside the home township); migrant_local_share: local (home township) over all migrant
  workers; urbanization_registered: urban-hukou share of county residents;
  urbanization_registered_origin: urban-hukou share of the county's origin population
  (registered in the county at the start or born since, alive, wherever they live and
  wherever their hukou now is). The national hukou urbanization is compared with the
  latter: nationally a rural migrant who settles in a city raises it, while in the county
  residents' share she only leaves the numerator's and denominator's pool (she no longer
  lives in the county), so that share cannot show the settling in cities at all.
A single county need not match national levels (the national figures include the big
cities); trends and the composition are what to compare.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
STATISTICS = ROOT / "seeds" / "data" / "china_statistics_to_2019.csv"
INDICATORS = (
    "income_urban_pc",
    "income_rural_pc",
    "income_urban_pc_real",
    "income_rural_pc_real",
    "income_ratio",
    "remittance_share_rural",
    "land_leased_share",
    "land_idle_share",
    "far_share",
    "migrant_local_share",
    "urbanization_registered",
    "urbanization_registered_origin",
    "urbanization_resident",
)


def national() -> dict[str, dict[int, float]]:
    """The national series of the same definitions, by year (seeds/data only)."""
    s = pd.read_csv(STATISTICS)
    series = {k: dict(zip(g.year, g.value, strict=True)) for k, g in s.groupby("series")}
    mw = {k: series[k] for k in ("local", "out_migrant", "out_cross_province")}
    out = {
        "income_urban_pc": series["per_capita_disposable_income_urban"],
        "income_rural_pc": series["per_capita_disposable_income_rural"],
        "income_ratio": series["urban_rural_income_ratio_new_basis"],
        "far_share": {
            y: mw["out_cross_province"][y] / mw["out_migrant"][y] for y in mw["out_cross_province"]
        },
        "migrant_local_share": {
            y: mw["local"][y] / (mw["local"][y] + mw["out_migrant"][y]) for y in mw["local"]
        },
        # Hukou urbanization counts everyone wherever they live: the county's analogue is
        # the share among its origin population, not among its residents.
        "urbanization_registered_origin": {
            y: v / 100 for y, v in series["hukou_urbanization_rate"].items()
        },
        "urbanization_resident": {
            y: v / 100 for y, v in series["resident_urbanization_rate_as_published"].items()
        },
    }
    return out


def simulate(scenario: str, scale: int, seeds: list[int], end: int, extra: list[str]):
    import countysim

    rows = []
    for seed in seeds:
        overrides = [f"simulation.scale={scale}", f"seed={seed}", f"years.end={end}", *extra]
        county = countysim.run(scenario, overrides=overrides).county.copy()
        county["seed"] = seed
        rows.append(county)
    df = pd.concat(rows)
    df["far_share"] = df.migrants_far / df.migrant_workers_out
    rural_people = df.residents_county * (1 - df.urbanization_resident)
    df["remittance_share_rural"] = df.remittances_received / (df.income_rural_pc * rural_people)
    return df.groupby("year")[[c for c in INDICATORS if c in df]].mean()


def trend(values: dict[int, float] | pd.Series, first: int = 2012, last: int = 2019) -> float:
    years = [y for y in sorted(values.keys()) if first <= y <= last]
    if len(years) < 3:
        return float("nan")
    return float(np.polyfit(years, [values[y] for y in years], 1)[0])


def report(model: pd.DataFrame) -> str:
    nat = national()
    lines = [
        f"{'indicator':30s} {'2012':>10s} {'2019':>10s} {'trend/yr':>9s}   "
        f"{'nat. first':>14s} {'nat. 2019':>10s} {'nat. trend':>10s}"
    ]
    for col in model.columns:
        m = model[col]
        row = f"{col:30s} {m.get(2012, np.nan):10.3f} {m.get(2019, np.nan):10.3f} {trend(m):+9.4f}"
        if col in nat:
            n = nat[col]
            first = min(y for y in n if y >= 2012)
            row += f"   {first}: {n[first]:8.3f} {n.get(2019, np.nan):10.3f} {trend(n):+10.4f}"
        lines.append(row)
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--scale", type=int, default=20)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--end", type=int, default=2024)
    ap.add_argument("--set", dest="extra", action="append", default=[])
    args = ap.parse_args()
    model = simulate(args.scenario, args.scale, args.seeds, args.end, args.extra)
    print(f"{Path(args.scenario).name}, scale {args.scale}, seeds {args.seeds}")
    print(report(model))


if __name__ == "__main__":  # the spawn start method Mesa sets re-imports this module
    main()
