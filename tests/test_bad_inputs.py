"""Every kind of bad input is one clear error: exit status 2, file, line and key or column,
the bad value and what is allowed; no traceback, nothing written, within seconds and memory
bounds whatever the input."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from countysim.cli import main
from countysim.config import ScenarioError, load_scenario, resolved_dict
from countysim.config.random_scenarios import random_scenario
from countysim.config.yaml_reader import MAX_FILE_BYTES
from countysim.experiments.sweep import load_sweep
from countysim.model import CountyModel
from countysim.places_file import PLACES_COLUMNS, PlacesFileError, read_places_table
from countysim.runner import MAX_PERSON_ROWS, prepare, simulate

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMALL_COUNTY = {
    "county.generate.registered_population": 5000,
    "county.generate.townships": 2,
    "county.generate.villages_per_township": 3,
    "simulation.scale": 10,
    "simulation.spinup_years": 1,
    "years.end": 2015,
}


def scenario_file(tmp_path: Path, body: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {BASELINE}\nname: bad\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def validate_cli(capsys, path: Path, *extra: str) -> tuple[int, str]:
    status = main(["validate", str(path), *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.err


# ------------------------------------------------------------------ resource exhaustion

MEASURE = """
import resource, sys, time, tracemalloc
from countysim.config import ScenarioError, load_scenario
tracemalloc.start()
started = time.perf_counter()
try:
    load_scenario(sys.argv[1])
    message = "accepted"
except ScenarioError as exc:
    message = str(exc)
