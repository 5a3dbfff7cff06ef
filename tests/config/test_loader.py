"""Tests for the generic scenario loader, against a small schema following the real conventions."""

from __future__ import annotations

import enum
import textwrap
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from countysim.config import (
    Problem,
    ScenarioError,
    apply_overrides,
    dump_yaml,
    load_scenario,
    read_yaml,
    resolve_extends,
    resolved_dict,
    validate,
)


class Level(enum.Enum):
    VILLAGE = "village"
    TOWNSHIP = "township"


class Sim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    activity_rate: float = Field(ge=0, le=1, json_schema_extra={"unit": "per year"})
    substeps: int = Field(default=4, ge=1, le=52, json_schema_extra={"unit": "sub-steps"})
    mode: Literal["household", "village"] = "household"


class City(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    wage_yuan: float = Field(gt=0, json_schema_extra={"unit": "yuan per year"})


Share = Annotated[float, Field(ge=0, le=1, json_schema_extra={"unit": "share"})]


class Toy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    sim: Sim
    cities: list[City] = []
    shares: list[Share] = []
    level: Level = Level.VILLAGE
    places_file: str | None = Field(default=None, json_schema_extra={"file": True})


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load(path: Path, overrides: tuple[str, ...] = ()) -> Toy:
    return load_scenario(path, overrides, schema_cls=Toy)


def problems_of(path: Path, overrides: tuple[str, ...] = ()) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load(path, overrides)
    return info.value.problems


def only_problem(path: Path, overrides: tuple[str, ...] = ()) -> Problem:
    problems = problems_of(path, overrides)
    assert len(problems) == 1, problems
    return problems[0]


GOOD = """
name: toy
sim:
  activity_rate: 0.25
  substeps: 4
cities:
  - name: Hangzhou
    wage_yuan: 60000
  - name: Ningbo
    wage_yuan: 55000.5
"""


# --- reading YAML ---------------------------------------------------------------------------


def test_read_yaml_uses_yaml_1_2_and_plain_types(tmp_path):
    path = write(tmp_path, "x.yaml", "small: 1e-3\nanswer: yes\nswitch: off\ncount: 3\n")
    data, _ = read_yaml(path)
    assert data == {"small": 0.001, "answer": "yes", "switch": "off", "count": 3}
    assert type(data["small"]) is float
    assert type(data["count"]) is int
    assert type(data["answer"]) is str


def test_read_yaml_line_map_covers_keys_and_list_items(tmp_path):
    path = write(tmp_path, "x.yaml", GOOD)
    _, lines = read_yaml(path)
    file = str(path)
    assert lines["sim"] == (file, 2)
    assert lines["sim.substeps"] == (file, 4)
    assert lines["cities[1]"] == (file, 8)
    assert lines["cities[1].wage_yuan"] == (file, 9)


def test_yaml_syntax_error_reports_line(tmp_path):
    path = write(tmp_path, "x.yaml", "name: toy\nsim:\n  activity_rate: [0.1, 0.2\n  substeps: 3\n")
    problem = only_problem(path)
    assert problem.file == str(path)
    assert problem.line == 4
    assert problem.message.startswith("invalid YAML")


def test_duplicate_key_is_an_error_at_the_second_occurrence(tmp_path):
    path = write(tmp_path, "x.yaml", "name: toy\nname: other\n")
    problem = only_problem(path)
    assert (problem.file, problem.line) == (str(path), 2)
    assert "duplicate key" in problem.message


def test_missing_scenario_file(tmp_path):
    path = tmp_path / "nope.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.key) == (str(path), None, "")
    assert problem.format() == f"{path}: file not found"


def test_top_level_must_be_a_mapping(tmp_path):
    path = write(tmp_path, "x.yaml", "- 1\n- 2\n")
    assert "top level must be a mapping" in only_problem(path).message


# --- validation -----------------------------------------------------------------------------


def test_valid_scenario_builds_nested_models_from_plain_data(tmp_path):
    scenario = load(write(tmp_path, "x.yaml", GOOD + "level: township\n"))
    assert scenario.sim.activity_rate == 0.25
    assert scenario.cities[1] == City(name="Ningbo", wage_yuan=55000.5)
    assert scenario.level is Level.TOWNSHIP
    assert isinstance(scenario.cities[0].wage_yuan, float)  # an integer is a fine float


def test_unknown_key_with_suggestion(tmp_path):
    path = write(tmp_path, "x.yaml", "name: toy\nsim:\n  activty_rate: 0.3\n")
    problems = problems_of(path)
    unknown = next(p for p in problems if p.message == "unknown key")
    assert unknown.suggestion == "did you mean 'activity_rate'?"
    assert unknown.format() == (
        f"{path}:3: sim.activty_rate = 0.3: unknown key; did you mean 'activity_rate'?"
    )


def test_string_is_not_a_number(tmp_path):
    path = write(tmp_path, "x.yaml", 'name: toy\nsim:\n  activity_rate: "0.5"\n')
    problem = only_problem(path)
    assert problem.format() == (
        f'{path}:3: sim.activity_rate = "0.5": expected a number, got string'
        "; allowed: 0 <= value <= 1 (per year)"
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            "activity_rate: true\n  substeps: 4",
            "expected a number, got boolean; allowed: 0 <= value <= 1 (per year)",
        ),
        (
            "activity_rate: 0.5\n  substeps: 2.0",
            "expected an integer, got number; allowed: 1 <= value <= 52 (sub-steps)",
        ),
        (
            "activity_rate: 0.5\n  substeps: '3'",
            "expected an integer, got string; allowed: 1 <= value <= 52 (sub-steps)",
        ),
    ],
)
def test_strict_types(tmp_path, lines, expected):
    path = write(tmp_path, "x.yaml", f"name: toy\nsim:\n  {lines}\n")
    problem = only_problem(path)
    assert problem.message == expected
    assert problem.line == (3 if "boolean" in expected else 4)


