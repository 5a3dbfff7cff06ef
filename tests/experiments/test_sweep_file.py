"""Sweep files are checked like scenarios before anything runs: file:line, dotted key,
did-you-mean, exit status 2 and nothing written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sweep_helpers import LHS_SWEEP, ROOT, write_sweep

from countysim.cli import main
from countysim.experiments import load_sweep

SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml"))


def sweep_errors(capsys, path: Path, *extra: str) -> str:
    """Run `countysim sweep` on a bad file: exit status 2, no store; return stderr."""
    out = path.parent / "store"
    status = main(["sweep", os.fspath(path), "--out", os.fspath(out), "--quiet", *extra])
    err = capsys.readouterr().err
    assert status == 2, err
    assert not out.exists()
    return err


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_shipped_sweeps_are_valid(path):
    plan = load_sweep(path)
    assert len(plan.runs) == len(plan.design) * plan.spec.replicates
    assert plan.base["county"]["generate"]["registered_population"] == 20000


def test_shipped_sweeps_exist():
    assert {p.name for p in SWEEPS} >= {"lever_strengths.yaml", "behavioural_lhs.yaml"}


def test_unknown_parameter_path_gets_a_did_you_mean(capsys, tmp_path):
    path = write_sweep(tmp_path, LHS_SWEEP.replace("choice.moving_cost", "choice.movng_cost"))
    err = sweep_errors(capsys, path)
    assert f"{path}:{line_of(path, 'movng_cost')}: parameters.choice.movng_cost" in err
    assert "did you mean 'choice.moving_cost'?" in err


def test_bounds_are_checked_in_order_and_against_the_scenario_schema(capsys, tmp_path):
    body = LHS_SWEEP.replace("[0.8, 2.5]", "[2.5, 0.8]")
    path = write_sweep(tmp_path, body)
    err = sweep_errors(capsys, path)
    assert f"{path}:{line_of(path, '[2.5, 0.8]')}:" in err
    assert "the lower bound must be below the upper" in err

    body = LHS_SWEEP.replace(
        "choice.income_weight: {bounds: [0.8, 2.5]}",
        "incomes.remittance_share: {bounds: [0.2, 1.5]}",
    )
    path = write_sweep(tmp_path, body, name="share")
    err = sweep_errors(capsys, path)
    assert re.search(rf"{path}:\d+: parameters\.incomes\.remittance_share\.bounds\[1\] = 1\.5", err)
    assert "out of range; allowed: 0 <= value <= 1 (share)" in err


def test_every_problem_is_reported_at_once(capsys, tmp_path):
    body = (
        LHS_SWEEP.replace("choice.moving_cost", "choice.movng_cost")
        .replace("urbanization_resident", "urbanisation_resident")
        .replace("years: [2012, 2015]", "years: [2012, 2030]")
        + "  typo: {column: income_ratio, year: 2015, stat: mean}\n"
    )
    path = write_sweep(tmp_path, body)
    err = sweep_errors(capsys, path)
    assert err.startswith(f"1 problem in sweep {path}:")  # the schema stage comes first
    assert "an output is one of" in err
    path.write_text(
        path.read_text().replace("  typo: {column: income_ratio, year: 2015, stat: mean}\n", "")
    )
    err = sweep_errors(capsys, path)
    assert err.startswith(f"3 problems in sweep {path}:")
    assert "did you mean 'urbanization_resident'?" in err
    assert "year 2030 is not simulated; the base scenario runs 2012-2015" in err


def test_set_values_and_design_settings_are_checked(capsys, tmp_path):
    path = write_sweep(tmp_path, LHS_SWEEP)
    text = (
        path.read_text()
        .replace("townships: 2", "townshps: 2")
        .replace("kind: lhs", "kind: lhs\n  levels: 3")
    )
    path.write_text(text)
    err = sweep_errors(capsys, path)
    assert "a lhs design takes samples, seed, not ['levels']" in err
    path.write_text(text.replace("\n  levels: 3", ""))
    err = sweep_errors(capsys, path)
    assert (
        f"{path}:{line_of(path, 'townshps')}: set.county.generate.townshps = 2: unknown key" in err
    )
    assert "did you mean 'townships'?" in err


def test_design_points_are_validated_as_whole_scenarios(capsys, tmp_path):
    body = """\
        design:
          kind: list
          points:
            - {years.start: 2012, years.end: 2015}
            - {years.start: 2016, years.end: 2015}
        outputs:
          ratio: {column: income_ratio, year: 2015}
        """
    err = sweep_errors(capsys, write_sweep(tmp_path, body))
    assert "design point 1" in err and "must not be before start" in err


def test_sweeping_the_seed_is_refused(capsys, tmp_path):
    err = sweep_errors(
        capsys, write_sweep(tmp_path, LHS_SWEEP.replace("choice.moving_cost", "seed"))
    )
    assert "use replicates instead" in err
