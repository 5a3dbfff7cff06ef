"""Scenario input: the schema, and reading, layering, overriding and validating YAML files."""

from .errors import OVERRIDE_SOURCE, Problem, ScenarioError
from .loader import (
    LineMap,
    apply_overrides,
    check_key,
    dump_yaml,
    load_scenario,
    read_yaml,
    resolve_extends,
    resolved_dict,
    split_key,
    validate,
)

__all__ = [
    "OVERRIDE_SOURCE",
    "LineMap",
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
    "validate",
]
