"""Scenario input: the schema, and reading, layering, overriding and validating YAML files."""

from .errors import OVERRIDE_SOURCE, Problem, ScenarioError
from .extends import resolve_extends
from .keys import LineMap, split_key
from .loader import load_scenario, resolved_dict
from .overrides import Overrides, apply_overrides
from .schema_nav import check_key, type_alternatives
from .validation import validate
from .yaml_reader import dump_yaml, read_yaml

__all__ = [
    "OVERRIDE_SOURCE",
    "LineMap",
    "Overrides",
    "Problem",
    "ScenarioError",
    "apply_overrides",
    "check_key",
    "dump_yaml",
    "load_scenario",
    "read_yaml",
    "resolve_extends",
    "resolved_dict",
    "split_key",
    "type_alternatives",
    "validate",
]
