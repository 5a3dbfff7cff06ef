"""Outputs never destroy a user's files: result folders are written beside their target and
moved into place only over earlier countysim results, and only when asked to overwrite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from countysim.atomic import (
    OutputExistsError,
    atomic_directory,
    check_output,
    is_result_folder,
    safe_folder_name,
)
from countysim.cli import main
from countysim.compare import compare
from countysim.config import ScenarioError
from countysim.experiments.store import MANIFEST, SweepStore
from countysim.experiments.sweep import load_sweep
from countysim.experiments.sweep_runner import run_sweep

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TINY = [
    "county.generate.registered_population=3000",
    "county.generate.townships=2",
    "county.generate.villages_per_township=3",
    "simulation.scale=20",
    "simulation.spinup_years=1",
    "years.end=2013",
]
QUICK = [arg for item in TINY for arg in ("--set", item)] + ["--quiet", "--no-figures"]


def cli(capsys, *argv) -> tuple[int, str, str]:
    status = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.out, captured.err


def user_folder(path: Path) -> dict[str, str]:
    path.mkdir()
    files = {"notes.txt": "my notes\n", "survey.csv": "village,households\nLi,40\n"}
    for name, text in files.items():
        (path / name).write_text(text)
    return files


def assert_untouched(path: Path, files: dict[str, str]) -> None:
    assert sorted(p.name for p in path.iterdir()) == sorted(files)
    for name, text in files.items():
        assert (path / name).read_text() == text


def no_temporaries(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------ the writer


def test_a_user_folder_survives_run_out(tmp_path, capsys):
    files = user_folder(tmp_path / "mine")
    status, out, err = cli(capsys, "run", BASELINE, *QUICK, "--out", tmp_path / "mine")
    assert status == 2
    assert "not a countysim result folder" in err and "untouched" in err
    assert_untouched(tmp_path / "mine", files)
    no_temporaries(tmp_path)
    # --overwrite replaces only countysim's own folders
    status, _, err = cli(capsys, "run", BASELINE, *QUICK, "--out", tmp_path / "mine", "--overwrite")
    assert status == 2
    assert_untouched(tmp_path / "mine", files)


def test_a_file_is_never_replaced_by_a_folder(tmp_path, capsys):
    target = tmp_path / "results.txt"
    target.write_text("keep me\n")
    for extra in ((), ("--overwrite",)):
        status, _, err = cli(capsys, "run", BASELINE, *QUICK, "--out", target, *extra)
        assert status == 2 and "is a file" in err
        assert target.read_text() == "keep me\n"


def test_the_current_folder_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("x\n")
    status, _, err = cli(capsys, "run", BASELINE, *QUICK, "--out", ".")
    assert status == 2 and "current folder" in err
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]


def test_earlier_results_are_replaced_only_with_overwrite(tmp_path, capsys):
    out = tmp_path / "res"
    assert cli(capsys, "run", BASELINE, *QUICK, "--out", out)[0] == 0
    assert is_result_folder(out)
    first = (out / "manifest.json").read_text()
    status, _, err = cli(capsys, "run", BASELINE, *QUICK, "--out", out)
    assert status == 2 and "--overwrite" in err
    assert (out / "manifest.json").read_text() == first
    assert (
        cli(capsys, "run", BASELINE, *QUICK, "--set", "seed=5", "--out", out, "--overwrite")[0] == 0
    )
    assert json.loads((out / "manifest.json").read_text())["seed"] == 5
    no_temporaries(tmp_path)


def test_the_default_folder_is_named_safely(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "old.txt").write_text("an earlier run\n")
    for name in (".", ".."):
        status, _, err = cli(capsys, "run", BASELINE, *QUICK, "--set", f"name={name}")
        assert status == 2 and "name" in err
    assert [p.name for p in (tmp_path / "results").iterdir()] == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


@pytest.mark.parametrize(
    "name, safe",
    [(".", "scenario"), ("..", "scenario"), ("a/../b", "a_.._b"), ("x\ny", "x_y"), (".h", "h")],
)
def test_safe_folder_names(name, safe):
    assert safe_folder_name(name) == safe


def test_a_failure_leaves_the_target_as_it_was(tmp_path):
    out = tmp_path / "res"
    with atomic_directory(out) as tmp:
        (tmp / "manifest.json").write_text(json.dumps({"countysim_version": "test"}))
    with pytest.raises(RuntimeError), atomic_directory(out, overwrite=True) as tmp:
        (tmp / "half.csv").write_text("x\n")
        raise RuntimeError("disk full")
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    no_temporaries(tmp_path)


def test_a_manifest_from_elsewhere_does_not_make_a_result_folder(tmp_path):
    folder = tmp_path / "webapp"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"name": "my web app", "icons": []}')
    with pytest.raises(OutputExistsError, match="not a countysim result folder"):
        check_output(folder, overwrite=True)
    (tmp_path / "empty").mkdir()
    assert check_output(tmp_path / "empty") == tmp_path / "empty"


def test_python_api_refuses_before_running(tmp_path):
    import countysim

    files = user_folder(tmp_path / "mine")
    with pytest.raises(OutputExistsError):
        countysim.run(BASELINE, overrides=TINY, out=tmp_path / "mine", figures=False)
    assert_untouched(tmp_path / "mine", files)
    res = countysim.run(BASELINE, overrides=TINY, figures=False)
    with pytest.raises(OutputExistsError):
        res.save(tmp_path / "mine")
    res.save(tmp_path / "new")
    with pytest.raises(OutputExistsError):
        res.save(tmp_path / "new")
    res.save(tmp_path / "new", overwrite=True)
    assert_untouched(tmp_path / "mine", files)


# ------------------------------------------------------------------ compare


def _named(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {BASELINE}\nname: {name}\n")
    return path


def test_compare_refuses_scenarios_with_one_name(tmp_path, capsys):
    twin = tmp_path / "twin.yaml"
    twin.write_text(f"extends: {BASELINE}\n")  # also named baseline
    status, _, err = cli(capsys, "compare", BASELINE, twin, *TINY_SET, "--out", tmp_path / "c")
    assert status == 2
    assert f"{twin}: name = \"baseline\": scenario name 'baseline' is also the name of" in err
    assert not (tmp_path / "c").exists()


TINY_SET = [arg for item in TINY for arg in ("--set", item)]


def test_compare_years_outside_the_run_are_refused_before_running(tmp_path, capsys):
    a, b = _named(tmp_path, "a"), _named(tmp_path, "b")
    status, _, err = cli(
        capsys, "compare", a, b, *TINY_SET, "--years", "2050", "--out", tmp_path / "c"
    )
    assert status == 2 and "--years = [2050]: outside the years" in err and "2012 to 2013" in err
    with pytest.raises(ScenarioError):
        compare([a, b], overrides=TINY, years=[2011])


def test_compare_output_keeps_user_files(tmp_path, capsys):
    a, b = _named(tmp_path, "a"), _named(tmp_path, "b")
    files = user_folder(tmp_path / "mine")
    status, _, err = cli(
        capsys, "compare", a, b, *TINY_SET, "--no-report", "--out", tmp_path / "mine"
    )
    assert status == 2 and "not a countysim result folder" in err
    assert_untouched(tmp_path / "mine", files)
    out = tmp_path / "cmp"
    assert cli(capsys, "compare", a, b, *TINY_SET, "--no-report", "--out", out)[0] == 0
    assert is_result_folder(out)
    status, _, err = cli(capsys, "compare", a, b, *TINY_SET, "--no-report", "--out", out)
    assert status == 2 and "--overwrite" in err


# ------------------------------------------------------------------ sweep stores

SWEEP = """\
name: tiny
base: {base}
set:
  county.generate.registered_population: 3000
  county.generate.townships: 2
  county.generate.villages_per_township: 3
  simulation.scale: 20
  simulation.spinup_years: 1
  years.end: 2013