def test_out_of_range_states_range_and_unit(tmp_path):
    path = write(tmp_path, "x.yaml", "name: toy\nsim:\n  activity_rate: 1.5\n")
    problem = only_problem(path)
    assert problem.format() == (
        f"{path}:3: sim.activity_rate = 1.5: out of range; allowed: 0 <= value <= 1 (per year)"
    )


def test_out_of_range_in_list_items(tmp_path):
    text = GOOD.replace("55000.5", "-1") + "shares: [0.5, 1.2]\n"
    path = write(tmp_path, "x.yaml", text)
    problems = problems_of(path)
    assert [(p.line, p.key, p.message) for p in problems] == [
        (9, "cities[1].wage_yuan", "out of range; allowed: 0 < value (yuan per year)"),
        (10, "shares[1]", "out of range; allowed: 0 <= value <= 1 (share)"),
    ]


def test_bad_literal_lists_allowed_values_and_suggests(tmp_path):
    path = write(tmp_path, "x.yaml", "name: toy\nsim:\n  activity_rate: 0.5\n  mode: househld\n")
    problem = only_problem(path)
    assert problem.format() == (
        f'{path}:4: sim.mode = "househld": not an allowed value; '
        "allowed: 'household', 'village'; did you mean 'household'?"
    )


def test_bad_enum_value_suggests(tmp_path):
    path = write(tmp_path, "x.yaml", "name: toy\nsim: {activity_rate: 0.5}\nlevel: vilage\n")
    problem = only_problem(path)
    assert (problem.line, problem.key) == (3, "level")
    assert problem.message == "not an allowed value; allowed: 'village', 'township'"
    assert problem.suggestion == "did you mean 'village'?"


def test_missing_required_key_points_at_parent_mapping(tmp_path):
    path = write(tmp_path, "x.yaml", "name: toy\nsim:\n  substeps: 4\n")
    problem = only_problem(path)
    assert problem.format() == (
        f"{path}:2: sim.activity_rate: required key missing; allowed: 0 <= value <= 1 (per year)"
    )


