"""Lever schedules: constant numbers, steps and ramps, and their validation."""

import pytest
from pydantic import BaseModel, ConfigDict

from countysim.config import ScenarioError, validate
from countysim.config.schedule import schedule, value_at

Share = schedule("share", ge=0.0, le=1.0)


class Levers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lever: Share


def lever(data):
    return validate({"lever": data}, {"lever": ("s.yaml", 7)}, Levers).lever


def test_number_is_constant():
    assert value_at(lever(0.4), 1990) == value_at(lever(0.4), 2050) == 0.4


def test_steps_hold_from_each_year_on():
    s = lever({"steps": [[2014, 0.2], [2020, 0.9]]})
    assert [value_at(s, y) for y in (2012, 2014, 2019, 2020, 2035)] == [0.2, 0.2, 0.2, 0.9, 0.9]


def test_ramp_interpolates_linearly_and_is_flat_outside():
    s = lever({"ramp": [[2024, 0.0], [2028, 1.0]]})
    assert [value_at(s, y) for y in (2020, 2024, 2025, 2028, 2035)] == [0, 0, 0.25, 1, 1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (1.5, "lever = 1.5: out of range; allowed: 0 <= value <= 1 (share)"),
        ({"steps": [[2020, 0.1], [2014, 0.2]]}, "schedule years must increase: [2020, 2014]"),
        ({"ramp": [[2020, 0.1], [2024, 2.0]]}, "lever.ramp[1][1] = 2.0: out of range"),
        ({"stpes": [[2020, 0.1]]}, "expected a number, {steps: [[year, value], ...]}"),
        ("high", "expected a number, {steps"),
    ],
)
def test_bad_schedules_are_reported_with_location(data, message):
    with pytest.raises(ScenarioError) as err:
        lever(data)
    text = str(err.value)
    assert "s.yaml:7:" in text and message in text
    assert len(err.value.problems) == 1


def test_a_scenario_built_on_another_replaces_a_schedule_whole(tmp_path):
    from countysim.config import resolve_extends

    (tmp_path / "base.yaml").write_text("lever: {steps: [[2012, 0.1], [2016, 0.2]]}\n")
    (tmp_path / "child.yaml").write_text(
        "extends: base.yaml\nlever: {ramp: [[2024, 0.2], [2028, 0.8]]}\n"
    )
    data, lines = resolve_extends(tmp_path / "child.yaml")
    assert data == {"lever": {"ramp": [[2024, 0.2], [2028, 0.8]]}}
    assert lines["lever"][0].endswith("child.yaml")
    assert value_at(validate(data, lines, Levers).lever, 2026) == pytest.approx(0.5)


def test_a_lever_is_one_value_for_dotted_key_checks():
    from countysim.config import check_key

    assert check_key("hukou.residence_permit_access") is None
    assert check_key("land.contract_extension") is None
    section = check_key("hukou.settlement_years")
    assert section is not None and "a section, not a value" in section.message
