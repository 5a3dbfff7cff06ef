"""End-to-end tests of the `countysim` command line: running, validating and bad input.

Most calls go through `countysim.cli.main([...])` in-process (fast); a few start a real
`python -m countysim` to check the exit status and `__main__`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from countysim import __version__
from countysim.cli import main
from countysim.config import dump_yaml, load_scenario, resolved_dict
from countysim.provenance import scenario_hash

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
HARRIS_TODARO = ROOT / "scenarios" / "harris_todaro.yaml"
SMALL = ROOT / "tests" / "data" / "small.yaml"

TABLES = ("county", "places", "flows", "ages", "world")
FIGURES = ("population", "urbanization", "income", "migration", "map")
PLACES_HEADER = "id,name,level,parent,x_km,y_km,population,registered_population,arable_mu\n"


def write_scenario(directory: Path, name: str, body: str) -> Path:
    """A scenario file extending the real baseline (by absolute path); line 1 is `extends`."""
    path = directory / name
    path.write_text(f"extends: {BASELINE}\n{body}", encoding="utf-8")
    return path


def cli(capsys, *argv: str | os.PathLike) -> tuple[int, str, str]:
    """Run `countysim ARGV` in-process; return (exit status, stdout, stderr)."""
    status = main([os.fspath(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def tree(directory: Path) -> list[str]:
    """Every file and directory below `directory` (hidden ones too), relative, sorted."""
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*"))


def run_bad(capsys, tmp_path: Path, scenario: Path, *extra: str) -> str:
    """Run a bad scenario: exit status 2, nothing written; return stderr."""
    before = tree(tmp_path)
    out = tmp_path / "results" / "res"
    status, stdout, stderr = cli(capsys, "run", scenario, "--out", out, "--quiet", *extra)
    assert status == 2, stderr
    assert not out.exists()
    assert tree(tmp_path) == before, "a failed run must not write anything (no temp dirs either)"
    assert "results in" not in stdout
    return stderr


# --------------------------------------------------------------------------------------------
# A good run


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> tuple[Path, str]:
    """`countysim run tests/data/small.yaml --out <tmp>/res --quiet`, in-process, once.

    Returns the result directory and what was printed (capsys is per test, so redirect)."""
    out = tmp_path_factory.mktemp("run") / "res"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = main(["run", str(SMALL), "--out", str(out), "--quiet"])
    assert status == 0
    return out, stdout.getvalue()


def test_run_writes_tables_manifest_scenario_and_figures(small_run):
    out, stdout = small_run
    assert stdout.startswith("small: 2012-2018, scale 1, seed ")  # the run's brief summary
    assert "resident urbanization" in stdout and "nominal yuan" in stdout
    assert f"results in {out}" in stdout
    for name in TABLES:
        assert (out / f"{name}.csv").is_file(), name
    for name in FIGURES:
        figure = out / "figures" / f"{name}.png"
        assert figure.is_file(), name
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert (out / "manifest.json").is_file()
    assert (out / "scenario.yaml").is_file()
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(".")], "temp dir left"

    county = pd.read_csv(out / "county.csv")
    assert county["year"].tolist() == list(range(2012, 2019))
    assert county["urbanization_resident"].between(0, 1).all()
    assert set(pd.read_csv(out / "flows.csv").columns) >= {"year", "origin_level", "persons"}
    world = pd.read_csv(out / "world.csv")
    # 1 county town, 3 townships, 5 +- 30% villages each, 3 outside cities (from the baseline)
    assert (world["level"] == "township").sum() == 3
    assert (world["level"] == "city").sum() == 3
    assert 3 * 3 <= (world["level"] == "village").sum() <= 3 * 7


def test_manifest_records_provenance_and_resolved_scenario(small_run):
    out, _ = small_run
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("countysim_version", "git_commit", "scenario_hash", "seed", "scenario"):
        assert key in manifest, key
    assert manifest["countysim_version"] == __version__
    assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?|unknown", manifest["git_commit"])
    scenario = manifest["scenario"]
    assert manifest["scenario_hash"] == scenario_hash(scenario)
    assert manifest["seed"] == scenario["seed"] == 20120101
    assert scenario["name"] == "small"
    assert scenario["years"] == {"start": 2012, "end": 2018}
    assert scenario["simulation"]["spinup_years"] == 3
    generate = scenario["county"]["generate"]
    assert generate["townships"] == 3
    assert generate["villages_per_township"] == 5
    assert generate["registered_population"] == 20000
    # deep merge: the rest of county.generate and every other section come from the baseline
    baseline = resolved_dict(load_scenario(BASELINE))
    assert generate["radius_km"] == baseline["county"]["generate"]["radius_km"]
    changed = {"name", "description", "years", "simulation", "county"}
    assert {k: v for k, v in scenario.items() if k not in changed} == {
        k: v for k, v in baseline.items() if k not in changed
    }


def test_saved_scenario_revalidates_to_the_same_scenario(small_run, capsys):
    out, _ = small_run
    saved = out / "scenario.yaml"
    status, stdout, stderr = cli(capsys, "validate", saved)
    assert (status, stderr) == (0, "")
    assert stdout == f"{saved}: ok (small)\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert resolved_dict(load_scenario(saved)) == manifest["scenario"]


def test_saved_scenario_with_absolute_places_file_revalidates(tmp_path, capsys):
    # What `run` saves for a places-file scenario, without running it (saves time).
    resolved = resolved_dict(load_scenario(HARRIS_TODARO))
    assert Path(resolved["county"]["places_file"]).is_absolute()
    assert resolved["county"]["generate"] is None
    saved = tmp_path / "elsewhere" / "scenario.yaml"
    saved.parent.mkdir()
    dump_yaml(resolved, saved)
    status, stdout, stderr = cli(capsys, "validate", saved)
    assert (status, stderr) == (0, ""), stderr
    assert "ok (harris_todaro)" in stdout
    assert resolved_dict(load_scenario(saved)) == resolved


def test_set_override_is_applied(tmp_path, capsys):
    out = tmp_path / "res"
    args = ("run", SMALL, "--set", "simulation.scale=2", "--out", out, "--quiet", "--no-figures")
    status, stdout, stderr = cli(capsys, *args)
    assert status == 0, stderr
    assert "small: 2012-2018, scale 2" in stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["simulation"]["scale"] == 2
    assert not (out / "figures").exists()


def test_set_with_typo_key_is_rejected(tmp_path, capsys):
    stderr = run_bad(capsys, tmp_path, SMALL, "--set", "simulation.scael=2")
    assert "<--set>: simulation.scael = 2: unknown key; did you mean 'scale'?" in stderr
    assert str(SMALL) in stderr


# --------------------------------------------------------------------------------------------
# Bad input: exit status 2, a precise message, nothing written


def test_unknown_key(tmp_path, capsys):
    bad = write_scenario(tmp_path, "typo.yaml", "simulation:\n  activty_rate: 0.1\n")
    stderr = run_bad(capsys, tmp_path, bad)
    assert stderr.startswith(f"1 problem in scenario {bad}:\n")
    assert (
        f"{bad}:3: simulation.activty_rate = 0.1: unknown key; did you mean 'activity_rate'?"
        in stderr
    )


def test_wrong_type_quoted_number(tmp_path, capsys):
    bad = write_scenario(tmp_path, "type.yaml", 'simulation:\n  activity_rate: "0.1"\n')
    stderr = run_bad(capsys, tmp_path, bad)
    assert f'{bad}:3: simulation.activity_rate = "0.1": expected a number, got string' in stderr


def test_out_of_range_value_gives_range_and_unit(tmp_path, capsys):
    bad = write_scenario(tmp_path, "range.yaml", "simulation:\n  activity_rate: 1.5\n")
    stderr = run_bad(capsys, tmp_path, bad)
    assert (
        f"{bad}:3: simulation.activity_rate = 1.5: out of range; "
        "allowed: 0 < value <= 1 (share per sub-step)"
    ) in stderr


def test_bad_literal_lists_allowed_values(tmp_path, capsys):
    bad = write_scenario(tmp_path, "literal.yaml", "farming:\n  unit: househld\n")
    stderr = run_bad(capsys, tmp_path, bad)
    assert (
        f'{bad}:3: farming.unit = "househld": not an allowed value; '
        "allowed: 'household', 'village'; did you mean 'household'?"
    ) in stderr


def test_missing_required_key(tmp_path, capsys):
    # A list replaces the baseline's list, so keys left out of its items are missing.
    body = "outside_cities:\n  - name: Near city\n    region: prefecture\n    distance_km: 70\n"
    bad = write_scenario(tmp_path, "missing.yaml", body)
    stderr = run_bad(capsys, tmp_path, bad)
    assert f"{bad}:3: outside_cities[0].wage_yuan: required key missing" in stderr
    assert f"{bad}:3: outside_cities[0].school_access: required key missing" in stderr
    assert "outside_cities[0].distance_km" not in stderr
    # Every required field of a city but the three given is reported, each once.
    from countysim.config.schema import OutsideCity

    missing = sum(field.is_required() for field in OutsideCity.model_fields.values()) - 3
    assert stderr.startswith(f"{missing} problems in scenario {bad}:\n")


def test_missing_places_file(tmp_path, capsys):
    body = "county:\n  places_file: no_such_places.csv\n  generate: null\n"
    bad = write_scenario(tmp_path, "nofile.yaml", body)
    stderr = run_bad(capsys, tmp_path, bad)
    assert (
        f'{bad}:3: county.places_file = "no_such_places.csv": '
        f"file not found: {tmp_path / 'no_such_places.csv'}"
    ) in stderr


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            "1,Town,county_town,,0,0,0,0,0\n2,Seat,township,1,east,0,0,0,0\n",
            ":3:5: column 'x_km': 'east' is not a number",
            id="non-numeric-x_km",
        ),
        pytest.param(
            "1,Town,county_town,,0,0,0,0,0\n2,Seat,township,1,5,0,0,0,0\n"
            "3,Village,village,1,6,0,100,100,50\n",
            ":4:4: column 'parent': 1 of 'Village' must be the id of a township",
            id="village-parent-not-township",
        ),
    ],
)
def test_places_file_with_bad_row(tmp_path, capsys, rows, expected):
    places = tmp_path / "places.csv"
    places.write_text(PLACES_HEADER + rows, encoding="utf-8")
    body = "county:\n  places_file: places.csv\n  generate: null\n"
    bad = write_scenario(tmp_path, "places.yaml", body)
    stderr = run_bad(capsys, tmp_path, bad)
    assert stderr.startswith(f"1 problem in scenario {bad}:\n")
    # The message points at the row to fix in the CSV, after the key that names the file.
    (problem,) = stderr.splitlines()[1:]
    assert problem.strip().startswith("county.places_file: ")
    assert problem.endswith(f": {places}{expected}")


def test_several_errors_are_reported_at_once_in_file_order(tmp_path, capsys):
    body = (
        "years:\n"
        '  start: "2012"\n'  # line 3
        "simulation:\n"
        "  activty_rate: 0.1\n"  # line 5
        "  scale: 0\n"  # line 6
        "farming:\n"
        "  unit: househld\n"  # line 8
        "county:\n"
        "  places_file: missing.csv\n"  # line 10
        "  generate: null\n"
    )
    bad = write_scenario(tmp_path, "multi.yaml", body)
    missing = tmp_path / "missing.csv"
    stderr = run_bad(capsys, tmp_path, bad)
    lines = stderr.splitlines()
    assert lines[0] == f"5 problems in scenario {bad}:"
    expected = [
        f'{bad}:3: years.start = "2012": expected an integer, got string; '
        "allowed: 1950 <= value <= 2100 (calendar year)",
        f"{bad}:5: simulation.activty_rate = 0.1: unknown key; did you mean 'activity_rate'?",
        f"{bad}:6: simulation.scale = 0: out of range; allowed: 1 <= value <= 1000 "
        "(persons per row)",
        f'{bad}:8: farming.unit = "househld": not an allowed value; '
        "allowed: 'household', 'village'; did you mean 'household'?",
        f'{bad}:10: county.places_file = "missing.csv": file not found: {missing}',
    ]
    assert [line.strip() for line in lines[1:]] == expected


def test_yaml_syntax_error_names_the_line(tmp_path, capsys):
    body = "simulation:\n  activity_rate: 0.1\n  scale: 2: 3\nfarming:\n  unit: household\n"
    bad = write_scenario(tmp_path, "syntax.yaml", body)
    stderr = run_bad(capsys, tmp_path, bad)
    assert f"{bad}:4: invalid YAML: mapping values are not allowed here" in stderr


def test_nonexistent_scenario_file(tmp_path, capsys):
    missing = tmp_path / "no_such_scenario.yaml"
    stderr = run_bad(capsys, tmp_path, missing)
    assert f"{missing}: file not found" in stderr


def test_nonexistent_base_scenario(tmp_path, capsys):
    bad = tmp_path / "orphan.yaml"
    bad.write_text("extends: no_such_base.yaml\nname: orphan\n", encoding="utf-8")
    stderr = run_bad(capsys, tmp_path, bad)
    assert (
        f'{bad}:1: extends = "no_such_base.yaml": base scenario file not found: '
        f"{tmp_path / 'no_such_base.yaml'}"
    ) in stderr


# --------------------------------------------------------------------------------------------
# Reading numbers, validating several files, extends


def test_exponent_notation_is_a_number(tmp_path, capsys):
    good = write_scenario(tmp_path, "exp.yaml", "simulation:\n  activity_rate: 1e-3\n")
    status, stdout, stderr = cli(capsys, "validate", good)
    assert (status, stderr) == (0, ""), stderr
    assert stdout == f"{good}: ok (baseline)\n"
    assert load_scenario(good).simulation.activity_rate == pytest.approx(0.001)


def test_validate_several_files(tmp_path, capsys):
    other = write_scenario(tmp_path, "other.yaml", "name: other\n")
    status, stdout, stderr = cli(capsys, "validate", SMALL, other)
    assert (status, stderr) == (0, "")
    assert stdout.splitlines() == [f"{SMALL}: ok (small)", f"{other}: ok (other)"]

    bad = write_scenario(tmp_path, "bad.yaml", "simulation:\n  activity_rate: 1.5\n")
    status, stdout, stderr = cli(capsys, "validate", bad, SMALL)
    assert status == 2
    assert stdout == f"{SMALL}: ok (small)\n"
    assert f"{bad}:3: simulation.activity_rate = 1.5: out of range" in stderr
    assert str(SMALL) not in stderr


def test_extends_deep_merges_mappings(tmp_path):
    child = write_scenario(tmp_path, "child.yaml", "choice:\n  income_weight: 2.5\n")
    merged = resolved_dict(load_scenario(child))
    baseline = resolved_dict(load_scenario(BASELINE))
    assert merged["choice"]["income_weight"] == 2.5
    assert baseline["choice"]["income_weight"] != 2.5
    assert {k: v for k, v in merged["choice"].items() if k != "income_weight"} == {
        k: v for k, v in baseline["choice"].items() if k != "income_weight"
    }
    assert {k: v for k, v in merged.items() if k != "choice"} == {
        k: v for k, v in baseline.items() if k != "choice"
    }


# --------------------------------------------------------------------------------------------
# The real console entry: python -m countysim


def _python_m(*argv: str | os.PathLike, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "countysim", *map(os.fspath, argv)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_python_m_countysim_exit_status(tmp_path):
    bad = write_scenario(tmp_path, "bad.yaml", "farming:\n  unit: househld\n")
    before = tree(tmp_path)
    done = _python_m("run", bad, "--out", tmp_path / "res", "--quiet", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f'{bad}:3: farming.unit = "househld": not an allowed value' in done.stderr
    assert "Traceback" not in done.stderr
    assert tree(tmp_path) == before

    done = _python_m("validate", SMALL, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{SMALL}: ok (small)\n"


def test_python_m_countysim_run(tmp_path):
    # Relative paths, resolved against the working directory, as a user would type them.
    done = _python_m(
        "run", SMALL.relative_to(ROOT), "--out", tmp_path / "res", "--quiet", "--no-figures",
        cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "small: 2012-2018, scale 1" in done.stdout
    assert {p.name for p in (tmp_path / "res").iterdir()} == {
        *(f"{name}.csv" for name in TABLES),
        "manifest.json",
        "scenario.yaml",
    }