def test_missing_top_level_key_points_at_line_one(tmp_path):
    path = write(tmp_path, "x.yaml", "# comment\nsim: {activity_rate: 0.5}\n")
    assert only_problem(path).format() == f"{path}:1: name: required key missing"


def test_all_problems_reported_at_once_in_file_order(tmp_path):
    text = """
    name: toy
    sim:
      activity_rate: 2
      substeps: 4
      mode: village
    cities:
      - name: A
        wage: 1000
    colour: red
    """
    path = write(tmp_path, "x.yaml", text)
    with pytest.raises(ScenarioError) as info:
        load(path)
    error = info.value
    assert [(p.line, p.key) for p in error.problems] == [
        (3, "sim.activity_rate"),
        (7, "cities[0].wage_yuan"),
        (8, "cities[0].wage"),
        (9, "colour"),
    ]
    lines = str(error).splitlines()
    assert lines[0] == f"4 problems in scenario {path}:"
    assert lines[2].strip() == (
        f"{path}:7: cities[0].wage_yuan: required key missing; allowed: 0 < value (yuan per year)"
    )
    assert error.exit_code == 2


def test_model_validator_message_is_kept(tmp_path):
    class Ordered(BaseModel):
        model_config = ConfigDict(extra="forbid")
        start: int
        end: int

        def model_post_init(self, context: object) -> None:
            if self.end < self.start:
                raise ValueError("end must not be before start")

    path = write(tmp_path, "x.yaml", "start: 5\nend: 1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, schema_cls=Ordered)
    assert info.value.problems[0].message == "end must not be before start"


# --- file fields ----------------------------------------------------------------------------


def test_file_field_is_resolved_against_the_yaml_directory(tmp_path):
    data_file = write(tmp_path, "scenarios/data/places.csv", "id\n")
    path = write(tmp_path, "scenarios/x.yaml", GOOD + "places_file: data/places.csv\n")
    assert load(path).places_file == str(data_file)


def test_missing_file_field_reports_key_location(tmp_path):
    path = write(tmp_path, "x.yaml", GOOD + "places_file: data/nope.csv\n")
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.key) == (str(path), 10, "places_file")
    assert problem.value == "data/nope.csv"
    assert problem.message == f"file not found: {tmp_path / 'data' / 'nope.csv'}"


# --- extends --------------------------------------------------------------------------------

BASE = """
name: base
sim:
  activity_rate: 0.25
  substeps: 4
  mode: village
cities:
  - name: Hangzhou
    wage_yuan: 60000
places_file: places.csv
"""


@pytest.fixture
def layered(tmp_path):
    """A base scenario in its own directory (with its data file) and a child extending it."""
    write(tmp_path, "base/places.csv", "id\n")
    base = write(tmp_path, "base/base.yaml", BASE)
    child = write(
        tmp_path,
        "child.yaml",
        """
        extends: base/base.yaml
        name: child
        sim:
          activity_rate: 0.5
        cities:
          - name: Wuxi
            wage_yuan: 50000
        """,
    )
    return base, child


def test_extends_deep_merges_and_tracks_lines(layered, tmp_path):
    base, child = layered
    data, lines = resolve_extends(child)
    assert "extends" not in data
    assert data["sim"] == {"activity_rate": 0.5, "substeps": 4, "mode": "village"}
    assert data["cities"] == [{"name": "Wuxi", "wage_yuan": 50000}]  # lists are replaced
    assert lines["sim.activity_rate"] == (str(child), 4)
    assert lines["sim.substeps"] == (str(base), 4)
    assert lines["cities[0].name"] == (str(child), 6)
    assert "extends" not in lines


