"""How the county panel's scores move with the simulation scale.

Runs the same stratified sample of calibration-half counties (20 by default, stratified by
region) under the policy history at the panel's default scale and at full scale (one row
per person), and prints, per quantity, the model's RMSE and correlation at each scale and
how far the county predictions differ between the scales, with the seconds per county.

    nice python benchmarks/bench_panel_scale.py                  # scales 20 and 1, 20 counties
    nice python benchmarks/bench_panel_scale.py --scales 50 20 10 --counties 10 --workers 2

Full scale takes a while (tens of seconds per county of 400,000 residents).
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def panel_file(directory: Path, scale: int, counties: int, seed: int) -> Path:
    path = directory / f"scale_{scale}.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            name: scale_{scale}
            scenario: {ROOT / "scenarios" / "history.yaml"}
            county_rules: {ROOT / "scenarios" / "census_county.yaml"}
            targets: {ROOT / "seeds" / "data" / "county_census_2020_calibration.csv"}
            counties:
              census: {ROOT / "seeds" / "data" / "county_census_2010.csv"}
              sample: {{size: {counties}, stratify: region, seed: {seed}}}
            scale: {scale}
            """
        ),
        encoding="utf-8",
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[20, 1])
    parser.add_argument("--counties", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="seed of the county sample")
    args = parser.parse_args()

    from countysim.experiments.panel import load_panel
    from countysim.experiments.panel_runner import run_panel

    scores, counties, seconds = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            plan = load_panel(panel_file(Path(tmp), scale, args.counties, args.seed))
            started = time.perf_counter()
            out = Path(tmp) / f"out_{scale}"
            run_panel(plan, out, workers=args.workers, progress=False)
            seconds[scale] = time.perf_counter() - started
            table = pd.read_csv(out / "scores.csv")
            scores[scale] = table[table["source"] == "model"].set_index("quantity")
            counties[scale] = pd.read_csv(out / "counties.csv", dtype={"code": str}).set_index(
                "code"
            )
            print(
                f"scale {scale}: {len(plan.codes)} counties in {seconds[scale]:.0f} s "
                f"({seconds[scale] * args.workers / len(plan.codes):.1f} worker-s per county)",
                flush=True,
            )

    reference = args.scales[-1]
    print("\nModel RMSE (correlation) by scale; last column: mean |difference| of county")
    print(f"predictions from scale {reference}")
    header = f"{'quantity':40s}" + "".join(f"{'scale ' + str(s):>20s}" for s in args.scales)
    print(header + f"{'mean |diff|':>14s}")
    for quantity in scores[reference].index:
        cells = "".join(
            f"{scores[s].loc[quantity, 'rmse']:>11.4f} "
            f"({scores[s].loc[quantity, 'correlation']:5.2f})"
            for s in args.scales
        )
        column = f"{quantity}_predicted"
        if quantity == "residents":  # residents are compared in log points
            diffs = [
                np.log(counties[s][column]) - np.log(counties[reference][column])
                for s in args.scales[:-1]
            ]
        else:
            diffs = [counties[s][column] - counties[reference][column] for s in args.scales[:-1]]
        spread = np.nanmean(np.abs(diffs[0])) if diffs else float("nan")
        print(f"{quantity:40s}{cells}{spread:>14.4f}")


if __name__ == "__main__":
    main()
