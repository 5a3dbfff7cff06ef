"""Saved states: a fork continues exactly as the uninterrupted run; bad forks are refused."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario

from countysim.model import CountyModel
from countysim.state import StateError, load_state, save_state


def _tables(model):
    return model.recorder.tables()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small run to 2016 and the state of the same run at the end of 2014."""
    sc = small_scenario("years.end=2016")
    whole = CountyModel(sc).run()
    part = CountyModel(sc)
    for _ in range(2012, 2015):
        part.step()
    folder = tmp_path_factory.mktemp("states") / "s2014"
    save_state(part, folder)
    return sc, _tables(whole), folder


def test_a_fork_without_changes_equals_the_uninterrupted_run(saved):
    sc, whole, folder = saved
    fork = load_state(folder, sc).run()
    assert fork.year == 2016
    for name, table in _tables(fork).items():
        pd.testing.assert_frame_equal(table, whole[name], check_exact=True)


def test_a_fork_has_the_persons_of_the_uninterrupted_run(tmp_path):
    """Every person column, row for row, after years of births and deaths past the fork
    (the person arrays keep spare rows; a saved state keeps the used ones)."""
    sc = small_scenario("years.end=2017")
    whole = CountyModel(sc).run()
    part = CountyModel(sc)
    for _ in range(2012, 2014):
        part.step()
    save_state(part, tmp_path / "s2013")
    fork = load_state(tmp_path / "s2013", sc).run()
    assert fork.persons.columns == whole.persons.columns
    for name in whole.persons.columns:
        np.testing.assert_array_equal(getattr(fork.persons, name), getattr(whole.persons, name))


def test_a_later_reform_changes_only_the_years_after_the_state(saved):
    sc, whole, folder = saved
    reform = small_scenario(
        "years.end=2016", "finance.resident_based_transfers={ramp: [[2015, 0.0], [2016, 1.0]]}"
    )
    fork = load_state(folder, reform).run()
    county = _tables(fork)["county"]
    pd.testing.assert_frame_equal(
        county[county.year <= 2014], whole["county"][whole["county"].year <= 2014]
    )
    last = county.iloc[-1]
    assert last["lever:finance.resident_based_transfers"] == 1.0
    assert last["budget_transfers"] != whole["county"].iloc[-1]["budget_transfers"]


@pytest.mark.parametrize(
    "override, message",
    [
        ("simulation.scale=20", "simulation.scale differs"),
        ("county.generate.townships=4", "county.generate.townships differs"),
        ("seed=7", "seed differs"),
        ("finance.resident_based_transfers={ramp: [[2013, 0.0], [2016, 1.0]]}", "differs in 2014"),
    ],
)
def test_a_scenario_of_another_structure_or_earlier_change_is_refused(saved, override, message):
    _, _, folder = saved
    with pytest.raises(StateError, match=message):
        load_state(folder, small_scenario("years.end=2016", override))


def test_a_state_of_another_version_is_refused(saved, tmp_path):
    sc, _, folder = saved
    copy = tmp_path / "old"
    copy.mkdir()
    meta = json.loads((folder / "state.json").read_text())
    meta["countysim_version"] = "0.0.1"
    (copy / "state.json").write_text(json.dumps(meta))
    (copy / "model.pkl").write_bytes((folder / "model.pkl").read_bytes())
    with pytest.raises(StateError, match="written by countysim 0.0.1"):
        load_state(copy, sc)


def test_an_existing_folder_is_never_overwritten_without_the_flag(saved, tmp_path):
    sc, _, folder = saved
    model = load_state(folder, sc)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(StateError, match="exists"):
        save_state(model, mine)
    with pytest.raises(StateError, match="not a countysim state folder"):
        save_state(model, mine, overwrite=True)
    assert (mine / "notes.txt").read_text() == "keep me"
    again = tmp_path / "again"
    save_state(model, again)
    with pytest.raises(StateError, match="exists"):
        save_state(model, again)
    save_state(model, again, overwrite=True)
    assert (again / "state.json").is_file()


def test_command_line_fork_equals_the_whole_run(tmp_path):
    import pandas as pd

    from countysim.cli import main

    small = str(Path(__file__).parent / "data" / "small.yaml")
    common = ["--set", "years.end=2015", "--set", "simulation.scale=20", "--quiet"]
    common += ["--no-figures", "--no-report"]
    state = tmp_path / "state2013"
    assert main(["run", small, *common, "--out", str(tmp_path / "whole")]) == 0
    args = ["--save-state", "2013", "--state-dir", str(state), "--threads", "1"]
    assert main(["run", small, *common, *args, "--out", str(tmp_path / "a")]) == 0
    assert (state / "state.json").is_file()
    fork = ["--from-state", str(state), "--out", str(tmp_path / "fork")]
    assert main(["run", small, *common, *fork]) == 0
    whole = pd.read_csv(tmp_path / "whole" / "county.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "fork" / "county.csv"), whole)
    # The state folder is not replaced without --overwrite, and nothing runs.
    with pytest.raises(SystemExit) as exit_:
        main(["run", small, *common, *args, "--out", str(tmp_path / "b")])
    assert exit_.value.code == 2
    assert not (tmp_path / "b").exists()
    # A state cannot continue under another scale.
    with pytest.raises(SystemExit) as exit_:
        main(["run", small, "--set", "years.end=2015", "--quiet", *fork[:2]])
    assert exit_.value.code == 2