def test_extends_file_paths_are_relative_to_the_defining_file(layered, tmp_path):
    _, child = layered
    scenario = load(child)
    assert scenario.name == "child"
    assert scenario.places_file == str(tmp_path / "base" / "places.csv")


def test_error_in_inherited_value_points_at_base_file(layered, tmp_path):
    base, child = layered
    base.write_text(BASE.replace("substeps: 4", "substeps: 0"), encoding="utf-8")
    problem = only_problem(child)
    assert (problem.file, problem.line, problem.key) == (str(base), 5, "sim.substeps")
    assert problem.message == "out of range; allowed: 1 <= value <= 52 (sub-steps)"


def test_extends_cycle(tmp_path):
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    b = write(tmp_path, "b.yaml", "name: b\nextends: a.yaml\n")
    problem = only_problem(tmp_path / "a.yaml")
    assert (problem.file, problem.line, problem.key) == (str(b), 2, "extends")
    assert problem.message == (
        f"extends cycle: {tmp_path / 'a.yaml'} -> {b} -> {tmp_path / 'a.yaml'}"
    )


def test_extends_missing_base(tmp_path):
    path = write(tmp_path, "x.yaml", "name: x\nextends: nope.yaml\n")
    problem = only_problem(path)
    assert (problem.line, problem.key, problem.value) == (2, "extends", "nope.yaml")
    assert problem.message == f"base scenario file not found: {tmp_path / 'nope.yaml'}"


# --- --set overrides ------------------------------------------------------------------------


def test_overrides_parse_yaml_values_and_create_keys(tmp_path):
    path = write(tmp_path, "x.yaml", GOOD)
    data, lines = resolve_extends(path)
    apply_overrides(
        data,
        lines,
        ["sim.activity_rate=1e-3", "cities[1].wage_yuan=70000", "new.deep.flag=true", "l=[1, 2]"],
    )
    assert data["sim"]["activity_rate"] == 0.001
    assert data["cities"][1] == {"name": "Ningbo", "wage_yuan": 70000}
    assert data["new"] == {"deep": {"flag": True}}
    assert data["l"] == [1, 2]
    for key in ("sim.activity_rate", "cities[1].wage_yuan", "new", "new.deep.flag", "l[1]"):
        assert lines[key] == ("<--set>", None)
    assert lines["cities[1].name"] == (str(path), 8)


def test_override_applies_before_validation(tmp_path):
    path = write(tmp_path, "x.yaml", GOOD)
    scenario = load(path, ("sim.mode=village", "name=other", "sim.substeps=12"))
    assert (scenario.sim.mode, scenario.name, scenario.sim.substeps) == ("village", "other", 12)


def test_override_with_bad_value_is_located_at_set(tmp_path):
    path = write(tmp_path, "x.yaml", GOOD)
    problem = only_problem(path, ("sim.activity_rate=abc",))
    assert problem.format() == (
        '<--set>: sim.activity_rate = "abc": expected a number, got string'
        "; allowed: 0 <= value <= 1 (per year)"
    )


def test_override_unknown_key_is_located_at_set(tmp_path):
    path = write(tmp_path, "x.yaml", GOOD)
    problem = only_problem(path, ("sim.substep=3",))
    assert (problem.file, problem.line, problem.key) == ("<--set>", None, "sim.substep")
    assert problem.suggestion == "did you mean 'substeps'?"


def test_malformed_overrides_are_all_reported(tmp_path):
    path = write(tmp_path, "x.yaml", GOOD)
    problems = problems_of(path, ("sim.activity_rate", "cities[5].name=x", "name.sub=1"))
    assert [(p.file, p.key) for p in problems] == [
        ("<--set>", ""),
        ("<--set>", "cities[5].name"),
        ("<--set>", "name.sub"),
    ]
    assert "expected KEY=VALUE" in problems[0].message
    assert problems[1].message == "index [5] out of range: cities has 2 item(s)"
    assert problems[2].message == "cannot set key 'sub': name is a string, not a mapping"