design:
  kind: list
  points: [{{choice.moving_cost: 1.0}}, {{choice.moving_cost: 1.5}}]
outputs:
  urbanization_2013: {{column: urbanization_resident, year: 2013}}
"""


RESUME = ("--resume", "--quiet", "--executor", "serial")


@pytest.fixture
def store(tmp_path) -> tuple[Path, Path]:
    sweep = tmp_path / "tiny.yaml"
    sweep.write_text(SWEEP.format(base=BASELINE))
    out = tmp_path / "store"
    run_sweep(load_sweep(sweep), out, executor="serial", progress=False)
    return sweep, out


def test_export_never_replaces_files_without_overwrite(store, tmp_path, capsys):
    _, out = store
    target = tmp_path / "table.csv"
    target.write_text("mine\n")
    status, _, err = cli(capsys, "export", out, "--to", target)
    assert status == 2 and "is a file" in err and target.read_text() == "mine\n"
    folder = tmp_path / "csv"
    assert cli(capsys, "export", out, "--to", folder)[0] == 0
    (folder / "runs.csv").write_text("edited\n")
    status, _, err = cli(capsys, "export", out, "--to", folder)
    assert status == 2 and "--overwrite" in err
    assert (folder / "runs.csv").read_text() == "edited\n"
    assert cli(capsys, "export", out, "--to", folder, "--overwrite")[0] == 0
    assert (folder / "runs.csv").read_text() != "edited\n"


def test_sweep_out_at_a_file_is_refused(store, tmp_path, capsys):
    sweep, _ = store
    target = tmp_path / "file.txt"
    target.write_text("mine\n")
    status, _, err = cli(capsys, "sweep", sweep, "--out", target, "--executor", "serial", "--quiet")
    assert status == 2 and "is a file" in err and target.read_text() == "mine\n"


@pytest.mark.parametrize("damage", ["empty", "truncated"])
def test_a_damaged_manifest_is_reported_and_resume_repairs_it(store, capsys, damage):
    sweep, out = store
    manifest = out / MANIFEST
    text = manifest.read_text()
    manifest.write_text("" if damage == "empty" else text[: len(text) // 2])
    for command in ("status", "export", "analyze"):
        status, _, err = cli(capsys, command, out)
        assert status == 2, command
        assert "is corrupt" in err and "--resume" in err
    with pytest.warns(UserWarning, match="rewrote the damaged manifest.json"):
        status = cli(capsys, "sweep", sweep, "--out", out, *RESUME)[0]
    assert status == 0
    assert SweepStore.open(out).status().ok == 2


@pytest.mark.parametrize("table", ["runs", "series"])
def test_a_damaged_part_is_reported_and_resume_runs_it_again(store, capsys, table):
    sweep, out = store
    part = next((out / table).glob("part-*.parquet"))
    part.write_bytes(part.read_bytes()[:100])
    readers = ("status", "export", "analyze") if table == "runs" else ("export",)
    for command in readers:
        status, _, err = cli(capsys, command, out)
        assert status == 2, command
        assert "is corrupt" in err and part.name in err
    with pytest.warns(RuntimeWarning, match="unreadable part"):
        status = cli(capsys, "sweep", sweep, "--out", out, *RESUME)[0]
    assert status == 0
    assert SweepStore.open(out).status().ok == 2
    assert (out / "corrupt" / table / part.name).exists()


# ------------------------------------------------------------------ scripts without a guard

SCRIPT = """\
import countysim
res = countysim.run({base!r}, overrides={tiny!r}, replicates=2, workers=2)
print("replicates", sorted(res.county["replicate"].unique().tolist()))
"""


def test_replicates_from_a_script_without_a_main_guard(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT.format(base=str(BASELINE), tiny=TINY))
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONWARNINGS": "default"},
    )
    assert done.returncode == 0, done.stderr
    assert "replicates [0, 1]" in done.stdout
    assert "__main__" in done.stderr  # the warning says why it ran in this process


PROBE = """\
from countysim.experiments.main_guard import unguarded_main_call


def helper():
    return unguarded_main_call()


print("top", unguarded_main_call(), helper())
if __name__ == "__main__":
    print("guarded", unguarded_main_call(), helper())
"""


def test_the_main_guard_is_recognised(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines() == ["top True True", "guarded False False"]


def test_a_path_below_a_file_is_refused_before_running(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep\n")
    out = tmp_path / "notes.txt" / "deeper" / "res"
    status, _, err = cli(capsys, "run", BASELINE, *QUICK, "--out", out)
    assert status == 2 and "notes.txt is a file" in err
    assert (tmp_path / "notes.txt").read_text() == "keep\n"


def test_the_stores_own_csv_folder_is_renewed(store, capsys):
    _, out = store
    assert cli(capsys, "export", out)[0] == 0
    assert cli(capsys, "export", out)[0] == 0
    assert sorted(p.name for p in (out / "csv").iterdir()) == [
        "design.csv",
        "runs.csv",
        "series.csv",
    ]
