"""Effects of the land levers in controlled comparisons, beside the published estimates.

Runs the scenarios of ``countysim.experiments.lever_effects`` with the same replicate seeds
(``countysim.compare``), prints each contrast's effect (mean over replicates, 95% confidence
interval, 5-95% range of the replicates) next to the literature value, and writes
``effects.csv``, ``replicates.csv``, ``lever_effects.png`` and ``manifest.json`` to the output
folder. Reports; tunes nothing. The set-up is described in docs/lever_effects.md.

    nice python benchmarks/lever_effects.py --replicates 10 --scale 10
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from countysim.atomic import atomic_directory  # noqa: E402
from countysim.compare import compare  # noqa: E402
from countysim.experiments.lever_effects import (  # noqa: E402
    CONTRASTS,
    SCENARIOS,
    effect_table,
    replicate_effects,
    scenario_overrides,
)
from countysim.runner import prepare  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
UNITS = {"away_points": "points", "output_percent": "%", "tfp_percent": "%"}


def plot(effects: pd.DataFrame, per_replicate: pd.DataFrame):
    """Model effects (replicates, mean and 95% interval) and the published value, one panel
    for the migration contrasts (points) and one for the farming contrasts (percent)."""
    groups = (("away_points",), ("output_percent", "tfp_percent"))
    titles = ("Out-of-county share of working-age members", "Farm output and productivity")
    xlabels = ("effect, percentage points", "effect, percent")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    for ax, measures, title, xlabel in zip(axes, groups, titles, xlabels, strict=True):
        rows = effects[effects.measure.isin(measures)].reset_index(drop=True)
        for y, row in rows.iterrows():
            reps = per_replicate[per_replicate.contrast == row.contrast].effect
            ax.scatter(reps, [y] * len(reps), s=10, color="0.6", zorder=1)
            ax.errorbar(
                row.effect,
                y,
                xerr=[[row.effect - row.ci_low], [row.ci_high - row.effect]],
                fmt="o",
                color="C0",
                capsize=4,
                label="model (95% CI)" if y == 0 else None,
                zorder=2,
            )
            ax.scatter(
                row.literature,
                y,
                marker="D",
                color="C3",
                label="published" if y == 0 else None,
                zorder=3,
            )
        ax.axvline(0, color="0.8", lw=0.8)
        ax.set_yticks(range(len(rows)), [c.replace("_", " ") for c in rows.contrast])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.legend(fontsize=8, loc="best")
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "results" / "lever_effects"))
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier output")
    args = parser.parse_args()

    last_year = max(c.years[1] for c in CONTRASTS)
    common = [f"simulation.scale={args.scale}", f"years.end={last_year}"]
    scenarios = [prepare(args.scenario, scenario_overrides(name, common)) for name in SCENARIOS]
    comparison = compare(scenarios, replicates=args.replicates, workers=args.workers)
    beta = scenarios[0].farming.land_elasticity
    effects = effect_table(comparison.table, beta)
    per_replicate = pd.concat(
        [replicate_effects(comparison.table, c, beta).assign(contrast=c.name) for c in CONTRASTS],
        ignore_index=True,
    )

    print(
        f"{args.replicates} replicates, scale {args.scale}, seeds {comparison.seeds}, "
        f"{comparison.seconds:.0f} s of runs"
    )
    for row in effects.itertuples():
        unit = UNITS[row.measure]
        print(
            f"{row.contrast:22s} {row.treated} - {row.reference}, {row.years}: "
            f"{row.effect:+.2f} {unit} (95% CI {row.ci_low:+.2f} to {row.ci_high:+.2f}; "
            f"replicates 5-95% {row.q05:+.2f} to {row.q95:+.2f}; relative "
            f"{row.relative_percent:+.1f}%)   published {row.literature:+.1f} {unit} "
            f"(relative {row.literature_relative_percent:+.0f}%)"
        )

    with atomic_directory(args.out, overwrite=args.overwrite) as tmp:
        effects.to_csv(tmp / "effects.csv", index=False)
        per_replicate.to_csv(tmp / "replicates.csv", index=False)
        plot(effects, per_replicate).savefig(tmp / "lever_effects.png", dpi=150)
        info = {
            "countysim_version": comparison.manifests()[0]["countysim_version"],
            "replicate_seeds": comparison.seeds,
            "scenarios": {m["scenario_name"]: m for m in comparison.manifests()},
        }
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":  # guarded: worker processes are started with spawn
    main()
