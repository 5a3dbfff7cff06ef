"""Calibration files: bad ones are rejected with exit status 2 before anything runs or is
written, each problem at its file, line and dotted key."""

import pytest
from calibration_helpers import PARAMETERS, SYNTHETIC_TARGETS, write_calibration

from countysim.cli import main
from countysim.experiments.calibration import CalibrationError, load_calibration

STATISTICS_TARGET = """\
targets:
  local_share:
    kind: statistics
    data: {numerator: [local], denominator: [total]}
    model:
      numerator: [migrant_workers_local]
      denominator: [migrant_workers_local, migrant_workers_out]
    years: [2012, 2015]
    sd: 0.05
"""


def _problems(tmp_path, body):
    path = write_calibration(tmp_path, body)
    with pytest.raises(CalibrationError) as caught:
        load_calibration(path)
    return caught.value.problems


def test_good_file_gives_priors_targets_and_observed_data(tmp_path):
    plan = load_calibration(write_calibration(tmp_path, PARAMETERS + STATISTICS_TARGET))
    assert plan.names == ["choice.income_weight", "choice.moving_cost"]
    target = plan.targets["local_share"]
    # Survey: local 9,925 / 26,261 (2012) ... 10,863 / 27,747 (2015), thousand workers.
    assert target.years == (2012, 2013, 2014, 2015)
    assert target.observed == pytest.approx((9925 / 26261 + 10284 / 26894 + 10574 / 27395
                                             + 10863 / 27747) / 4)  # fmt: skip
    assert len(plan.config_hash) == 64


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        (
            PARAMETERS.replace("choice.moving_cost", "choice.moving_cots") + SYNTHETIC_TARGETS,
            "parameters.choice.moving_cots",
            "did you mean",
        ),
        (
            PARAMETERS.replace("bounds: [0.5, 3.0]", "bounds: [-1.0, 3.0]") + STATISTICS_TARGET,
            "parameters.choice.income_weight.bounds[0]",
            "out of range; allowed: 0 <= value",
        ),
        (
            PARAMETERS.replace("prior: uniform", "prior: normal") + STATISTICS_TARGET,
            "parameters.choice.income_weight",
            "mean, sd",
        ),
        (
            PARAMETERS + STATISTICS_TARGET.replace("[local]", "[locals]"),
            "targets.local_share.data.numerator[0]",
            "did you mean 'local'",
        ),
        (
            PARAMETERS + STATISTICS_TARGET.replace("[2012, 2015]", "[2012, 2020]"),
            "targets.local_share.years",
            "validation",
        ),
        (
            PARAMETERS + STATISTICS_TARGET.replace("workers_out]", "workers_outt]"),
            "targets.local_share.model.denominator[1]",
            "did you mean 'migrant_workers_out'",
        ),
        (
            PARAMETERS + SYNTHETIC_TARGETS.replace("choice.moving_cost: 0.9", "choice.movin: 0.9"),
            "synthetic.parameters.choice.movin",
            "calibrated parameters",
        ),
        (
            PARAMETERS + SYNTHETIC_TARGETS.split("synthetic:\n  parameters")[0],
            "targets.urbanization.kind",
            "synthetic section",
        ),
        (
            "parameters:\n  simulation.scale: {prior: uniform, bounds: [1, 5]}\n"
            + STATISTICS_TARGET,
            "parameters.simulation.scale",
            "integer",
        ),
    ],
)
def test_bad_files_name_the_key(tmp_path, body, key, words):
    problems = _problems(tmp_path, body)
    found = [p for p in problems if p.key == key]
    assert found, [p.format() for p in problems]
    text = found[0].format()
    assert words in text and "tiny.yaml:" in text


def test_unknown_top_level_key_and_missing_error_model(tmp_path):
    body = PARAMETERS + STATISTICS_TARGET.replace("    sd: 0.05\n", "") + "budgett: {}\n"
    keys = {p.key for p in _problems(tmp_path, body)}
    assert "budgett" in keys and any(k.startswith("targets.local_share") for k in keys)


def test_command_line_rejects_a_bad_file_before_running(tmp_path, capsys):
    path = write_calibration(tmp_path, PARAMETERS.replace("moving_cost", "moving_cots")
                             + STATISTICS_TARGET)  # fmt: skip
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    assert not out.exists()
    assert "did you mean" in capsys.readouterr().err


def test_a_users_folder_is_never_used(tmp_path, capsys):
    path = write_calibration(tmp_path, PARAMETERS + STATISTICS_TARGET)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    assert main(["calibrate", str(path), "--out", str(folder), "--quiet"]) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert main(["calibrate", str(path), "--out", str(folder), "--resume", "--quiet"]) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
