"""Panel files: checked before anything runs, every problem at its line with exit status 2."""

from __future__ import annotations

import pandas as pd
import pytest

from countysim.cli import main
from countysim.experiments.panel import PanelError, load_panel, stratified_sample
from tests.experiments.panel_helpers import SMALL_CODES, TARGETS, write_panel


def test_a_good_panel_plans_one_run_per_county_and_replicate(tmp_path):
    plan = load_panel(write_panel(tmp_path, "replicates: 2\n"))
    assert plan.codes == SMALL_CODES
    assert [t.parameters["county"] for t in plan.runs] == [c for c in SMALL_CODES for _ in "ab"]
    # common random numbers: replicate r has the same seed in every county
    assert len({t.seed for t in plan.runs}) == 2
    assert plan.base["county"]["census"] is not None
    assert plan.base["years"] == {"start": 2010, "end": 2020}


def _problems(tmp_path, body: str) -> str:
    with pytest.raises(PanelError) as caught:
        load_panel(write_panel(tmp_path, body))
    return str(caught.value)


def test_unknown_keys_and_bad_values_are_located(tmp_path):
    text = _problems(tmp_path, "replicats: 2\nyears: {start: 2010, end: 2005}\n")
    assert "tiny.yaml:12: replicats" in text and "did you mean 'replicates'" in text
    assert "tiny.yaml:13: years.end = 2005: out of range" in text


def test_unknown_codes_and_provinces_are_problems(tmp_path):
    path = write_panel(tmp_path)
    text = path.read_text().replace('"430382"]', '"430383"]\n  provinces: [Hunnan]')
    path.write_text(text)
    with pytest.raises(PanelError) as caught:
        load_panel(path)
    message = str(caught.value)
    assert "counties.codes[2]" in message and "not a code of the census" in message
    assert "counties.provinces[0]" in message and "did you mean 'Hunan'" in message


def test_targets_without_the_census_columns_are_a_problem(tmp_path):
    bad = tmp_path / "targets.csv"
    pd.read_csv(TARGETS, dtype={"code": str}).drop(columns="household_size").to_csv(bad)
    with pytest.raises(PanelError) as caught:
        load_panel(write_panel(tmp_path, targets=bad))
    assert "tiny.yaml:3: targets" in str(caught.value)
    assert "targets.csv lacks the columns household_size" in str(caught.value)


def test_bad_set_values_are_reported_at_the_panel_file(tmp_path):
    path = write_panel(tmp_path)
    path.write_text(path.read_text().replace("set:\n", "set:\n  choice.moving_cots: 1.0\n"))
    with pytest.raises(PanelError) as caught:
        load_panel(path)
    text = str(caught.value)
    assert "set.choice.moving_cots" in text and "did you mean 'moving_cost'" in text


def test_the_command_exits_2_and_writes_nothing(tmp_path, capsys):
    path = write_panel(tmp_path, "replicates: 0\n")
    out = tmp_path / "out"
    assert main(["panel", str(path), "--out", str(out)]) == 2
    assert "replicates = 0" in capsys.readouterr().err
    assert not out.exists()


def test_stratified_sample_keeps_every_stratum():
    table = pd.DataFrame(
        {"code": [f"{i:06d}" for i in range(20)], "region": ["a"] * 16 + ["b"] * 4}
    )
    sample = stratified_sample(table, 5, "region", seed=1)
    assert len(sample) == 5
    assert sample["region"].value_counts().to_dict() == {"a": 4, "b": 1}
    assert sample.equals(stratified_sample(table, 5, "region", seed=1))
