"""Synthetic recovery at full procedure size: does the calibration find known values?

Runs ``calibrations/synthetic_recovery.yaml`` (three choice parameters with uniform, normal
and log-normal priors; four targets the model itself makes at known values; Morris
screening, three history-matching waves of 60 runs, an ensemble of 300) and prints, per
parameter, the prior's and the posterior's 90% interval, their width ratio and whether the
true value is inside; then the effective sample size, the waves and the time taken. The
figures (marginals, pairs, predictive bands, waves) and the HTML report are in the
calibration's ``posterior/`` folder; the figures are also copied to
``benchmarks/figures/calibration_recovery/``.

    python benchmarks/calibration_recovery.py [--out DIR] [--workers N] [--resume]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "calibrations" / "synthetic_recovery.yaml"
FIGURES = ROOT / "benchmarks" / "figures" / "calibration_recovery"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("results/calibrations/recovery"))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()

    from countysim.experiments.calibration import load_calibration
    from countysim.experiments.calibration_folder import calibrate
    from countysim.experiments.store import SweepStore

    plan = load_calibration(FILE)
    started = time.perf_counter()
    outcome = calibrate(plan, args.out, resume=args.resume, workers=args.workers, progress=False)
    seconds = time.perf_counter() - started

    summary = pd.read_csv(outcome.posterior / "parameters.csv")
    diagnostics = json.loads((outcome.posterior / "diagnostics.json").read_text())
    columns = ["parameter", "truth", "prior_p05", "prior_p95", "posterior_p05",
               "posterior_p50", "posterior_p95", "width_ratio", "truth_inside"]  # fmt: skip
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(summary[columns].to_string(index=False))
    print(f"\nactive parameters after screening: {', '.join(diagnostics['active_parameters'])}")
    for wave in diagnostics["waves"]:
        coverage = wave.get("emulator_coverage")
        shown = "" if coverage is None else f", emulator 3-sd coverage {coverage}"
        print(f"design {wave['wave']}: {wave['runs']} sets, "
              f"{wave['non_implausible']:.1%} of the prior not implausible{shown}")  # fmt: skip
    runs = sum(len(SweepStore.open(d).runs()) for d in (args.out / "stages").iterdir())
    print(f"effective sample size {outcome.effective_sample_size:.0f} of {outcome.ensemble}")
    print(f"{runs} model runs; {seconds / 60:.1f} min; report {outcome.posterior}")
    FIGURES.mkdir(parents=True, exist_ok=True)
    for figure in (outcome.posterior / "figures").glob("*.svg"):
        shutil.copyfile(figure, FIGURES / figure.name)
    print(f"figures copied to {FIGURES}")
    recovered = bool(summary["truth_inside"].all() and (summary["width_ratio"] < 1).all())
    print("recovered: every true value inside its 90% interval" if recovered else "NOT recovered")
    return 0 if recovered else 1


if __name__ == "__main__":
    sys.exit(main())