# --- output ---------------------------------------------------------------------------------


def test_resolved_dict_round_trips_through_yaml(tmp_path):
    scenario = load(write(tmp_path, "x.yaml", GOOD + "level: township\n"))
    out = tmp_path / "resolved.yaml"
    dump_yaml(resolved_dict(scenario), out)
    text = out.read_text(encoding="utf-8")
    assert text.index("name:") < text.index("sim:") < text.index("cities:")
    assert "{" not in text  # block style
    data, lines = read_yaml(out)
    assert validate(data, lines, Toy) == scenario


# --------------------------------------------------------------------------------------------
# Limits, tags and overrides given as data


def test_reading_stops_at_the_nesting_limit(tmp_path):
    from countysim.config.yaml_reader import MAX_DEPTH

    depth = MAX_DEPTH + 1
    path = write(tmp_path, "deep.yaml", "name: x\nsim: " + "[" * depth + "]" * depth)
    [problem] = problems_of(path)
    assert problem.line == 2
    assert problem.message.startswith(f"nested more than {MAX_DEPTH} levels deep")


def test_aliases_within_the_limits_still_work(tmp_path):
    path = write(
        tmp_path,
        "alias.yaml",
        """
        name: &n toy
        sim: &s {activity_rate: 0.5}
        cities: [{name: *n, wage_yuan: 1}]
        """,
    )
    toy = load(path)
    assert toy.cities[0].name == "toy" and toy.sim.activity_rate == 0.5


def test_expanded_aliases_are_counted(tmp_path):
    rows = ["a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 6)]
    path = write(tmp_path, "bomb.yaml", "\n".join(rows) + "\n")
    [problem] = problems_of(path)
    assert "values once aliases are expanded" in problem.message


def test_unknown_tags_are_problems_with_lines(tmp_path):
    path = write(
        tmp_path,
        "tags.yaml",
        """
        name: toy
        sim: !!python/object:collections.OrderedDict {activity_rate: 0.5}
        """,
    )
    [problem] = problems_of(path)
    assert problem.line == 2
    assert problem.message.startswith("unknown tag !!python/object:collections.OrderedDict")


def test_core_tags_give_plain_values_or_problems(tmp_path):
    path = write(tmp_path, "core.yaml", 'name: !!str 12\nsim: {activity_rate: !!float "0.25"}\n')
    toy = load(path)
    assert toy.name == "12" and toy.sim.activity_rate == 0.25
    path = write(tmp_path, "wrong.yaml", "name: toy\nsim: {activity_rate: !!int abc}\n")
    [problem] = problems_of(path)
    assert (problem.line, problem.message) == (2, "'abc' is not a value of tag !!int")


def test_a_byte_order_mark_is_accepted_and_other_encodings_named(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("name: 城关\nsim: {activity_rate: 0.5}\n".encode("utf-8-sig"))
    assert load(path).name == "城关"
    path.write_bytes("name: 城关\n".encode("gbk"))
    [problem] = problems_of(path)
    assert "not UTF-8 text" in problem.message


def test_overrides_as_a_mapping(tmp_path):
    path = write(tmp_path, "toy.yaml", "name: toy\nsim: {activity_rate: 0.5}\n")
    toy = load_scenario(path, {"sim.substeps": 8, "shares": (0.1, 0.2)}, schema_cls=Toy)
    assert toy.sim.substeps == 8 and toy.shares == [0.1, 0.2]
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, {"sim.substeps": 0.5}, schema_cls=Toy)
    [problem] = info.value.problems
    assert (problem.file, problem.key) == ("<--set>", "sim.substeps")


def test_overrides_as_one_string_are_one_problem(tmp_path):
    path = write(tmp_path, "toy.yaml", "name: toy\nsim: {activity_rate: 0.5}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, "sim.substeps=8", schema_cls=Toy)
    [problem] = info.value.problems
    assert "not one string" in problem.message and "['sim.substeps=8']" in problem.message