seconds = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1]
try:  # the peak of this process's own memory map: ru_maxrss keeps the forking parent's peak
    with open("/proc/self/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) * 1024
except OSError:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(seconds, peak, rss)
print(message)
"""


def _measured(path: Path) -> tuple[float, int, int, str]:
    """Load a scenario in a fresh process: seconds, peak traced bytes, peak RSS, message."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    figures, message = done.stdout.split("\n", 1)
    seconds, peak, rss = figures.split()
    return float(seconds), int(peak), int(rss), message


def test_alias_bomb_is_refused_quickly_and_in_little_memory(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nname: bomb\n")
    seconds, peak, rss, message = _measured(path)
    assert seconds < 5 and peak < 300e6 and rss < 300e6
    assert "values once aliases are expanded" in message


def test_deep_nesting_is_refused_with_its_line(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("name: deep\nx: " + "[" * 50_000 + "]" * 50_000 + "\n")
    seconds, peak, rss, message = _measured(path)
    assert seconds < 5 and peak < 300e6 and rss < 300e6
    assert f"{path}:2: nested more than 32 levels deep" in message
    assert "RecursionError" not in message


def test_many_aliases_are_refused(tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text("a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n")
    with pytest.raises(ScenarioError, match="more than 100 aliases"):
        load_scenario(path)


def test_a_large_file_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "large.yaml"
    path.write_text("name: large\n" + "#" * MAX_FILE_BYTES + "\n")
    with pytest.raises(ScenarioError, match="input files may have at most"):
        load_scenario(path)


def test_a_population_beyond_memory_is_refused_before_running(tmp_path):
    rows = ["100,Town,county_town,,0,0,1000,1000,0", "101,Seat,township,100,1,0,1000,1000,0"]
    rows += [f"{200 + i},V{i},village,101,2,{i},90000000,90000000,100" for i in range(200)]
    places = tmp_path / "huge.csv"
    places.write_text(",".join(PLACES_COLUMNS) + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(ScenarioError) as caught:
        prepare(BASELINE, {"county.generate": None, "county.places_file": str(places)})
    assert "simulation.scale" in str(caught.value)
    assert f"at most {MAX_PERSON_ROWS:,}" in str(caught.value)


@pytest.mark.parametrize(
    "design, parameters",
    [
        ("{kind: lhs, samples: 100000000}", "x: {bounds: [0.1, 1]}"),
        ("{kind: grid, levels: 1000}", "x: {bounds: [0.1, 1]}\n  y: {bounds: [0.1, 1]}"),
    ],
)
def test_a_sweep_with_too_many_runs_is_refused_before_it_is_built(tmp_path, design, parameters):
    parameters = parameters.replace("x:", "choice.moving_cost:").replace(
        "y:", "choice.network_weight:"
    )
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"name: big\nbase: {BASELINE}\ndesign: {design}\nparameters:\n  {parameters}\n"
        "outputs:\n  u: {column: urbanization_resident, year: 2020}\n"
    )
    with pytest.raises(ScenarioError, match="a sweep may have at most"):
        load_sweep(sweep)


# ------------------------------------------------------------------ accepted though invalid


def test_infinities_and_nan_are_refused_everywhere(tmp_path, capsys):
    path = scenario_file(
        tmp_path,
        """\
        labour:
          county_town:
            initial_wage_yuan: .inf
        choice:
          income_weight: .nan
        population:
          skill_by_education: [1, .inf, 2]
        """,
    )
    status, err = validate_cli(capsys, path)
    assert status == 2
    assert f"{path}:5: labour.county_town.initial_wage_yuan = .inf: not a finite number" in err
    assert f"{path}:7: choice.income_weight = .nan: not a finite number" in err
    assert f"{path}:9: population.skill_by_education[1] = .inf: not a finite number" in err


def test_infinity_given_on_the_command_line_or_as_a_dict_is_refused():
    with pytest.raises(ScenarioError, match="not a finite number"):
        load_scenario(BASELINE, ["choice.moving_cost=.inf"])
    with pytest.raises(ScenarioError, match="not a finite number"):
        load_scenario(BASELINE, {"outside_cities[0].wage_yuan": float("inf")})
    with pytest.raises(ScenarioError, match="not a finite number"):
        load_scenario(
            BASELINE, {"hukou.residence_permit_access": {"ramp": [[2013, 0], [2020, float("nan")]]}}
        )


def test_a_schedule_outside_the_simulated_years_is_refused(tmp_path, capsys):
    path = scenario_file(
        tmp_path, "hukou:\n  settlers_keep_land: {steps: [[2040, 0.5], [2050, 1]]}\n"
    )
    status, err = validate_cli(capsys, path)
    assert status == 2
    assert f"{path}:4: hukou.settlers_keep_land: no year of this schedule (2040, 2050)" in err
    assert "simulated years 2012 to 2035" in err


def test_a_ramp_of_one_point_is_refused(tmp_path, capsys):
    path = scenario_file(tmp_path, "hukou:\n  residence_permit_access: {ramp: [[2020, 0.5]]}\n")
    status, err = validate_cli(capsys, path)
    assert status == 2
    assert "a ramp needs at least two [year, value] points" in err


@pytest.mark.parametrize(
    "tagged, shown",
    [
        ("!!python/object/new:os.system [ls]", "!!python/object/new:os.system"),
        ("!!python/object:builtins.dict {a: 1}", "!!python/object:builtins.dict"),
        ("!custom 3", "!custom"),
        ("!!binary aGVsbG8=", "!!binary"),
    ],
)
def test_unknown_yaml_tags_are_reported_with_their_line(tmp_path, capsys, tagged, shown):
    path = scenario_file(tmp_path, f"description: {tagged}\n")
    status, err = validate_cli(capsys, path)
    assert status == 2
    assert f"{path}:3: unknown tag {shown}" in err


def test_plain_data_tags_are_fine(tmp_path):
    path = scenario_file(tmp_path, 'description: !!str 12\nseed: !!int "7"\n')
    assert load_scenario(path).seed == 7


def test_scenario_names_that_are_not_folder_names_are_refused(capsys):
    for name in (".", "..", ".hidden", "a/b"):
        status = main(["validate", str(BASELINE), "--set", f"name={name}"])
        assert status == 2, name
        assert "name" in capsys.readouterr().err


# ------------------------------------------------------------------ places files


def places_file(tmp_path: Path, rows: list[str], *, encoding="utf-8", header=None) -> Path:
    path = tmp_path / "places.csv"
    header = header or ",".join(PLACES_COLUMNS)
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


GOOD_ROWS = [
    "100,城关镇,county_town,,0,0,5000,4000,0",
    "101,东关镇,township,100,5,0,800,700,0",
    "102,李家村,village,101,6,1,300,400,900",
]


def test_a_duplicate_id_is_reported_with_both_lines(tmp_path):
    path = places_file(tmp_path, [*GOOD_ROWS, "101,Again,village,101,6,2,300,400,900"])
    with pytest.raises(PlacesFileError) as caught:
        read_places_table(path)
    assert f"{path}:5:1: column 'id': 101 is already the id of line 3" in str(caught.value)


def test_gbk_and_a_byte_order_mark_are_read_and_named(tmp_path):
    gbk = read_places_table(places_file(tmp_path, GOOD_ROWS, encoding="gbk"))
    assert gbk.encoding == "GB18030 (GBK)" and gbk.places["names"][0] == "城关镇"
    bom = read_places_table(places_file(tmp_path, GOOD_ROWS, encoding="utf-8-sig"))
    assert bom.encoding == "UTF-8 with byte-order mark" and bom.places["names"][1] == "东关镇"
    assert list(bom.places["ids"]) == [100, 101, 102]


def test_undecodable_bytes_are_one_clear_error(tmp_path):
    path = tmp_path / "places.csv"
    path.write_bytes(",".join(PLACES_COLUMNS).encode() + b"\n\xff\xff\xff\n")
    with pytest.raises(PlacesFileError, match="neither UTF-8 nor GB18030"):
        read_places_table(path)


def test_short_rows_and_huge_ids_are_reported_at_line_and_column(tmp_path):
    rows = [*GOOD_ROWS, "103,Short,village,101", "99999999999999999999,Big,village,101,1,1,1,1,1"]
    path = places_file(tmp_path, rows)
    with pytest.raises(PlacesFileError) as caught:
        read_places_table(path)
    text = str(caught.value)
    assert f"{path}:5: row has 4 of 9 fields; missing x_km" in text
    assert f"{path}:6:1: column 'id': 99999999999999999999 is too large for an id" in text


def test_a_population_of_one_place_beyond_any_real_place_is_refused(tmp_path):
    path = places_file(tmp_path, [*GOOD_ROWS[:2], "102,V,village,101,6,1,1e12,400,900"])
    with pytest.raises(PlacesFileError, match=r":4:7: column 'population': 1e12 persons"):
        read_places_table(path)


def test_places_file_problems_reach_the_command_line_as_exit_2(tmp_path, capsys):
    places = places_file(tmp_path, [*GOOD_ROWS, "101,Again,village,101,6,2,300,400,900"])
    scenario = tmp_path / "county.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\nname: county\ncounty:\n  generate: null\n  places_file: {places}\n"
    )
    status, err = validate_cli(capsys, scenario)
    assert status == 2
    assert "county.places_file" in err and "is already the id of line 3" in err


# ------------------------------------------------------------------ the Python API


def test_overrides_as_a_dict_and_a_bare_string():
    sc = load_scenario(BASELINE, {"simulation.scale": np.int64(20), "years.end": 2014})
    assert (sc.simulation.scale, sc.years.end) == (20, 2014)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, "simulation.scale=10")
    assert len(caught.value.problems) == 1
    assert "not one string" in str(caught.value)
    with pytest.raises(ScenarioError, match="cannot be a scenario value"):
        load_scenario(BASELINE, {"simulation.scale": object()})


def test_county_model_takes_a_path(tmp_path):
    body = """\
        years: {start: 2012, end: 2012}
        simulation: {scale: 50}
        county: {generate: {registered_population: 3000, townships: 2, villages_per_township: 3}}
        """
    path = scenario_file(tmp_path, body, name="one.yaml")
    model = CountyModel(path)
    assert model.scenario.name == "bad"
    with pytest.raises(TypeError, match="Scenario or a scenario file path"):
        CountyModel(42)


# ------------------------------------------------------------------ random valid scenarios


def test_random_valid_scenarios_run_without_impossible_numbers():
    base = resolved_dict(prepare(BASELINE, SMALL_COUNTY))
    rng = np.random.default_rng(11)
    for _ in range(10):
        # Moderate draws around the baseline; benchmarks/random_scenarios.py goes wider.
        results = simulate(random_scenario(base, rng, wide=0.0, spread=0.1))
        persons = [c for c in results.county if c.startswith(("residents_", "registered_"))]
        incomes = ["income_urban_pc", "income_rural_pc"]
        values = results.county[persons + incomes].to_numpy(dtype=float)
        assert np.isfinite(values).all() and (values >= 0).all()
        places = results.places[["residents", "registered"]].to_numpy(dtype=float)
        assert np.isfinite(places).all() and (places >= 0).all()


def test_random_scenarios_stay_within_the_schema():
    base = resolved_dict(prepare(BASELINE, SMALL_COUNTY))
    rng = np.random.default_rng(3)
    drawn = [resolved_dict(random_scenario(base, rng, wide=1.0)) for _ in range(5)]
    assert all(json.dumps(d, allow_nan=False) for d in drawn)  # finite throughout
    assert len({d["choice"]["moving_cost"] for d in drawn}) == 5  # numbers really vary
    assert all(d["years"] == base["years"] and d["county"] == base["county"] for d in drawn)


def test_coordinates_off_the_map_and_impossible_land_are_refused(tmp_path):
    rows = [*GOOD_ROWS[:2], "102,V,village,101,1e308,1,300,400,1e12"]
    with pytest.raises(PlacesFileError) as caught:
        read_places_table(places_file(tmp_path, rows))
    assert ":4:5: column 'x_km': 1e308 km is off the map" in str(caught.value)
    assert ":4:9: column 'arable_mu': 1e12 mu in one place" in str(caught.value)
